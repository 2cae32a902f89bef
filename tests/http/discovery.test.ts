import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { API_ROUTES } from '../../src/http/api-route.ts';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { ForYouSchema, FollowingSchema, FollowSchema, InterestSchema, NotInterestedSchema } from '../../src/http/schemas/discovery.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { forEachStore } from '../helpers/contract.ts';
import { RECENT_DAYS, makeUser, seedWorld, type World } from '../helpers/discovery-world.ts';

forEachStore('For you and following (HTTP)', (ctx) => {
  let server: RunningServer;
  let services: Services;
  let world: World;
  let token: string;
  let userId: number;
  before(async () => {
    world = await seedWorld(ctx.store);
    services = createServices({ config: loadConfig({}), logger: silentLogger, store: ctx.store });
    server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });
    const u = await makeUser(ctx.store);
    userId = u.id;
    token = (await services.accounts.createApiToken(u, 'test')).token;
  });
  after(() => server.close());

  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) },
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });

  test('GET /api/papers/for-you needs a reader: 401 without one, cold start for a new one', async () => {
    const anon = await fetch(`${server.url}/api/papers/for-you`);
    assert.equal(anon.status, 401);
    assert.equal((await anon.json()).error.code, 'login_required');
    const bad = await fetch(`${server.url}/api/papers/for-you`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    const res = await api('/api/papers/for-you');
    assert.equal(res.status, 200);
    const body = ForYouSchema.parse(await res.json());
    assert.equal(body.coldStart, true);
    assert.deepEqual(body.items, []);
    assert.equal((await api('/api/papers/for-you?limit=0')).status, 400);
    assert.equal((await api('/api/papers/for-you?limit=abc')).status, 400);
  });

  test('a reader with upvotes gets picks with reasons; "not interested" removes one; the routes are in OpenAPI', async () => {
    for (const id of world.old.galaxies.slice(0, 4)) {
      const r = await api(`/api/papers/${id}/upvote`, { method: "POST" });
      assert.equal(r.status, 200, await r.text());
    }
    const body = ForYouSchema.parse(await (await api('/api/papers/for-you?limit=5')).json());
    assert.equal(body.items.length, 5);
    for (const item of body.items) {
      assert.ok(world.recent.galaxies.includes(item.paper.id));
      assert.match(item.reason, /^like “.+”, which you upvoted$/);
      assert.ok(world.old.galaxies.includes(item.because.paperId));
    }
    const top = body.items[0].paper.id;
    const mark = await api(`/api/papers/${top}/not-interested`, { method: 'POST' });
    assert.equal(mark.status, 200);
    assert.deepEqual(NotInterestedSchema.parse(await mark.json()), { paperId: top, notInterested: true });
    const again = ForYouSchema.parse(await (await api('/api/papers/for-you?limit=20')).json());
    assert.ok(!again.items.some((i) => i.paper.id === top));
    assert.equal((await api(`/api/papers/${top}/not-interested`, { method: 'DELETE' })).status, 200);
    assert.equal((await api('/api/papers/2501.99999/not-interested', { method: 'POST' })).status, 404);
    assert.equal((await api('/api/papers/bad%20id/not-interested', { method: 'POST' })).status, 400);
    assert.equal((await fetch(`${server.url}/api/papers/${top}/not-interested`, { method: 'POST' })).status, 401, 'no session, no token: refused');
    for (const p of ['/api/papers/for-you', '/api/papers/{id}/not-interested', '/api/following', '/api/me/interests']) assert.ok(API_ROUTES.some((r) => r.path === p), p);
  });

  test('interests through the API: add, list, bad input is a clear 400, remove', async () => {
    const created = await api('/api/me/interests', { method: 'POST', json: { kind: 'category', value: 'cs.RO' } });
    assert.equal(created.status, 201);
    const interest = InterestSchema.parse(await created.json());
    const bad = await api('/api/me/interests', { method: 'POST', json: { kind: 'category', value: 'robots!' } });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'invalid_interest');
    assert.equal((await api('/api/me/interests', { method: 'POST', json: { kind: 'mood', value: 'x' } })).status, 400);
    assert.equal((await api('/api/me/interests', { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } })).status, 400);
    const list = await (await api('/api/me/interests')).json();
    assert.deepEqual(list.items.map((i: { value: string }) => i.value), ['cs.RO']);
    assert.equal((await api(`/api/me/interests/${interest.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await api(`/api/me/interests/${interest.id}`, { method: 'DELETE' })).status, 404);
    assert.equal((await api('/api/me/interests/abc', { method: 'DELETE' })).status, 400);
  });

  test('following through the API: follow a saved search and an author, list new papers with what matched', async () => {
    const f = await api('/api/following', { method: 'POST', json: { kind: 'author', value: world.followedAuthor } });
    assert.equal(f.status, 201);
    const follow = FollowSchema.parse(await f.json());
    assert.equal((await api('/api/following', { method: 'POST', json: { kind: 'search', value: 'galaxy lensing' } })).status, 201);
    const res = await api(`/api/following?since=${RECENT_DAYS[0]}`);
    assert.equal(res.status, 200);
    const body = FollowingSchema.parse(await res.json());
    assert.equal(body.since, RECENT_DAYS[0]);
    assert.equal(body.follows.length, 2);
    assert.equal(body.items.filter((i) => i.matched.some((m) => m.id === follow.id)).length, 2);
    assert.equal(body.items.filter((i) => i.matched.some((m) => m.kind === 'search')).length, world.recent.galaxies.length);
    assert.equal((await api('/api/following?since=yesterday')).status, 400);
    const dflt = FollowingSchema.parse(await (await api('/api/following')).json());
    assert.equal(dflt.since, '2025-07-04', 'a week ending on the newest feed day');
    assert.equal((await api(`/api/following/${follow.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await fetch(`${server.url}/api/following`)).status, 401);
  });

  test('the pages: For you with reasons and forms that work without JavaScript; Following; CSRF enforced', async () => {
    const { sessionToken, session } = await services.accounts.openSession(userId);
    const cookie = `${SESSION_COOKIE}=${sessionToken}`;
    const anon = await fetch(`${server.url}/papers/for-you`, { redirect: 'manual' });
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get('location') ?? '', /^\/login\?next=/);

    const page = await fetch(`${server.url}/papers/for-you`, { headers: { cookie } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<h1>For you<\/h1>/);
    assert.match(html, /Why: like “.+”, which you upvoted/);
    assert.match(html, /action="\/papers\/for-you\/not-interested"/);
    assert.match(html, /name="_csrf" value="[^"]+"/);
    const first = /name="paperId" value="([^"]+)"/.exec(html)![1];

    const post = (path: string, fields: Record<string, string>, withCsrf = true) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, ...(withCsrf ? { _csrf: session.csrfToken } : {}) }).toString(),
      });
    assert.equal((await post('/papers/for-you/not-interested', { paperId: first }, false)).status, 403);
    const marked = await post('/papers/for-you/not-interested', { paperId: first });
    assert.equal(marked.status, 303);
    assert.equal(marked.headers.get('location'), '/papers/for-you');
    assert.ok(!(await (await fetch(`${server.url}/papers/for-you`, { headers: { cookie } })).text()).includes(`value="${first}"`));

    const added = await post('/papers/for-you/interests', { category: 'cs.RO', author: '', paper: '' });
    assert.equal(added.status, 303);
    assert.match(await (await fetch(`${server.url}/papers/for-you`, { headers: { cookie } })).text(), /category: cs\.RO/);
    const refused = await post('/papers/for-you/interests', { category: 'not a category' });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /is not an arXiv category/);

    assert.equal((await post('/following', { kind: 'search', value: '<script>robot</script> policy' })).status, 303);
    const following = await (await fetch(`${server.url}/following?since=${RECENT_DAYS[0]}`, { headers: { cookie } })).text();
    assert.match(following, /Saved search: &lt;script&gt;robot&lt;\/script&gt; policy/);
    assert.ok(!following.includes('<script>robot'));
    assert.match(following, /New since 2025-07-01/);
    assert.equal((await post('/following', { kind: 'nonsense', value: 'x' })).status, 400);
  });
});
