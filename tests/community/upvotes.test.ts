import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

/** A logged-in browser without paying for an argon2 hash per user: the account is made in the store, the session by the service. */
async function loggedIn(app: TestApp, username: string): Promise<Client> {
  const { store } = app;
  const { accounts } = app.services;
  const user = (await store.users.byUsername(username)) ?? (await store.users.create({ username, email: `${username}@example.org`, passwordHash: 'not-a-real-hash' }));
  const { sessionToken, session } = await accounts.openSession(user.id);
  const c = new Client(app.url);
  c.cookies.set('pb_session', sessionToken);
  c.csrf = session.csrfToken;
  return c;
}

forEachStore('upvotes over HTTP', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_UPVOTE_IP: '100000/60', RATE_LIMIT_UPVOTE_USER: '1000/60' });
  });
  after(() => app.close());

  async function upvotesOf(id: string) {
    const p = (await ctx.store.papers.get(id))!;
    return { counter: p.upvotes, rows: await ctx.store.upvotes.countFor(id) };
  }

  test('50 users upvoting at once give exactly 50', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => loggedIn(app, `voter${i}`)));
    const replies = await Promise.all(users.map((u) => u.post(`/api/papers/${paper.id}/upvote`)));
    assert.deepEqual([...new Set(replies.map((r) => r.status))], [200]);
    assert.deepEqual(await upvotesOf(paper.id), { counter: 50, rows: 50 });
    // And all of them taking it back at once leaves 0.
    await Promise.all(users.map((u) => u.delete(`/api/papers/${paper.id}/upvote`)));
    assert.deepEqual(await upvotesOf(paper.id), { counter: 0, rows: 0 });
  });

  test("one user's ten rapid clicks give 1 (API and no-JavaScript form)", async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const u = await loggedIn(app, 'clicker');
    const api = await Promise.all(Array.from({ length: 10 }, () => u.post(`/api/papers/${paper.id}/upvote`)));
    assert.ok(api.every((r) => r.status === 200 && r.json.upvoted === true));
    assert.deepEqual(await upvotesOf(paper.id), { counter: 1, rows: 1 });

    const other = makePaper();
    await ctx.store.papers.upsertMany([other]);
    const forms = await Promise.all(Array.from({ length: 10 }, () => u.postForm(`/papers/${other.id}/upvote`, { action: 'add', next: '/somewhere' })));
    assert.ok(forms.every((r) => r.status === 303 && r.headers.get('location') === '/somewhere'));
    assert.deepEqual(await upvotesOf(other.id), { counter: 1, rows: 1 });
    // Ten removals racing leave 0, never -9.
    await Promise.all(Array.from({ length: 10 }, () => u.postForm(`/papers/${other.id}/upvote`, { action: 'remove' })));
    assert.deepEqual(await upvotesOf(other.id), { counter: 0, rows: 0 });
  });

  test('the button renders its state and works as a plain form; old-style ids work', async () => {
    const paper = makePaper({ id: 'hep-th/9901001' });
    await ctx.store.papers.upsertMany([paper]);
    const u = await loggedIn(app, 'reader');
    const page = await u.get('/papers/hep-th/9901001/discussion');
    assert.equal(page.status, 200);
    assert.match(page.text, /action="\/papers\/hep-th\/9901001\/upvote"/);
    assert.match(page.text, /name="action" value="add"/);
    const r = await u.postForm('/papers/hep-th/9901001/upvote', { action: 'add' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/papers/hep-th/9901001');
    const again = await u.get('/papers/hep-th/9901001/discussion');
    assert.match(again.text, /name="action" value="remove"/);
    assert.match(again.text, /aria-pressed="true"/);
    assert.equal((await u.get('/api/papers/hep-th/9901001')).json.upvotes, 1);
    // A form without `action` toggles; a script asking for JSON gets the new state instead of a redirect.
    const toggled = await u.postForm('/papers/hep-th/9901001/upvote', {}, { headers: { accept: 'application/json' } });
    assert.equal(toggled.status, 200);
    assert.deepEqual(toggled.json, { paperId: 'hep-th/9901001', upvoted: false, upvotes: 0 });
    const back = await u.postForm('/papers/hep-th/9901001/upvote', {}, { headers: { accept: 'application/json' } });
    assert.deepEqual(back.json, { paperId: 'hep-th/9901001', upvoted: true, upvotes: 1 });
  });

  test('a forged cross-site form post is refused and changes nothing', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const victim = await loggedIn(app, 'victim');
    // The attacker's page can make the browser send the cookie, but cannot read the page's token.
    const noToken = await victim.postForm(`/papers/${paper.id}/upvote`, { action: 'add' }, { csrf: false, headers: { origin: 'http://evil.example' } });
    assert.equal(noToken.status, 403);
    const wrongToken = await victim.request('POST', `/papers/${paper.id}/upvote`, { form: { action: 'add', _csrf: 'guessed' }, csrf: false });
    assert.equal(wrongToken.status, 403);
    const crossSite = await victim.postForm(`/papers/${paper.id}/upvote`, { action: 'add' }, { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(crossSite.status, 403, 'a request the browser marks cross-site is refused even with a token');
    const foreignOrigin = await victim.postForm(`/papers/${paper.id}/upvote`, { action: 'add' }, { headers: { origin: 'http://evil.example' } });
    assert.equal(foreignOrigin.status, 403);
    const jsonNoToken = await victim.post(`/api/papers/${paper.id}/upvote`, undefined, { csrf: false });
    assert.equal(jsonNoToken.status, 403);
    assert.equal(jsonNoToken.json.error.code, 'csrf');
    assert.deepEqual(await upvotesOf(paper.id), { counter: 0, rows: 0 });
    // The same form from the site itself goes through.
    assert.equal((await victim.postForm(`/papers/${paper.id}/upvote`, { action: 'add' }, { headers: { origin: app.url } })).status, 303);
    assert.deepEqual(await upvotesOf(paper.id), { counter: 1, rows: 1 });
  });

  test('bearer tokens vote without CSRF; anonymous votes are refused; unknown papers are 404', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const owner = (await ctx.store.users.byUsername('reader'))!;
    const { token } = await app.services.accounts.createApiToken(owner, 'bot');
    const bot = new Client(app.url);
    bot.bearer = token;
    const r = await bot.post(`/api/papers/${paper.id}/upvote`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { paperId: paper.id, upvoted: true, upvotes: 1 });
    assert.equal((await new Client(app.url).post(`/api/papers/${paper.id}/upvote`)).status, 401);
    assert.equal((await bot.post('/api/papers/2501.99999/upvote')).status, 404);
    assert.equal((await bot.post('/api/papers/not-an-id/upvote')).status, 400);
  });

  test('upvotes are rate limited per account', async () => {
    const strict = await startTestApp(ctx.store, { RATE_LIMIT_UPVOTE_USER: '3/60' });
    try {
      const paper = makePaper();
      await ctx.store.papers.upsertMany([paper]);
      const u = await loggedIn(strict, 'hasty');
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await u.post(`/api/papers/${paper.id}/upvote`)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
    } finally {
      await strict.close();
    }
  });
});

forEachStore('an upvote\'s statements', (ctx) => {
  // Issue 19 (mixed load on PostgreSQL): the count the answer carries comes from the counter's own
  // update, in the vote's transaction, instead of a read after it.
  test('a vote that changes the count: the visibility check, the row, the counter (returning the count), the feed day for the page cache', async () => {
    const { statementsOf } = await import('../helpers/statement-count.ts');
    const { testDb } = await import('../helpers/stores.ts');
    const app = await startTestApp(ctx.store, {});
    try {
      const paper = makePaper();
      await ctx.store.papers.upsertMany([paper]);
      const user = await ctx.store.users.create({ username: 'counted', email: 'counted@example.org', passwordHash: 'x' });
      const db = testDb(ctx.store);
      const add = await statementsOf(db, () => app.services.upvotes.set(user, paper.id, true));
      assert.deepEqual(add.value, { paperId: paper.id, upvoted: true, upvotes: 1 });
      assert.ok(add.statements.length <= 4, `${add.statements.length} statements:\n${add.statements.join('\n')}`);
      const again = await statementsOf(db, () => app.services.upvotes.set(user, paper.id, true));
      assert.deepEqual(again.value, { paperId: paper.id, upvoted: true, upvotes: 1 }, 'unchanged: the count as it stands');
      assert.ok(again.statements.length <= 3, `${again.statements.length} statements:\n${again.statements.join('\n')}`);
      const removed = await statementsOf(db, () => app.services.upvotes.set(user, paper.id, false));
      assert.deepEqual(removed.value, { paperId: paper.id, upvoted: false, upvotes: 0 });
      assert.ok(removed.statements.length <= 4, `${removed.statements.length} statements:\n${removed.statements.join('\n')}`);
      assert.deepEqual((await app.services.upvotes.set(user, paper.id, false)).upvotes, 0);
      assert.deepEqual(await upvotesOf(ctx, paper.id), { counter: 0, rows: 0 });
    } finally {
      await app.close();
    }
  });
});

async function upvotesOf(ctx: { store: TestApp['store'] }, id: string) {
  const p = (await ctx.store.papers.get(id))!;
  return { counter: p.upvotes, rows: await ctx.store.upvotes.countFor(id) };
}
