import { testDb } from '../helpers/stores.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import type { Paper } from '../../src/domain/paper.ts';
import { notifyJob } from '../../src/jobs/notify-job.ts';

forEachStore('notifications: who is told what, and nothing leaks', (ctx) => {
  let app: TestApp;
  const LIMITS = { RATE_LIMIT_COMMENT_USER: '1000/60', RATE_LIMIT_COMMENT_IP: '1000/60', RATE_LIMIT_DISCOVERY_USER: '1000/60' };
  before(async () => {
    app = await startTestApp(ctx.store, LIMITS);
  });
  after(() => app.close());

  const uid = async (name: string) => (await ctx.store.users.byUsername(name))!.id;
  const inbox = async (name: string) => app.services.notifications.list(await uid(name), { limit: 100 });
  const kinds = async (name: string) => (await inbox(name)).items.map((n) => `${n.kind}:${n.actor}`);
  const fanOut = () => app.services.notifications.processEvents();
  const paperOnFeed = async (submitter?: string): Promise<Paper> => {
    const p = makePaper();
    await ctx.store.papers.upsertMany([p]);
    await ctx.store.feed.addMany([{ paperId: p.id, day: '2025-06-02', submittedBy: submitter }]);
    return p;
  };
  const comment = async (c: Client, paperId: string, body: string, parentId?: number) => {
    const r = await c.post(`/api/papers/${paperId}/comments`, { body, parentId });
    assert.equal(r.status, 201, r.text);
    return r.json as { id: number; html: string };
  };

  test('a reply, a mention and the paper audience: one notification each, written by the job, never to the actor', async () => {
    const sub = await loggedIn(app, 'subm');
    const voter = await loggedIn(app, 'voter');
    const watcher = await loggedIn(app, 'watcher');
    const ann = await loggedIn(app, 'ann');
    const bob = await loggedIn(app, 'bob');
    const paper = await paperOnFeed('subm');
    assert.equal((await voter.post(`/api/papers/${paper.id}/upvote`)).status < 300, true);
    const w = await watcher.postForm('/papers/watch', { paperId: paper.id, on: '1', next: '/' });
    assert.equal(w.status, 303);

    const first = await comment(bob, paper.id, 'A first thought.');
    // Nothing on the request path: the audience is told by the job.
    assert.equal((await inbox('voter')).items.length, 0);
    await fanOut();
    assert.deepEqual(await kinds('subm'), ['comment:bob']);
    assert.deepEqual(await kinds('voter'), ['comment:bob']);
    assert.deepEqual(await kinds('watcher'), ['comment:bob']);
    assert.deepEqual(await kinds('bob'), [], 'no self-notification');

    // ann replies to bob and mentions him and voter; @nobody is no account and stays text.
    const reply = await comment(ann, paper.id, 'Thanks @bob, and @voter see this; @nobody-here too.', first.id);
    assert.match(reply.html, /<a href="\/users\/bob" class="mention"[^>]*>@bob<\/a>/);
    assert.match(reply.html, /<a href="\/users\/voter" class="mention"/);
    assert.doesNotMatch(reply.html, /users\/nobody-here/);
    assert.match(reply.html, /@nobody-here/);
    await fanOut();
    assert.deepEqual(await kinds('bob'), ['reply:ann'], 'a reply that also mentions is one notification');
    assert.deepEqual(await kinds('voter'), ['mention:ann', 'comment:bob']);
    assert.deepEqual(await kinds('subm'), ['comment:ann', 'comment:bob']);
    assert.deepEqual(await kinds('ann'), []);

    // The same event processed again (a crash before it was marked done) adds nothing.
    await ctx.store.notifications.addEvent(reply.id);
    await fanOut();
    assert.deepEqual(await kinds('bob'), ['reply:ann']);
    assert.equal((await inbox('subm')).items.length, 2);

    // Unfollowing the discussion stops it.
    await watcher.postForm('/papers/watch', { paperId: paper.id, on: '0', next: '/' });
    await comment(sub, paper.id, 'Author here.');
    await fanOut();
    assert.deepEqual(await kinds('watcher'), ['comment:ann', 'comment:bob']);
    assert.deepEqual(await kinds('subm'), ['comment:ann', 'comment:bob'], 'the submitter is not told of their own comment');
  });

  test('a hidden paper, a deleted comment or a banned actor: nothing written, and what was written disappears', async () => {
    const cara = await loggedIn(app, 'cara');
    const dan = await loggedIn(app, 'dan');
    await loggedIn(app, 'eve');
    const paper = await paperOnFeed('cara');
    // Hidden between the comment and the fan-out: nobody is told.
    await comment(dan, paper.id, 'About to be hidden.');
    await ctx.store.papers.setHidden(paper.id, true);
    await fanOut();
    assert.equal((await inbox('cara')).items.length, 0);
    await ctx.store.papers.setHidden(paper.id, false);

    // Written, then the paper is hidden: neither listed nor counted, on the page and in the API.
    const c1 = await comment(dan, paper.id, 'Visible for now, @cara.');
    await fanOut();
    assert.deepEqual(await kinds('cara'), ['mention:dan']);
    assert.equal(await app.services.notifications.unreadCount(await uid('cara')), 1);
    await ctx.store.papers.setHidden(paper.id, true);
    assert.equal((await inbox('cara')).items.length, 0);
    assert.equal(await app.services.notifications.unreadCount(await uid('cara')), 0);
    const api = await cara.get('/api/notifications');
    assert.deepEqual([api.json.unread, api.json.notifications.length], [0, 0]);
    const page = await cara.get('/notifications');
    assert.doesNotMatch(page.text, new RegExp(paper.title));
    await ctx.store.papers.setHidden(paper.id, false);
    assert.equal(await app.services.notifications.unreadCount(await uid('cara')), 1);

    // The comment deleted: gone too.
    assert.equal((await dan.delete(`/api/comments/${c1.id}`)).status, 204);
    assert.equal((await inbox('cara')).items.length, 0);

    // A banned actor's comment tells nobody; one banned later disappears from the inbox.
    await comment(dan, paper.id, 'Still here, @cara.');
    await fanOut();
    assert.deepEqual(await kinds('cara'), ['mention:dan']);
    await ctx.store.users.setBanned(await uid('dan'), true);
    assert.equal((await inbox('cara')).items.length, 0);
    // A comment queued by an actor banned before the job runs tells nobody.
    const queued = await ctx.store.comments.create({ paperId: paper.id, userId: await uid('dan'), parentId: null, body: 'banned @cara', html: '<p><a href="/users/cara" class="mention">@cara</a></p>' });
    await ctx.store.notifications.addEvent(queued.id);
    const count = async () => (await testDb(ctx.store).selectFrom('notifications').select('id').execute()).length;
    const before = await count();
    await fanOut();
    assert.equal(await count(), before, 'a banned actor produces none');
    await ctx.store.users.setBanned(await uid('dan'), false);
  });

  test('top 10: the submitter is told once per paper, after votes; a paper outside the top 10 is not', async () => {
    await loggedIn(app, 'topsub');
    const day = '2031-01-01';
    const papers = Array.from({ length: 12 }, () => makePaper());
    await ctx.store.papers.upsertMany(papers);
    await ctx.store.feed.addMany(papers.map((p) => ({ paperId: p.id, day, submittedBy: 'topsub' })));
    // Votes: the first 10 get 20..11, the last two 1 each (outside).
    for (const [i, p] of papers.entries()) await testDb(ctx.store).updateTable('papers').set({ upvotes: i < 10 ? 20 - i : 1 }).where('id', '=', p.id).execute();
    const me = await uid('topsub');
    const added = await app.services.notifications.checkTop10({ force: true });
    assert.equal(added, 10);
    const mine = (await app.services.notifications.list(me, { limit: 100 })).items.filter((n) => n.kind === 'top10');
    assert.equal(mine.length, 10);
    assert.ok(!mine.some((n) => n.paperId === papers[10].id || n.paperId === papers[11].id));
    assert.equal(mine.find((n) => n.paperId === papers[0].id)!.detail.rank, 1);
    assert.equal(await app.services.notifications.checkTop10({ force: true }), 0, 'once per paper');
    // Without new votes the check does not even run; a vote that lifts the 11th paper into the top 10 makes it run.
    await app.services.notifications.checkTop10();
    assert.equal(await app.services.notifications.checkTop10(), 0);
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 100 }).where('id', '=', papers[10].id).execute();
    assert.equal(await app.services.notifications.hasWork(), true);
    assert.equal(await app.services.notifications.checkTop10(), 1);
    assert.equal(await app.services.notifications.checkTop10(), 0);
  });

  test('notify(): claim decisions for other features, with the same rules', async () => {
    const a = await uid('ann');
    const admin = await uid('bob');
    const p = await paperOnFeed();
    const n = app.services.notifications;
    assert.equal(await n.notify('claim_decided', { userId: a, actorId: admin, paperId: p.id, commentId: null, detail: { outcome: 'approved' }, dedupeKey: 'claim:1' }), true);
    assert.equal(await n.notify('claim_decided', { userId: a, actorId: admin, paperId: p.id, commentId: null, detail: { outcome: 'approved' }, dedupeKey: 'claim:1' }), false, 'once per event');
    assert.equal(await n.notify('claim_decided', { userId: a, actorId: a, paperId: p.id, commentId: null, dedupeKey: 'claim:2' }), false, 'never to oneself');
    await ctx.store.papers.setHidden(p.id, true);
    assert.equal(await n.notify('claim_decided', { userId: a, actorId: admin, paperId: p.id, commentId: null, dedupeKey: 'claim:3' }), false, 'never about a hidden paper');
    await ctx.store.papers.setHidden(p.id, false);
    const text = (await inbox('ann')).items.find((x) => x.kind === 'claim_decided');
    assert.ok(text);
  });

  test('the inbox page: unread count in the header, mark one and all read by forms (CSRF, PRG), paged', async () => {
    const fay = await loggedIn(app, 'fay');
    const gus = await loggedIn(app, 'gus');
    const paper = await paperOnFeed();
    const top = await comment(fay, paper.id, 'Top.');
    for (let i = 0; i < 3; i++) await comment(gus, paper.id, `Reply ${i} to @fay`, top.id);
    await fanOut();
    const home = await fay.get('/');
    assert.match(home.text, /aria-label="Notifications, 3 unread"/);
    assert.match(home.text, /class="unread-count">3</);
    const page = await fay.get('/notifications');
    assert.equal(page.status, 200);
    assert.match(page.text, /gus replied to your comment on/);
    const ids = [...page.text.matchAll(/data-notification="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(ids.length, 3);
    assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');

    // Without the CSRF token: refused, nothing changes.
    const forged = await fay.postForm(`/notifications/${ids[0]}/read`, { next: '/notifications' }, { csrf: false });
    assert.equal(forged.status, 403);
    // Someone else's notification: not found.
    const other = await gus.postForm(`/notifications/${ids[0]}/read`, { next: '/notifications' });
    assert.equal(other.status, 404);
    const one = await fay.postForm(`/notifications/${ids[0]}/read`, { next: '/notifications' });
    assert.equal(one.status, 303);
    assert.equal(one.headers.get('location'), '/notifications');
    const after1 = await fay.get('/notifications');
    assert.match(after1.text, /Marked read\./);
    assert.match(after1.text, /2 unread\./);
    const all = await fay.postForm('/notifications/read-all', { next: '/notifications' });
    assert.equal(all.status, 303);
    assert.match((await fay.get('/notifications')).text, /Nothing unread\./);
    assert.doesNotMatch((await fay.get('/')).text, /class="unread-count"/);

    // Paging by `before`: two per page through the service; the page's "Older" link carries the cursor.
    const p1 = await app.services.notifications.list(await uid('fay'), { limit: 2 });
    assert.equal(p1.items.length, 2);
    const p2 = await app.services.notifications.list(await uid('fay'), { limit: 2, before: p1.nextBefore! });
    assert.deepEqual(p2.items.map((n) => n.id), [ids[2]]);
    assert.equal(p2.nextBefore, null);
    // Signed out: the log-in page, and no bell in the header.
    const anon = new Client(app.url);
    assert.equal((await anon.get('/notifications')).status, 303);
    assert.doesNotMatch((await anon.get('/')).text, /notifications-link/);
  });

  test('GET /api/notifications and POST /api/notifications/read: auth from the spec, zod, 4xx for bad input', async () => {
    const hal = await loggedIn(app, 'hal');
    const ivy = await loggedIn(app, 'ivy');
    const paper = await paperOnFeed('hal');
    await comment(ivy, paper.id, 'Hello @hal');
    await comment(ivy, paper.id, 'Again.');
    await fanOut();
    assert.equal((await new Client(app.url).get('/api/notifications')).status, 401);
    const list = await hal.get('/api/notifications?limit=1');
    assert.equal(list.status, 200);
    assert.equal(list.json.unread, 2);
    assert.equal(list.json.notifications.length, 1);
    assert.equal(list.json.notifications[0].kind, 'comment');
    assert.match(list.json.notifications[0].url, /^\/papers\/.*#comment-\d+$/);
    const older = await hal.get(`/api/notifications?before=${list.json.nextBefore}`);
    assert.equal(older.json.notifications[0].kind, 'mention');
    for (const q of ['limit=0', 'limit=101', 'before=abc', 'before=99999999999', 'before=%00']) assert.equal((await hal.get(`/api/notifications?${q}`)).status, 400, q);

    const id = list.json.notifications[0].id;
    assert.equal((await ivy.post('/api/notifications/read', { ids: [id] })).status, 404, "another reader's notification");
    for (const body of [{}, { ids: [] }, { ids: ['1'] }, { ids: [2 ** 40] }, { all: false }, { ids: [id], all: true }]) assert.equal((await hal.post('/api/notifications/read', body)).status, 400, JSON.stringify(body));
    assert.equal((await hal.post('/api/notifications/read', { ids: [id] }, { csrf: false })).status, 403);
    const r = await hal.post('/api/notifications/read', { ids: [id] });
    assert.equal(r.status, 200);
    assert.equal(r.json.unread, 1);
    assert.equal((await hal.post('/api/notifications/read', { all: true })).json.unread, 0);
    const spec = await new Client(app.url).get('/openapi.json');
    assert.ok(spec.json.paths['/api/notifications'].get);
    assert.ok(spec.json.paths['/api/notifications/read'].post);
  });

  test('the notify job: not due when idle; a queued comment makes it due, and one run fans it out', async () => {
    const job = notifyJob(app.services);
    await app.services.notifications.processEvents();
    await app.services.notifications.checkTop10();
    assert.equal(await job.due!(), false, 'idle: no lease taken, no run recorded');
    const kit = await loggedIn(app, 'kit');
    const lou = await loggedIn(app, 'lou');
    const paper = await paperOnFeed('kit');
    // Hostile text around a mention stays text; the mention itself is a plain profile link.
    const c = await comment(lou, paper.id, '@kit<script>alert(1)</script> [x](javascript:alert(1)) @kit"onmouseover=x');
    assert.doesNotMatch(c.html, /<script|javascript:|onmouseover="/);
    assert.equal((c.html.match(/class="mention"/g) ?? []).length, 2);
    assert.equal(await job.due!(), true);
    const stats = await job.run(new AbortController().signal);
    assert.equal(stats.events, 1);
    assert.deepEqual(await kinds('kit'), ['mention:lou']);
    void kit;
  });

  test('an edit that mentions someone new tells them, and nobody else again', async () => {
    const mae = await loggedIn(app, 'mae');
    await loggedIn(app, 'ned');
    const voter = await loggedIn(app, 'odo');
    const paper = await paperOnFeed('mae');
    await voter.post(`/api/papers/${paper.id}/upvote`);
    const c = await comment(mae, paper.id, 'First version.');
    await fanOut();
    assert.deepEqual(await kinds('odo'), ['comment:mae']);
    const edited = await mae.request('PATCH', `/api/comments/${c.id}`, { json: { body: 'First version, cc @ned and @odo.' } });
    assert.equal(edited.status, 200, edited.text);
    assert.match(edited.json.html, /class="mention"/);
    await fanOut();
    assert.deepEqual(await kinds('ned'), ['mention:mae']);
    assert.deepEqual(await kinds('odo'), ['comment:mae'], 'already told of this comment');
    // Edited again with the same mentions: nothing more.
    await mae.request('PATCH', `/api/comments/${c.id}`, { json: { body: 'First version, cc @ned and @odo!' } });
    await fanOut();
    assert.deepEqual(await kinds('ned'), ['mention:mae']);
  });

  test('mark-read writes are rate limited with the preset', async () => {
    // The counters live in the store: start from none (earlier tests wrote from the same IP).
    await testDb(ctx.store).deleteFrom('rate_limits').execute();
    const strict = await startTestApp(ctx.store, { RATE_LIMIT_DISCOVERY_USER: '2/60' });
    try {
      const jo = await loggedIn(strict, 'jo');
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await jo.post('/api/notifications/read', { all: true })).status);
      assert.deepEqual(codes, [200, 200, 429]);
    } finally {
      await strict.close();
    }
  });
});
