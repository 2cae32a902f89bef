import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { forEachStore } from '../helpers/contract.ts';
import { loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { PageCache } from '../../src/http/page-cache.ts';
import type { Encoding } from '../../src/http/middleware/compress.ts';
import { pageCacheCompressions } from '../../src/metrics.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire (still encoded). */
  raw: Buffer;
}

/** One request with node's own client, which sends only the headers given (no Accept-Encoding unless asked). */
function request(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const unpack: Record<Encoding, (b: Buffer) => Buffer> = { gzip: zlib.gunzipSync, deflate: zlib.inflateSync };

/** The body as the client reads it: decoded by its `Content-Encoding`. */
function decoded(a: Answer): string {
  const enc = a.headers['content-encoding'] as Encoding | undefined;
  return (enc ? unpack[enc](a.raw) : a.raw).toString('utf8');
}

async function compressions(): Promise<Record<string, number>> {
  const out: Record<string, number> = { gzip: 0, deflate: 0 };
  for (const v of (await pageCacheCompressions.get()).values) out[String(v.labels.encoding)] = v.value;
  return out;
}

async function compressedSince(before: Record<string, number>): Promise<Record<string, number>> {
  const now = await compressions();
  return { gzip: now.gzip - before.gzip, deflate: now.deflate - before.deflate };
}

forEachStore('page cache: compressed copies over real HTTP', (ctx) => {
  let app: TestApp;
  const paper = makePaper({ id: '2508.05001', title: 'Compressed once, served many times', publishedAt: '2025-08-11' });
  const other = makePaper({ id: '2508.05002', title: 'A neighbour on the same day', publishedAt: '2025-08-11' });
  const day = '/papers/date/2025-08-11';

  before(async () => {
    await ctx.store.papers.upsertMany([paper, other]);
    await ctx.store.feed.addMany([
      { paperId: paper.id, day: '2025-08-11' },
      { paperId: other.id, day: '2025-08-11' },
    ]);
    app = await startTestApp(ctx.store, { PAGE_CACHE_SECONDS: '60' });
  });
  after(() => app?.close());

  test('gzip, deflate and identity answers of one cached page decode to the same bytes; each encoding is compressed once, the hits after it send the copy', async () => {
    const start = await compressions();
    const identity = await request(`${app.url}${day}`);
    assert.equal(identity.status, 200);
    assert.equal(identity.headers['x-page-cache'], 'miss');
    assert.equal(identity.headers['content-encoding'], undefined, 'a client that accepts no encoding gets the page as it is');
    assert.match(String(identity.headers.vary), /Accept-Encoding/);
    assert.equal(Number(identity.headers['content-length']), identity.raw.length);
    const text = identity.raw.toString('utf8');
    assert.ok(text.includes(paper.title) && identity.raw.length > 1024);
    assert.deepEqual(await compressedSince(start), { gzip: 0, deflate: 0 }, 'nothing compressed for identity');

    const gz = await request(`${app.url}${day}`, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['x-page-cache'], 'hit');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers.vary), /Accept-Encoding/);
    assert.equal(Number(gz.headers['content-length']), gz.raw.length);
    assert.ok(gz.raw.length < identity.raw.length / 2, `${gz.raw.length} bytes for ${identity.raw.length}`);
    assert.equal(decoded(gz), text);
    assert.deepEqual(await compressedSince(start), { gzip: 1, deflate: 0 });

    for (let i = 0; i < 3; i++) {
      const again = await request(`${app.url}${day}`, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(again.headers['x-page-cache'], 'hit');
      assert.equal(again.headers['content-encoding'], 'gzip');
      assert.deepEqual(again.raw, gz.raw, 'the same compressed bytes');
    }
    assert.deepEqual(await compressedSince(start), { gzip: 1, deflate: 0 }, 'later hits compress nothing');

    const df = await request(`${app.url}${day}`, { 'accept-encoding': 'deflate' });
    assert.equal(df.headers['content-encoding'], 'deflate');
    assert.equal(Number(df.headers['content-length']), df.raw.length);
    assert.equal(decoded(df), text);
    assert.equal((await request(`${app.url}${day}`, { 'accept-encoding': 'gzip;q=0.1, deflate' })).headers['content-encoding'], 'deflate');
    assert.deepEqual(await compressedSince(start), { gzip: 1, deflate: 1 }, 'deflate once as well');

    const plainAgain = await request(`${app.url}${day}`, { 'accept-encoding': 'br, gzip;q=0' });
    assert.equal(plainAgain.headers['content-encoding'], undefined);
    assert.deepEqual(plainAgain.raw, identity.raw, 'identity after the compressed copies: still the page itself');
    assert.equal(new Set([identity, gz, df, plainAgain].map((a) => a.headers.etag)).size, 1, 'one weak ETag for every encoding');
    assert.match(String(identity.headers.etag), /^W\//);
  });

  test('a 304 answers If-None-Match in every encoding; a HEAD carries the headers its GET would, without a body', async () => {
    const gz = await request(`${app.url}${day}`, { 'accept-encoding': 'gzip' });
    const plain = await request(`${app.url}${day}`);
    const etag = String(gz.headers.etag);
    for (const headers of [{ 'accept-encoding': 'gzip' }, {}, { 'accept-encoding': 'deflate' }] as Record<string, string>[]) {
      const res = await request(`${app.url}${day}`, { ...headers, 'if-none-match': etag });
      assert.equal(res.status, 304, JSON.stringify(headers));
      assert.equal(res.raw.length, 0);
      assert.equal(res.headers.etag, etag);
      assert.match(String(res.headers.vary), /Accept-Encoding/);
    }
    assert.equal((await request(`${app.url}${day}`, { 'accept-encoding': 'gzip', 'if-none-match': 'W/"other"' })).status, 200);

    const start = await compressions();
    const headGz = await request(`${app.url}${day}`, { 'accept-encoding': 'gzip' }, 'HEAD');
    assert.equal(headGz.status, 200);
    assert.equal(headGz.raw.length, 0);
    assert.equal(headGz.headers['content-encoding'], 'gzip');
    assert.equal(Number(headGz.headers['content-length']), gz.raw.length, "the gzip copy's length");
    const head = await request(`${app.url}${day}`, {}, 'HEAD');
    assert.equal(head.headers['content-encoding'], undefined);
    assert.equal(Number(head.headers['content-length']), plain.raw.length);
    assert.deepEqual(await compressedSince(start), { gzip: 0, deflate: 0 });
  });

  test("after a vote the page's new bytes go out in every encoding: the old compressed copies went with the old page", async () => {
    // The paper's similar papers ranked beforehand: a late ranking would make the page a stand-in
    // cached for a second only (tests/http/page-cache.test.ts), and a hit would depend on the machine.
    const search = app.services.search;
    const similar = search.similar;
    const ranked = await similar.call(search, paper.id, 5);
    search.similar = async () => ranked;
    try {
      const url = `${app.url}/papers/${paper.id}`;
      const oldPlain = await request(url);
      const oldGz = await request(url, { 'accept-encoding': 'gzip' });
      const oldDf = await request(url, { 'accept-encoding': 'deflate' });
      assert.equal(oldGz.headers['x-page-cache'], 'hit');
      assert.equal(decoded(oldGz), oldPlain.raw.toString('utf8'));
      const reader = await loggedIn(app, 'gzipvoter');
      assert.equal((await reader.post(`/api/papers/${paper.id}/upvote`)).status, 200);

      const start = await compressions();
      const newGz = await request(url, { 'accept-encoding': 'gzip' });
      assert.equal(newGz.headers['x-page-cache'], 'miss', 'the vote dropped the page');
      assert.equal(newGz.headers['content-encoding'], 'gzip');
      const newText = decoded(newGz);
      assert.notEqual(newText, oldPlain.raw.toString('utf8'), 'the new count, not the old copy');
      const newPlain = await request(url);
      assert.equal(newPlain.headers['x-page-cache'], 'hit');
      assert.equal(newPlain.raw.toString('utf8'), newText);
      const newDf = await request(url, { 'accept-encoding': 'deflate' });
      assert.equal(decoded(newDf), newText);
      assert.notDeepEqual(newDf.raw, oldDf.raw);
      assert.notEqual(newGz.headers.etag, oldGz.headers.etag);
      assert.equal((await request(url, { 'accept-encoding': 'gzip', 'if-none-match': String(oldGz.headers.etag) })).status, 200, "the old page's ETag no longer matches");
      assert.deepEqual(await compressedSince(start), { gzip: 1, deflate: 1 }, 'the new page compressed once per encoding');
    } finally {
      search.similar = similar;
    }
  });
});

describe('PageCache: compressed copies', () => {
  const page = (text: string) => ({ status: 200, headers: [['content-type', 'text/html']] as [string, string][], body: new TextEncoder().encode(text).buffer as ArrayBuffer, nonce: 'n' });
  /** A compression the test counts and may hold back: each call's bytes are `<enc>:` and the body. */
  function fakeCompress() {
    const calls: { encoding: Encoding; release: () => void }[] = [];
    let held = false;
    const compress = (body: Uint8Array, encoding: Encoding) =>
      new Promise<Uint8Array>((resolve) => {
        const out = Buffer.concat([Buffer.from(`${encoding}:`), Buffer.from(body)]);
        const release = () => resolve(out);
        calls.push({ encoding, release });
        if (!held) release();
      });
    return { calls, compress, hold: (h: boolean) => (held = h) };
  }

  test('a copy is made once per encoding, counted in the bytes, and evicts older pages past maxBytes', async () => {
    const fake = fakeCompress();
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 100, compress: fake.compress });
    cache.set('/a', page('a'.repeat(20)));
    cache.set('/b', page('b'.repeat(20)));
    assert.equal(cache.usedBytes, 40);
    const b = cache.get('/b')!;
    assert.equal(Buffer.from(await cache.encoded(b, 'gzip')).toString(), `gzip:${'b'.repeat(20)}`);
    assert.equal(Buffer.from(await cache.encoded(b, 'gzip')).toString(), `gzip:${'b'.repeat(20)}`);
    assert.equal(fake.calls.length, 1, 'the second ask reuses the copy');
    assert.equal(cache.usedBytes, 65, 'the copy counts');
    await cache.encoded(b, 'deflate');
    assert.equal(cache.usedBytes, 93);
    await cache.encoded(cache.get('/b')!, 'deflate');
    assert.equal(fake.calls.length, 2);
    // /a (20) plus /b with its copies (73) is 93; a third page of 20 must evict the least recently used.
    cache.set('/c', page('c'.repeat(20)));
    assert.equal(cache.get('/a'), null, 'evicted first');
    assert.ok(cache.get('/b'));
    assert.equal(cache.usedBytes, 93);
    cache.set('/d', page('d'.repeat(20)));
    assert.equal(cache.usedBytes, 93, '/c went: /b with its copies and /d fill it');
    cache.set('/e', page('e'.repeat(20)));
    assert.equal(cache.get('/b'), null, 'the least recently used now');
    assert.equal(cache.usedBytes, 40, "its copies' bytes went with it");
  });

  test('a write or a vote drops the copies with their page; a copy finished after its page went is neither counted nor served', async () => {
    let now = 1000;
    const fake = fakeCompress();
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20, minFreshMs: 0, now: () => now, compress: fake.compress });
    cache.set('/p', page('old'));
    await cache.encoded(cache.get('/p')!, 'gzip');
    now += 10;
    cache.changed();
    assert.equal(cache.get('/p'), null);
    assert.equal(cache.usedBytes, 0);
    now += 10;
    cache.set('/p', page('new'));
    assert.equal(Buffer.from(await cache.encoded(cache.get('/p')!, 'gzip')).toString(), 'gzip:new', 'compressed again from the new page');
    assert.equal(fake.calls.length, 2);

    // A compression still running when its page is replaced.
    fake.hold(true);
    const slow = cache.encoded(cache.get('/p')!, 'deflate');
    now += 10;
    cache.voted({ paperId: 'x', paperPath: '/p', days: [] });
    now += 10;
    cache.set('/p', page('newer'));
    fake.calls.at(-1)!.release();
    assert.equal(Buffer.from(await slow).toString(), 'deflate:new', 'its own request still gets the bytes it asked for');
    assert.equal(cache.usedBytes, 5, 'but they are not counted: their page is gone');
    const late = cache.encoded(cache.get('/p')!, 'deflate');
    fake.calls.at(-1)!.release();
    assert.equal(Buffer.from(await late).toString(), 'deflate:newer', 'the new page is compressed from its own bytes');
    assert.equal(cache.usedBytes, 5 + 13);
  });

  test('a failed compression is not kept: the next ask tries again', async () => {
    let fail = true;
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20, compress: async (body) => (fail ? Promise.reject(new Error('zlib')) : body) });
    cache.set('/p', page('p'));
    await assert.rejects(cache.encoded(cache.get('/p')!, 'gzip'));
    fail = false;
    assert.equal(Buffer.from(await cache.encoded(cache.get('/p')!, 'gzip')).toString(), 'p');
  });
});
