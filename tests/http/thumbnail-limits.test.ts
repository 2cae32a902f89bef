import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { makePaper } from '../helpers/papers.ts';
import { loadConfig } from '../../src/config.ts';
import { seedThumbnails } from '../helpers/thumbnails.ts';

/** What one feed page asks for at most: a thumbnail per card. */
const FEED_PAGE_THUMBS = 50;

test('the default thumbnail limit lets a reader load several feed pages a minute', () => {
  const { limit, windowSeconds } = loadConfig({}).rateThumbsIp;
  assert.ok(limit / FEED_PAGE_THUMBS >= 5 * (windowSeconds / 60), `${limit}/${windowSeconds}s`);
});

// `/thumbs/{hash}.webp` is limited per IP: a feed page's fifty images (and revalidations) pass, a
// client asking for more is told to wait, with Retry-After — as for every other limited request.
forEachStore('thumbnail images are rate limited per IP', (ctx) => {
  let server: RunningApp;
  let url: string;
  before(async () => {
    // A day's window: a fixed window that turned over mid-test would reset the count.
    server = await startApiServer(ctx.store, { RATE_LIMIT_THUMBS_IP: `${FEED_PAGE_THUMBS + 10}/86400` });
    const paper = makePaper({ title: 'A paper with a thumbnail' });
    await ctx.store.papers.upsertMany([paper]);
    const { card } = await seedThumbnails(ctx.store, paper.id);
    url = `${server.url}/thumbs/${card}.webp`;
  });
  after(() => server?.close());

  test("a feed page's thumbnails load; past the limit, 429 with Retry-After, for revalidations and unknown hashes too", async () => {
    const first = await Promise.all(Array.from({ length: FEED_PAGE_THUMBS }, () => fetch(url)));
    assert.deepEqual([...new Set(first.map((r) => r.status))], [200], 'every image of a feed page');
    await Promise.all(first.map((r) => r.arrayBuffer()));
    const etag = first[0].headers.get('etag')!;
    for (let i = 0; i < 10; i++) assert.equal((await fetch(url, { headers: { 'if-none-match': etag } })).status, 304);
    const over = await fetch(url);
    assert.equal(over.status, 429);
    const wait = Number(over.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 86400, `Retry-After ${wait}`);
    assert.equal((await over.json()).error.code, 'rate_limited');
    assert.equal((await fetch(url, { headers: { 'if-none-match': etag } })).status, 429, 'a revalidation counts too');
    assert.equal((await fetch(`${server.url}/thumbs/${'0'.repeat(32)}.webp`)).status, 429, 'probing hashes counts too');
  });
});
