import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnCli } from '../helpers/cli.ts';
import { forEachStore } from '../helpers/contract.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { createServices } from '../../src/services/index.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadDemoIfEmpty, DEMO_DAY } from '../../src/services/demo.ts';
import { makePaper } from '../helpers/papers.ts';

// /metrics is off unless METRICS_TOKEN is set; the token is then sent as a bearer token.
const METRICS_TOKEN = 'server-test-metrics-token';
forEachStore('HTTP skeleton', (ctx) => {
  let server: RunningServer;
  let slowStarted: () => void;
  const slowStartedP = new Promise<void>((r) => (slowStarted = r));
  before(async () => {
    await loadDemoIfEmpty(ctx.store);
    await ctx.store.papers.upsertMany([makePaper({ id: 'hep-th/9901001', title: 'An <old> style paper' })]);
    const services = createServices({ config: loadConfig({ METRICS_TOKEN: METRICS_TOKEN }), logger: silentLogger, store: ctx.store });
    const app = createApp(services);
    app.get('/test/slow', async (c) => {
      slowStarted();
      await new Promise((r) => setTimeout(r, 300));
      return c.text('finished');
    });
    server = await startServer(app, { host: '127.0.0.1', port: 0, logger: silentLogger });
  });
  after(() => server.close());

  test('the home page lists the newest feed day with the demo papers', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Get trending papers in your email inbox!/);
    assert.match(html, /Kolmogorov-Arnold Attention: Is Learnable Attention Better For Vision Transformers\?/);
    assert.equal((await ctx.store.feed.items(DEMO_DAY, DEMO_DAY, { limit: 100 })).length, 69);
  });

  test('GET /api/papers/{id} returns the paper, old-style ids included', async () => {
    const res = await fetch(`${server.url}/api/papers/hep-th/9901001`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.id, 'hep-th/9901001');
    assert.equal(body.title, 'An <old> style paper');
    assert.deepEqual(body.authors, [{ name: 'Ada Lovelace' }, { name: 'Alan Turing' }]);
    const versioned = await fetch(`${server.url}/api/papers/hep-th/9901001v2`);
    assert.equal((await versioned.json()).id, 'hep-th/9901001');
  });

  test('unknown and malformed ids get JSON errors', async () => {
    const missing = await fetch(`${server.url}/api/papers/2401.99999`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: { code: 'not_found', message: 'paper 2401.99999 not found' } });
    const bad = await fetch(`${server.url}/api/papers/not-an-id`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'bad_paper_id');
    const noRoute = await fetch(`${server.url}/api/nothing-here`);
    assert.equal(noRoute.status, 404);
    assert.equal((await noRoute.json()).error.code, 'not_found');
  });

  test('/healthz answers and every response carries a request id', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    assert.match(res.headers.get('x-request-id') ?? '', /^[\w-]{8,}$/);
  });

  test('/readyz says the store is reachable and migrated', async () => {
    const res = await fetch(`${server.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready', checks: { store: 'ok', migrations: 'ok' } });
  });

  test('/metrics counts requests by route pattern and status', async () => {
    await fetch(`${server.url}/api/papers/2401.99998`);
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    assert.match(text, /paperboy_http_requests_total\{route="\/api\/papers\/:id\{[^"]*\}",method="GET",status="404"\} [1-9]/);
    assert.match(text, /paperboy_http_request_duration_seconds_bucket\{le="0.005",route="\/healthz",method="GET"\}/);
    assert.match(text, /paperboy_process_cpu_seconds_total/);
  });

  test('closing waits for an in-flight request to finish', async () => {
    const inflight = fetch(`${server.url}/test/slow`).then((r) => r.text());
    await slowStartedP;
    await server.close(5000);
    assert.equal(await inflight, 'finished');
  });
});

describe('paperboy serve', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-serve-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('serves the demo set on a new SQLite file and stops cleanly on SIGTERM', async () => {
    const db = path.join(dir, 'sub', 'paperboy.db');
    const child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--db', db], { LOG_LEVEL: 'info' });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        stderr += d;
        const m = /"url":"(http:[^"]+)"/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const html = await (await fetch(`${url}/`)).text();
    assert.match(html, /Daily Papers/);
    assert.match(html, /Kolmogorov-Arnold Attention/);
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.match(stderr, /"msg":"stopped"/);
    assert.ok(fs.existsSync(db));
  });
});

describe('/readyz when the store is gone', () => {
  test('answers 503 naming the store', async () => {
    const { createTestStore } = await import('../helpers/stores.ts');
    const opened = await createTestStore('sqlite');
    const app = createApp(createServices({ config: loadConfig({}), logger: silentLogger, store: opened.store }));
    await opened.connection.db.destroy();
    const res = await app.request('/readyz');
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.status, 'not_ready');
    assert.match(body.checks.store, /^unreachable: /);
    await opened.close().catch(() => {});
  });
});

describe('/readyz while serve loads the search index', () => {
  test('says "building" (503) until the keyword index is in memory, then ready', async () => {
    const { createTestStore } = await import('../helpers/stores.ts');
    const opened = await createTestStore('sqlite');
    await loadDemoIfEmpty(opened.store);
    const services = createServices({ config: loadConfig({ PAPERBOY_DB: opened.location! }), logger: silentLogger, store: opened.store });
    const app = createApp(services);
    assert.equal((await (await app.request('/readyz')).json()).checks.searchIndex, undefined, 'no index kept warm: not part of readiness');
    const stop = services.searchIndex.keepInStep(60_000);
    const first = await app.request('/readyz');
    const seen = [first.status];
    // Polled up to 30 s (not 100 × 50 ms: at load 20 building the demo's index can take longer).
    for (const end = Date.now() + 30_000; seen[seen.length - 1] !== 200 && Date.now() < end; ) {
      await new Promise((r) => setTimeout(r, 50));
      seen.push((await app.request('/readyz')).status);
    }
    // Awaited: the catch-up goes on after ready (embedding the demo papers, writing the ANN graph's
    // file from its own thread), and the store's directory is removed below.
    await stop();
    assert.equal(seen[seen.length - 1], 200);
    assert.deepEqual((await (await app.request('/readyz')).json()).checks, { store: 'ok', migrations: 'ok', searchIndex: 'ok' });
    await services.close();
    await opened.close();
  });
});
