import assert from 'node:assert/strict';
import { Session } from 'node:inspector/promises';
import { gunzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { createHttpServer, type RunningServer } from '../../src/http/server.ts';
import { warmUpPages } from '../../src/http/warm-up.ts';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { makePaper } from '../helpers/papers.ts';

/**
 * Issue 19, round 27: `serve` warms the home page before its port opens so that the first reader's
 * request runs no code for the first time (a function's first calls are interpreted, its first
 * objects meet cold inline caches: 30–40 ms of CPU for a cold render, round 23). The warm-up went
 * through `app.request`, but the HTTP server, once made, puts the Node adapter's own `Request` and
 * `Response` in the globals, and the adapter's request path and the answer's write were not warmed
 * at all: the first reader's request still ran them first. Told apart without a clock, by V8's
 * precise coverage (call counts per function): after `warmUpPages`, the first request of a real
 * client over TCP calls no function of the app, of Hono or of its Node adapter that had not run.
 */
let store: TestStore | undefined;
let server: RunningServer | undefined;
const session = new Session();
after(async () => {
  await server?.close(1000);
  await store?.close();
  session.disconnect();
});

type Coverage = { result: { url: string; functions: { functionName: string; ranges: { startOffset: number; count: number }[] }[] }[] };
/** Functions of this project, Hono and its Node adapter called since the last take (V8 resets the counts at each take). */
async function called(): Promise<Set<string>> {
  const { result } = (await session.post('Profiler.takePreciseCoverage')) as Coverage;
  const out = new Set<string>();
  for (const script of result) {
    if (!/\/src\/|\/node_modules\/hono\/|\/node_modules\/@hono\/node-server\//.test(script.url) || script.url.includes('/tests/')) continue;
    for (const f of script.functions) if (f.ranges[0]?.count > 0) out.add(`${f.functionName || '(anonymous)'} ${script.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${f.ranges[0].startOffset}`);
  }
  return out;
}

test("after serve's warm-up, a reader's first request for the home page runs no function for the first time", async () => {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
  store = await createTestStore('sqlite');
  const day = '2025-08-01';
  await store.store.papers.upsertMany(Array.from({ length: 12 }, (_, i) => makePaper({ id: `2508.${String(i).padStart(5, '0')}` })));
  await store.store.feed.addMany(Array.from({ length: 12 }, (_, i) => ({ paperId: `2508.${String(i).padStart(5, '0')}`, day })));
  const config = loadConfig({ PAPERBOY_DB: ':memory:', LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false', PAGE_CACHE_SECONDS: '3600' });
  const services = createServices({ config, logger: silentLogger, store: store.store });
  const http = createHttpServer(createApp(services), { host: '127.0.0.1', logger: silentLogger });
  // As `serve` does before listening.
  const warm = await warmUpPages(http);
  assert.equal(warm.status, 200);
  // What the warm-up's answers were: the page, compressed as asked.
  const answer = await http.request('/', { 'accept-encoding': 'gzip' });
  assert.equal(answer.headers['content-encoding'], 'gzip');
  assert.match(gunzipSync(answer.body).toString(), /<html/i);
  assert.equal(answer.headers['x-page-cache'], 'hit');
  server = await http.listen(0);
  const before = new Set(await called());
  // A browser's first request, over a real connection, as readers make it.
  const res = await fetch(`${server.url}/`, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-page-cache'), 'hit');
  assert.match(await res.text(), /<html/i);
  const during = await called();
  const first = [...during].filter((f) => !before.has(f));
  assert.ok(during.size > 20, `the request's own functions were counted (${during.size})`);
  assert.deepEqual(first, [], `functions the first reader's request ran for the first time (not warmed before the port opened): ${first.join(', ')}`);
});
