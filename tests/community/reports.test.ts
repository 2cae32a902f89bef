import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

forEachStore('reports: readers flag comments and papers, moderators act from one queue', (ctx) => {
  let app: TestApp;
  let admin: Client;
  const paper = makePaper();
  const spamPaper = makePaper({ title: 'Buy cheap followers now' });
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_REPORT: '5/3600' });
    await ctx.store.papers.upsertMany([paper, spamPaper]);
    admin = await loggedIn(app, 'mod');
    const u = (await ctx.store.users.byUsername('mod'))!;
    await ctx.store.users.setRole(u.id, 'admin');
  });
  after(() => app.close());

  test('a reader reports a comment through the plain form; two readers make one queue row with a count', async () => {
    const author = await loggedIn(app, 'troll');
    const comment = (await author.post(`/api/papers/${paper.id}/comments`, { body: 'visit my spam site' })).json;
    const alice = await loggedIn(app, 'alice');
    const discussion = await alice.get(`/papers/${paper.id}/discussion`);
    assert.match(discussion.text, new RegExp(`href="/report\\?target=comment&amp;id=${comment.id}"`), 'a Report link on the comment');
    assert.doesNotMatch((await author.get(`/papers/${paper.id}/discussion`)).text, /target=comment&amp;id=/, 'no Report link on your own comment');
    const form = await alice.get(`/report?target=comment&id=${comment.id}`);
    assert.equal(form.status, 200);
    assert.match(form.text, /visit my spam site/);
    const sent = await alice.postForm('/report', { target: 'comment', id: String(comment.id), reason: 'spam', note: 'a link farm' });
    assert.equal(sent.status, 303);
    assert.match((await alice.get(sent.headers.get('location')!)).text, /Thank you/);
    const bob = await loggedIn(app, 'bob');
    assert.equal((await bob.post('/api/reports', { target: 'comment', targetId: String(comment.id), reason: 'abuse' })).status, 201);
    // Reporting again updates the same report instead of adding one.
    assert.equal((await bob.post('/api/reports', { target: 'comment', targetId: String(comment.id), reason: 'spam' })).status, 201);

    const queue = (await admin.get('/api/admin/reports')).json.reports;
    assert.equal(queue.length, 2);
    assert.deepEqual(queue.map((r: { reportsOnTarget: number }) => r.reportsOnTarget), [2, 2]);
    assert.equal(queue[0].author, 'troll');
    assert.equal(queue[0].summary, 'visit my spam site');
    const page = await admin.get('/admin/reports');
    assert.match(page.text, /2 open reports/);
    assert.match(page.text, /<q>a link farm<\/q>/);
    assert.match((await admin.get('/admin')).text, /href="\/admin\/reports"[^<]*<\/a>: 2 open/, 'reachable from the admin page');

    const done = await admin.postForm(`/admin/reports/${queue[0].id}/resolve`, { action: 'ban_author' });
    assert.equal(done.status, 303);
    assert.equal((await admin.get('/api/admin/reports')).json.reports.length, 0, 'every report on the target is closed');
    assert.equal((await ctx.store.users.byUsername('troll'))!.banned, true);
    assert.equal((await ctx.store.comments.get(comment.id))!.deleted, true);
    const audit = (await admin.get('/api/admin/audit')).json.entries.map((e: { action: string }) => e.action);
    assert.deepEqual(audit.slice(0, 3), ['report.ban_author', 'comment.delete', 'user.ban']);
    assert.equal((await admin.postForm(`/admin/reports/${queue[0].id}/resolve`, { action: 'dismiss' })).status, 409, 'already resolved');
  });

  test('papers: reported from the paper page, hidden from the queue; dismissing leaves the target alone', async () => {
    const carol = await loggedIn(app, 'carol');
    assert.match((await carol.get(`/papers/${spamPaper.id}`)).text, /href="\/report\?target=paper&amp;id=/);
    assert.equal((await carol.postForm('/report', { target: 'paper', id: spamPaper.id, reason: 'off_topic' })).status, 303);
    assert.equal((await carol.postForm('/report', { target: 'paper', id: paper.id, reason: 'wrong_paper' })).status, 303);
    const queue = (await admin.get('/api/admin/reports')).json.reports;
    const spam = queue.find((r: { targetId: string }) => r.targetId === spamPaper.id);
    const other = queue.find((r: { targetId: string }) => r.targetId === paper.id);
    assert.equal(spam.summary, 'Buy cheap followers now');
    assert.equal((await admin.post(`/api/admin/reports/${spam.id}/resolve`, { action: 'delete_comment' })).status, 400, 'an action that does not fit the target');
    assert.deepEqual((await admin.post(`/api/admin/reports/${spam.id}/resolve`, { action: 'hide_paper' })).json, { closed: 1 });
    assert.equal((await new Client(app.url).get(`/papers/${spamPaper.id}`)).status, 404);
    assert.deepEqual((await admin.post(`/api/admin/reports/${other.id}/resolve`, { action: 'dismiss' })).json, { closed: 1 });
    assert.equal((await new Client(app.url).get(`/papers/${paper.id}`)).status, 200, 'dismissed: the paper stays');
    assert.equal((await carol.post('/api/reports', { target: 'paper', targetId: spamPaper.id, reason: 'spam' })).status, 404, 'a hidden paper cannot be reported');
  });

  test('bad reports are 4xx and store nothing; only admins see or work the queue; reports are rate limited', async () => {
    const dave = await loggedIn(app, 'dave');
    const anon = new Client(app.url);
    const before = (await admin.get('/api/admin/reports')).json.reports.length;
    assert.equal((await anon.post('/api/reports', { target: 'paper', targetId: paper.id, reason: 'spam' })).status, 401);
    assert.equal((await anon.get(`/report?target=paper&id=${paper.id}`)).status, 303, 'the form asks to log in');
    assert.equal((await dave.post('/api/reports', { target: 'paper', targetId: paper.id, reason: 'because' })).status, 400);
    assert.equal((await dave.post('/api/reports', { target: 'user', targetId: 'mod', reason: 'spam' })).status, 400);
    assert.equal((await dave.post('/api/reports', { target: 'comment', targetId: '99999999', reason: 'spam' })).status, 404);
    assert.equal((await dave.post('/api/reports', { target: 'comment', targetId: 'x'.repeat(300), reason: 'spam' })).status, 400);
    assert.equal((await dave.post('/api/reports', { target: 'paper', targetId: paper.id, reason: 'spam', note: 'n'.repeat(1001) })).status, 400);
    assert.equal((await dave.postForm('/report', { target: 'paper', id: paper.id, reason: 'spam' }, { csrf: false })).status, 403, 'CSRF');
    assert.equal((await dave.get('/admin/reports')).status, 403);
    assert.equal((await dave.get('/api/admin/reports')).status, 403);
    assert.equal((await dave.post('/api/admin/reports/1/resolve', { action: 'dismiss' })).status, 403);
    assert.equal((await admin.get('/api/admin/reports')).json.reports.length, before, 'nothing stored');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await dave.post('/api/reports', { target: 'paper', targetId: paper.id, reason: 'spam' })).status);
    assert.ok(statuses.includes(429), `rate limited: ${statuses}`);
    // The form and the API are one preset (src/http/middleware/limits.ts): the account's budget is spent for both.
    assert.equal((await dave.postForm('/report', { target: 'paper', id: paper.id, reason: 'spam' })).status, 429, 'the report form is limited too');
  });
});
