import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

// Finding 14 of issue 15: no CSP, X-Content-Type-Options, frame policy or Referrer-Policy; /metrics public.
forEachStore('security headers', (ctx) => {
  let app: TestApp;
  let withMetrics: TestApp;
  const paper = makePaper();
  const TOKEN = 'metrics-token-0123456789';
  before(async () => {
    await ctx.store.papers.upsertMany([paper]);
    app = await startTestApp(ctx.store);
    withMetrics = await startTestApp(ctx.store, { METRICS_TOKEN: TOKEN });
  });
  after(async () => {
    await app.close();
    await withMetrics.close();
  });

  test('every page has a CSP whose nonce is fresh per response and is the only way an inline script runs', async () => {
    const anon = new Client(app.url);
    const nonces = new Set<string>();
    for (const path of ['/', `/papers/${paper.id}`, `/papers/${paper.id}/discussion`, '/search?q=x', '/login', '/signup', '/subscribe', '/docs/api', '/no/such/page']) {
      const r = await anon.get(path);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/, path);
      const csp = r.headers.get('content-security-policy') ?? '';
      for (const d of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]) assert.ok(csp.includes(d), `${path}: ${d} in ${csp}`);
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]{20,})'/.exec(csp)?.[1];
      assert.ok(nonce, `${path}: script-src with a nonce: ${csp}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, path);
      // Every inline script on the page carries this response's nonce.
      for (const m of r.text.matchAll(/<script(?![^>]*\ssrc=)([^>]*)>/g)) assert.ok(m[1].includes(`nonce="${nonce}"`), `${path}: inline <script${m[1]}>`);
      nonces.add(nonce);
    }
    assert.equal(nonces.size, 9, 'a new nonce for every response');
  });

  test('every response: nosniff, no framing, a same-origin referrer policy; non-pages run nothing', async () => {
    const alice = await loggedIn(app, 'alice');
    for (const [path, who] of [['/', null], ['/api/papers?limit=1', null], [`/api/papers/${paper.id}`, null], ['/feeds/daily.atom', null], ['/openapi.json', null], ['/healthz', null], ['/api/nothing', null], ['/settings', alice], [`/api/papers/%00`, null]] as const) {
      const r = await (who ?? new Client(app.url)).get(path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(r.headers.get('referrer-policy'), 'same-origin', path);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, path);
      if (!(r.headers.get('content-type') ?? '').startsWith('text/html')) assert.match(csp, /^default-src 'none'/, path);
    }
    // Errors raised before any route (a 413) carry them too.
    const big = await fetch(app.url + '/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x='.padEnd(200_000, 'x') });
    assert.equal(big.status, 413);
    assert.equal(big.headers.get('x-content-type-options'), 'nosniff');
  });

  test('/metrics is off by default, and with METRICS_TOKEN needs the token', async () => {
    assert.equal((await fetch(app.url + '/metrics')).status, 404);
    assert.equal((await fetch(app.url + '/metrics', { headers: { authorization: 'Bearer anything-at-all-1234' } })).status, 404);
    const none = await fetch(withMetrics.url + '/metrics');
    assert.equal(none.status, 401);
    assert.equal((await fetch(withMetrics.url + '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401);
    assert.equal((await fetch(withMetrics.url + '/metrics', { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}X` } })).status, 401);
    const ok = await fetch(withMetrics.url + '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /paperboy_http_requests_total/);
  });
});
