import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { seedApiFixtures } from '../helpers/api-fixtures.ts';
import { apiAuthorizations } from '../helpers/api-tokens.ts';

forEachStore('API limits and access', (ctx) => {
  let server: RunningApp;
  before(async () => {
    await seedApiFixtures(ctx.store);
    // A long window, so the counts below never straddle two windows.
    server = await startApiServer(ctx.store, { API_RATE_LIMIT_IP: '4', API_RATE_LIMIT_TOKEN: '6', API_RATE_WINDOW_SECONDS: '3600', API_MAX_BODY_BYTES: '1024' });
  });
  after(() => server.close());
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  test('an IP over its limit gets 429 with Retry-After and the error shape, on the API and the feeds', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(i % 2 ? '/feeds/daily.rss' : '/api/daily_papers?limit=1')).status);
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    const limited = await get('/api/papers');
    assert.equal(limited.status, 429);
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 3600, `Retry-After ${retry}`);
    assert.equal(limited.headers.get('access-control-allow-origin'), '*', 'a browser client can read the 429');
    assert.equal(((await limited.json()) as any).error.code, 'rate_limited');
    assert.equal((await get('/feeds/trending.atom')).status, 429);
  });

  test('a token has its own budget, counted by token; inventing tokens does not escape it', async () => {
    // The IP's anonymous budget is spent (previous test); a token request still gets through.
    const [one, two] = await apiAuthorizations(server, 2);
    const token = { Authorization: one };
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await get('/api/daily_papers?limit=1', token)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429]);
    // Another token from the same IP shares the IP's token budget, which is spent too: so does a
    // made-up one (the limits run before any token check, so guessing tokens is limited as well).
    const other = await get('/api/daily_papers?limit=1', { Authorization: two });
    assert.equal(other.status, 429);
    assert.ok(Number(other.headers.get('retry-after')) >= 1);
    assert.equal((await get('/api/daily_papers?limit=1', { Authorization: 'Bearer guessed-token' })).status, 429);
  });

  test('CORS: reads are open to any origin; the preflight allows reads only', async () => {
    const pre = await fetch(`${server.url}/api/daily_papers`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization, if-none-match' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-methods')!, /^GET, HEAD, OPTIONS$/);
    assert.match(pre.headers.get('access-control-allow-headers')!, /Authorization/);
    assert.match(pre.headers.get('access-control-allow-headers')!, /If-None-Match/);
    assert.equal(pre.headers.get('access-control-allow-credentials'), null);
    const feedPre = await fetch(`${server.url}/feeds/daily.atom`, { method: 'OPTIONS', headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' } });
    assert.equal(feedPre.status, 204);
    // Rate limited by now, but even the 429 carries the headers that let a browser read it.
    const res = await get('/openapi.json', { Origin: 'https://example.org' });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-expose-headers')!, /ETag/);
    assert.match(res.headers.get('access-control-expose-headers')!, /Retry-After/);
  });

  test('a request body over the limit is refused with 413 and the error shape', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(2000) });
    // With a Content-Length, and streamed (chunked, no length): both are cut off.
    for (const streamed of [false, true]) {
      const body = streamed ? new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) }) : big;
      const res = await fetch(`${server.url}/api/daily_papers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      assert.equal(res.status, 413);
      const json = (await res.json()) as any;
      assert.equal(json.error.code, 'payload_too_large');
    }
  });
});
