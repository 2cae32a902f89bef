import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Hono } from 'hono';
import { startServer } from '../../src/http/server.ts';
import { compress } from '../../src/http/middleware/compress.ts';
import { silentLogger } from '../../src/logger.ts';
import { nextSlice, slicesWaiting } from '../../src/slices.ts';
import type { App } from '../../src/http/app.ts';
import type { AppEnv } from '../../src/http/env.ts';

/**
 * Issue 19, round 23: a feed request during start-up handed the loop back at least once — its
 * answer is gzipped on libuv's thread pool — and each time one slice of the loading (keyword index
 * scan, For-you file) ran inside it: 3–7 slices a request at 75k papers. The HTTP server now runs
 * each request inside `servingRequest`, and background slices wait while one is in flight.
 * Counted here between the request's arrival and its answer's end, as the server sees them
 * (diagnostics channels), over the real server and the site's compression.
 */
function appWithPage(): App {
  const app = new Hono<AppEnv>();
  app.use('*', compress());
  // A feed page's size (58 kB at 75k papers), built synchronously as on SQLite.
  app.get('/', (c) => c.html(`<!doctype html><main>${Array.from({ length: 600 }, (_, i) => `<article><h2>Paper ${i}</h2><p>${'words of an abstract '.repeat(4)}</p></article>`).join('')}</main>`));
  return app as unknown as App;
}

test('no background slice runs while a request is in flight, though the answer is compressed on the thread pool', async () => {
  const server = await startServer(appWithPage(), { host: '127.0.0.1', port: 0, logger: silentLogger });
  let ran = 0;
  let done = false;
  const loader = (async () => {
    while (!done) {
      await nextSlice();
      ran++;
    }
  })();
  const inside: number[] = [];
  let atStart = 0;
  let started = 0;
  const onStart = () => {
    started = performance.now();
    atStart = ran;
  };
  const onFinish = () => {
    // Requests shorter than the hold's limit (MAX_HOLD_MS) only: a longer one (a loaded machine) may let one through, by design.
    if (performance.now() - started < 15) inside.push(ran - atStart);
  };
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
  try {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.url}/`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(res.status, 200);
      assert.ok((await res.text()).includes('Paper 599'));
    }
  } finally {
    unsubscribe('http.server.request.start', onStart);
    unsubscribe('http.server.response.finish', onFinish);
    done = true;
    await loader;
    await server.close();
  }
  assert.ok(inside.length >= 5, `only ${inside.length} of 20 requests were answered within 15 ms`);
  assert.deepEqual(inside.filter((n) => n > 0), [], `background slices run inside requests: ${inside}`);
  // ...and between the requests the loading went on.
  assert.ok(ran >= 20, `${ran} slices in all`);
  assert.equal(slicesWaiting(), 0);
});
