import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

const HOSTILE_NAME = '<img src=x onerror=alert(1)> Mallory';

forEachStore('author claims over HTTP: claim, moderate, verified authors, merged names, author-set links', (ctx) => {
  let app: TestApp;
  let admin: Client;
  const paper = makePaper({ authors: ['John Smith', 'Ada Lovelace'], links: undefined });
  const short = makePaper({ authors: ['J. Smith', 'Grace Hopper'] });
  const other = makePaper({ authors: ['Somebody Else'] });
  const hostile = makePaper({ authors: [HOSTILE_NAME, 'Eve'] });
  const withCode = makePaper({ authors: ['Code Author'], abstract: 'Code at https://github.com/harvested/repo for all.' });
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_CLAIM_USER: '30/3600' });
    await ctx.store.papers.upsertMany([paper, short, other, hostile, withCode]);
    await ctx.store.feed.addMany([
      { paperId: paper.id, day: '2026-11-20' },
      { paperId: short.id, day: '2026-11-21' },
      { paperId: other.id, day: '2026-11-21' },
      { paperId: withCode.id, day: '2026-11-21' },
    ]);
    admin = await loggedIn(app, 'mod');
    await ctx.store.users.setRole((await ctx.store.users.byUsername('mod'))!.id, 'admin');
  });
  after(() => app.close());

  const decide = (id: number, decision: 'approve' | 'refuse') => admin.post(`/api/admin/claims/${id}/decide`, { decision });

  test('a reader claims a listed name with the plain form; one pending claim per paper; a moderator approves from /admin/claims', async () => {
    const anon = new Client(app.url);
    const anonPage = await anon.get(`/papers/${paper.id}`);
    assert.doesNotMatch(anonPage.text, /This is me/, 'visitors get no claim button');
    assert.match(anonPage.text, /to claim the paper/);
    const alice = await loggedIn(app, 'alice');
    const page = await alice.get(`/papers/${paper.id}`);
    assert.match(page.text, new RegExp(`href="/claim\\?paper=${paper.id.replace('.', '\\.')}&amp;author=0"[^>]*>This is me<span class="vh"> \\(John Smith\\)`), 'a button beside each name');
    const form = await alice.get(`/claim?paper=${paper.id}&author=0`);
    assert.equal(form.status, 200);
    assert.match(form.text, /<input type="radio" name="author" value="0" checked/);
    const sent = await alice.postForm('/claim', { paper: paper.id, author: '0', evidence: 'My homepage: https://smith.example.org' });
    assert.equal(sent.status, 303);
    assert.equal(sent.headers.get('location'), `/papers/${paper.id}`);
    const back = await alice.get(`/papers/${paper.id}`);
    assert.match(back.text, /your claim to be John Smith is waiting for a moderator/);
    assert.doesNotMatch(back.text, /This is me/, 'no second claim while one is pending');
    assert.equal((await alice.postForm('/claim', { paper: paper.id, author: '1' })).status, 409, 'one pending claim per reader and paper');
    assert.equal((await alice.post(`/api/papers/${paper.id}/claims`, { authorName: 'Ada Lovelace' })).status, 409);

    assert.match((await admin.get('/admin')).text, /href="\/admin\/claims">Author claims<\/a>: 1 pending/, 'reachable from /admin');
    const queue = await admin.get('/admin/claims');
    assert.match(queue.text, /John Smith/);
    assert.match(queue.text, /<q>My homepage: https:\/\/smith.example.org<\/q>/);
    const claim = (await admin.get('/api/admin/claims')).json.claims[0];
    assert.equal(claim.user, 'alice');
    const approved = await admin.postForm(`/admin/claims/${claim.id}/decide`, { decision: 'approve', note: 'homepage checks out' });
    assert.equal(approved.status, 303);
    assert.equal((await admin.get('/api/admin/claims')).json.claims.length, 0);
    const audit = (await admin.get('/api/admin/audit')).json.entries;
    assert.equal(audit[0].action, 'claim.approve');
    assert.equal(audit[0].targetId, paper.id);
    assert.equal((await decide(claim.id, 'refuse')).status, 409, 'decided once');

    const verified = await anon.get(`/papers/${paper.id}`);
    assert.match(verified.text, /John Smith<\/a><span class="verified">[^]*?verified: <a href="\/users\/alice">alice<\/a>/);
    assert.match((await anon.get('/users/alice')).text, new RegExp(`Papers as a verified author[^]*href="/papers/${paper.id.replace('.', '\\.')}"`));
    assert.deepEqual((await anon.get(`/api/papers/${paper.id}/authors`)).json.verified, [{ authorName: 'John Smith', user: 'alice' }]);
    const inbox = (await alice.get('/api/notifications')).json;
    assert.deepEqual(
      inbox.notifications.map((n: { kind: string; paperId: string; text: string }) => [n.kind, n.paperId, /was approved/.test(n.text)]),
      [['claim_decided', paper.id, true]],
      'the claimant hears of the decision in their inbox',
    );
    assert.equal(inbox.unread, 1);
    assert.equal((await (await loggedIn(app, 'bob')).post(`/api/papers/${paper.id}/claims`, { authorName: 'john  SMITH' })).status, 409, 'a verified name cannot be claimed again');
  });

  test("the author page merges one verified author's name variants", async () => {
    const alice = await loggedIn(app, 'alice');
    assert.equal((await anonGet(`/authors/${encodeURIComponent('J. Smith')}`)).includes(paper.title), false, 'before: only the exact name');
    const r = await alice.post(`/api/papers/${short.id}/claims`, { authorName: 'J. Smith', evidence: 'same person' });
    assert.equal(r.status, 201);
    assert.equal(r.json.status, 'pending');
    assert.equal((await decide(r.json.id, 'approve')).status, 200);
    for (const name of ['J. Smith', 'John Smith']) {
      const text = await anonGet(`/authors/${encodeURIComponent(name)}`);
      assert.ok(text.includes(paper.title) && text.includes(short.title), `${name}: both papers`);
      assert.match(text, /Verified author: <a href="\/users\/alice">alice<\/a>/);
    }
    assert.equal((await anonGet(`/authors/${encodeURIComponent('Grace Hopper')}`)).includes(paper.title), false, 'co-authors are not merged');
  });

  test('refused claims are not shown; the reader may try again', async () => {
    const carol = await loggedIn(app, 'carol');
    const r = await carol.post(`/api/papers/${other.id}/claims`, { authorName: 'Somebody Else' });
    assert.equal((await decide(r.json.id, 'refuse')).json.status, 'refused');
    assert.doesNotMatch(await anonGet(`/papers/${other.id}`), /verified:/);
    assert.equal((await admin.get('/api/admin/audit')).json.entries[0].action, 'claim.refuse');
    assert.equal((await carol.get(`/api/papers/${other.id}/claims`)).json.claims[0].status, 'refused');
    assert.equal((await carol.post(`/api/papers/${other.id}/claims`, { authorName: 'Somebody Else' })).status, 201, 'a new claim after a refusal');
  });

  test('only moderators see and decide claims; a reader cannot claim for someone else', async () => {
    const dave = await loggedIn(app, 'dave');
    const erin = await loggedIn(app, 'erin');
    const erinId = (await ctx.store.users.byUsername('erin'))!.id;
    // Fields naming another account are not part of the claim: it is always the caller's.
    const r = await dave.post(`/api/papers/${withCode.id}/claims`, { authorName: 'Code Author', userId: erinId, user: 'erin', username: 'erin' });
    assert.equal(r.status, 201);
    assert.equal(r.json.user, 'dave');
    assert.equal((await erin.get(`/api/papers/${withCode.id}/claims`)).json.claims.length, 0);
    const f = await erin.postForm('/claim', { paper: other.id, author: '0', user: 'dave', userId: '1' });
    assert.equal(f.status, 303);
    assert.equal((await erin.get(`/api/papers/${other.id}/claims`)).json.claims[0].user, 'erin');
    assert.equal((await dave.get(`/api/papers/${other.id}/claims`)).json.claims.length, 0);

    assert.equal((await dave.get('/admin/claims')).status, 403);
    assert.equal((await dave.get('/api/admin/claims')).status, 403);
    assert.equal((await dave.post(`/api/admin/claims/${r.json.id}/decide`, { decision: 'approve' })).status, 403);
    assert.equal((await dave.postForm(`/admin/claims/${r.json.id}/decide`, { decision: 'approve' })).status, 403);
    assert.equal((await new Client(app.url).post(`/api/papers/${other.id}/claims`, { authorName: 'Somebody Else' })).status, 401);
    assert.equal((await dave.get(`/api/papers/${withCode.id}/claims`)).json.claims[0].status, 'pending', 'still pending');
    assert.equal((await dave.postForm('/claim', { paper: other.id, author: '0' }, { csrf: false })).status, 403, 'CSRF');
    await decide(r.json.id, 'approve');
  });

  test('author-set links: verified authors only, https only, capped, escaped; they win over harvested links', async () => {
    const dave = await loggedIn(app, 'dave');
    const bob = await loggedIn(app, 'bob');
    assert.match(await anonGet(`/papers/${withCode.id}`), /href="https:\/\/github.com\/harvested\/repo"/);
    assert.match((await dave.get(`/papers/${withCode.id}`)).text, /Set this paper&#39;s code and project links/);
    assert.doesNotMatch((await bob.get(`/papers/${withCode.id}`)).text, /Set this paper&#39;s code and project links/);

    const put = (c: Client, id: string, body: unknown) => c.request('PUT', `/api/papers/${id}/links`, { json: body });
    assert.equal((await put(bob, withCode.id, { code: 'https://github.com/bob/fake' })).status, 403, 'not a verified author');
    assert.equal((await bob.postForm('/author-links', { paper: withCode.id, code: 'https://github.com/bob/fake' })).status, 403);
    assert.equal((await put(dave, other.id, { code: 'https://github.com/dave/x' })).status, 403, 'verified on another paper only');
    for (const bad of ['javascript:alert(1)', 'http://github.com/plain/http', 'data:text/html,<b>x</b>', `https://github.com/${'a'.repeat(500)}`, 'https://user:pw@github.com/x', 'https://exa mple.org/']) {
      assert.equal((await put(dave, withCode.id, { code: bad })).status, 400, bad);
    }
    assert.equal((await put(dave, withCode.id, { code: 'https://github.com/x\u0000y' })).status, 400, 'NUL byte');
    assert.equal((await dave.postForm('/author-links', { paper: withCode.id, code: `https://github.com/${'a'.repeat(700)}` })).status, 400, 'over the form cap');

    const saved = await dave.postForm('/author-links', { paper: withCode.id, code: 'https://github.com/dave/real', project: 'https://dave.example.org/"><script>alert(1)</script>' });
    assert.equal(saved.status, 303);
    const page = (await dave.get(`/papers/${withCode.id}`)).text;
    assert.match(page, /Links saved/);
    assert.match(page, /href="https:\/\/github.com\/dave\/real"/, 'the author-set code link');
    assert.doesNotMatch(page, /href="https:\/\/github.com\/harvested\/repo"/, 'wins over the harvested one');
    assert.doesNotMatch(page, /<script>alert/);
    const links = (await new Client(app.url).get(`/api/papers/${withCode.id}/authors`)).json.links;
    assert.equal(links.code, 'https://github.com/dave/real');
    assert.equal(links.project, 'https://dave.example.org/%22%3E%3Cscript%3Ealert(1)%3C/script%3E');
    assert.equal(links.setBy, 'dave');
    assert.equal((await put(dave, withCode.id, { code: '' })).json.code, null, 'an empty value clears');
    assert.match(await anonGet(`/papers/${withCode.id}`), /href="https:\/\/github.com\/harvested\/repo"/, 'cleared: the harvested link is back');
  });

  test('hostile names and evidence are escaped; NUL bytes and over-long fields are 4xx', async () => {
    const mallory = await loggedIn(app, 'mallory');
    assert.equal((await mallory.post(`/api/papers/${hostile.id}/claims`, { authorName: HOSTILE_NAME, evidence: 'x\u0000y' })).status, 400, 'NUL in evidence');
    assert.equal((await mallory.post(`/api/papers/${hostile.id}/claims`, { authorName: HOSTILE_NAME, evidence: 'e'.repeat(1001) })).status, 400, 'evidence too long');
    assert.equal((await mallory.postForm('/claim', { paper: hostile.id, author: '0', evidence: 'e'.repeat(1001) })).status, 400, 'evidence too long (form)');
    assert.equal((await mallory.postForm('/claim', { paper: hostile.id, author: '0', evidence: 'e'.repeat(3000) })).status, 400, 'over the form cap');
    assert.equal((await mallory.post(`/api/papers/${hostile.id}/claims`, { authorName: 'Not Listed' })).status, 400, 'not a listed name');
    assert.equal((await mallory.postForm('/claim', { paper: hostile.id, author: '7' })).status, 400, 'no such listed name');
    assert.equal((await mallory.post(`/api/papers/2501.99999/claims`, { authorName: 'X' })).status, 404);
    const r = await mallory.post(`/api/papers/${hostile.id}/claims`, { authorName: HOSTILE_NAME, evidence: '<script>alert("ev")</script>' });
    assert.equal(r.status, 201);
    const queue = (await admin.get('/admin/claims')).text;
    assert.doesNotMatch(queue, /<script>alert\("ev"\)/);
    assert.doesNotMatch(queue, /<img src=x/);
    assert.match(queue, /&lt;script&gt;alert/);
    await decide(r.json.id, 'approve');
    const page = await anonGet(`/papers/${hostile.id}`);
    assert.doesNotMatch(page, /<img src=x/);
    assert.match(page, /&lt;img src=x onerror=alert\(1\)&gt; Mallory<\/a><span class="verified">/);
    assert.doesNotMatch((await new Client(app.url).get('/users/mallory')).text, /<img src=x/);
  });

  test('claims are rate limited', async () => {
    const frank = await loggedIn(app, 'frank');
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await frank.post(`/api/papers/${other.id}/claims`, { authorName: 'Nobody' })).status);
    assert.ok(statuses.includes(429), `rate limited: ${statuses}`);
  });

  async function anonGet(path: string): Promise<string> {
    return (await new Client(app.url).get(path)).text;
  }
});
