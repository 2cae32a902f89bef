import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { startServe, type ServeProcess } from '../helpers/serve-process.ts';

/**
 * Issue 19, round 23: the first feed request after `serve` opened its port was a page-cache miss
 * — a render, the process's first through HTTP (30–40 ms of CPU at 75k papers against 8–12 warm) —
 * though `serve` had rendered the home page before listening: its warm-up asked without an Accept
 * header and the cache keyed on the header's text, so `*` / `*` and every browser's string missed.
 * Now the warm-up's last render is the one readers are answered from: the first request for `/`,
 * from any client, is a page-cache hit (no render on the request thread).
 */
let store: TestStore | undefined;
let serve: ServeProcess | undefined;
after(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await store?.close();
});

test("serve's first answers of the home page come from the page cache its warm-up filled, for every client", async () => {
  store = await createTestStore('sqlite');
  // A time to live no slow start outlasts: what is tested is where the answer came from.
  serve = await startServe({ PAPERBOY_DB: store.location!, SEARCH_KEYWORD_ENGINE: 'memory', PAGE_CACHE_SECONDS: '3600' });
  const etags = new Set<string>();
  const clients: Record<string, string>[] = [{}, { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br' }, { accept: '*/*' }];
  for (const headers of clients) {
    const res: Response = await fetch(`${serve!.url}/`, { headers });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<html/i);
    assert.equal(res.headers.get('x-page-cache'), 'hit', `GET / with ${JSON.stringify(headers)}`);
    etags.add(res.headers.get('etag')!.replace(/^W\//, ''));
  }
  assert.equal(etags.size, 1, `one rendered page: ${[...etags]}`);
});
