import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { PageCache } from '../../src/http/page-cache.ts';
import { dayDep, paperDep, periodDeps, VOTES_DEP } from '../../src/http/page-deps.ts';
import { pageCache } from '../../src/http/middleware/page-cache.ts';
import { securityHeaders } from '../../src/http/middleware/security-headers.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { sitePaths } from '../../src/domain/site-paths.ts';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const page = (text: string) => ({ status: 200, headers: [['content-type', 'text/html']] as [string, string][], body: new TextEncoder().encode(text).buffer as ArrayBuffer, nonce: 'n' });

describe('PageCache', () => {
  test('serves an answer until its time to live ends', () => {
    let now = 1000;
    const cache = new PageCache({ ttlMs: 5000, maxBytes: 1 << 20, now: () => now });
    cache.set('/a', page('A'));
    now += 4999;
    assert.ok(cache.get('/a'));
    now += 1;
    assert.equal(cache.get('/a'), null, 'expired');
    assert.equal(cache.size, 0, 'and dropped');
  });

  test('a write makes every older answer stale, including one whose rendering began before it', () => {
    let now = 1000;
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20, minFreshMs: 0, now: () => now });
    cache.set('/old', page('old'));
    now += 10;
    const renderStart = now;
    now += 5;
    cache.changed();
    now += 5;
    cache.set('/racing', page('read before the write'), renderStart);
    now += 1;
    cache.set('/after', page('after'));
    assert.equal(cache.get('/old'), null);
    assert.equal(cache.get('/racing'), null, 'its data was read before the write');
    assert.ok(cache.get('/after'));
  });

  test("a vote drops the voted paper's own pages at once, and only those", () => {
    let now = 1000;
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20, now: () => now });
    for (const p of ['/papers/hep-th/9901001', '/papers/hep-th/9901001/discussion', '/papers/hep-th/9901001.md', '/papers/hep-th/99010012', '/papers/date/2025-08-01']) cache.set(`${p}\ntext/html`, page(p));
    now += 10;
    cache.voted({ paperId: 'hep-th/9901001', paperPath: '/papers/hep-th/9901001', days: ['2025-08-01'] });
    assert.equal(cache.get('/papers/hep-th/9901001\ntext/html'), null);
    assert.equal(cache.get('/papers/hep-th/9901001/discussion\ntext/html'), null);
    assert.equal(cache.get('/papers/hep-th/9901001.md\ntext/html'), null);
    assert.ok(cache.get('/papers/hep-th/99010012\ntext/html'), 'another paper whose id starts the same');
    assert.ok(cache.get('/papers/date/2025-08-01\ntext/html'), 'lists wait for minFreshMs');
  });

  test('minFreshMs coalesces a burst of votes, not other writes', () => {
    let now = 1000;
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20, minFreshMs: 1000, now: () => now });
    cache.set('/p', page('P'));
    cache.set('/q', page('Q'));
    now += 100;
    cache.voted({ paperId: 'x', paperPath: '/papers/x', days: [] });
    assert.ok(cache.get('/p'), 'younger than minFreshMs: still served after a vote');
    now += 900;
    assert.equal(cache.get('/p'), null);
    cache.set('/r', page('R'));
    now += 10;
    cache.changed();
    assert.equal(cache.get('/r'), null, 'any other write shows at once');
  });

  test('a vote makes stale only the answers that depend on it: the paper, its feed day, rankings by votes, and pages that declare nothing', () => {
    let now = 1000;
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20, minFreshMs: 1000, now: () => now });
    const kept = {
      '/papers/date/2025-08-02': [dayDep('2025-08-02')],
      '/papers/week/2025-W30': periodDeps({ from: '2025-07-21', to: '2025-07-27' }),
      '/api/papers/search?q=other': [paperDep('2508.00002')],
      '/papers/2508.00002': [paperDep('2508.00002')],
    };
    const stale = {
      '/papers/date/2025-08-01': [dayDep('2025-08-01')],
      '/papers/week/2025-W31': periodDeps({ from: '2025-07-28', to: '2025-08-03' }),
      '/api/papers/search?q=voted': [paperDep('2508.00002'), paperDep('2508.00001')],
      '/papers/trending': [VOTES_DEP],
      '/authors/someone': undefined,
    };
    for (const [k, deps] of Object.entries({ ...kept, ...stale })) cache.set(k, { ...page(k), deps });
    now += 5;
    cache.voted({ paperId: '2508.00001', paperPath: '/papers/2508.00001', days: ['2025-08-01'] });
    now += 1000;
    for (const k of Object.keys(kept)) assert.ok(cache.get(k), `${k} does not depend on the vote: still served`);
    for (const k of Object.keys(stale)) assert.equal(cache.get(k), null, `${k} depends on the vote`);
  });

  test('an answer whose rendering began before a vote it depends on is stale; one begun after is not', () => {
    let now = 1000;
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20, minFreshMs: 0, now: () => now });
    const deps = [dayDep('2025-08-01')];
    const began = now;
    now += 5;
    cache.voted({ paperId: 'a', paperPath: '/papers/a', days: ['2025-08-01'] });
    now += 5;
    cache.set('/racing', { ...page('read before the vote'), deps }, began);
    cache.set('/after', { ...page('after'), deps });
    now += 1;
    assert.equal(cache.get('/racing'), null);
    assert.ok(cache.get('/after'));
  });

  test('keeps within its bytes, least recently used out first, and never keeps a page too big for it', () => {
    const cache = new PageCache({ ttlMs: 60_000, maxBytes: 40 });
    cache.set('/1', page('x'.repeat(10)));
    cache.set('/2', page('x'.repeat(10)));
    cache.set('/3', page('x'.repeat(10)));
    assert.ok(cache.get('/1'), 'used: now the most recent');
    cache.set('/4', page('x'.repeat(10)));
    cache.set('/5', page('x'.repeat(10)));
    assert.equal(cache.get('/2'), null, 'least recently used went first');
    assert.ok(cache.get('/1'));
    assert.equal(cache.set('/big', page('x'.repeat(11))), null, 'over a quarter of the budget');
  });
});

describe('page cache middleware', () => {
  let renders = 0;
  const app = new Hono<AppEnv>();
  app.use('*', securityHeaders());
  app.use('*', pageCache(new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20 })));
  app.get('/papers/plain', (c) => c.html(`<p>render ${++renders}</p>`));
  app.get('/papers/cookie', (c) => {
    c.header('Set-Cookie', 'x=1');
    return c.html(`<p>render ${++renders}</p>`);
  });
  app.get('/papers/missing', (c) => c.html(`<p>render ${++renders}</p>`, 404));
  app.get('/search', (c) => c.html(`<p>render ${++renders}</p>`));
  app.post('/papers/plain/comments', (c) => c.text('ok'));
  app.post('/papers/plain/refused', (c) => c.text('no', 403));

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await app.request(path, { headers });
    return { status: res.status, text: await res.text(), cache: res.headers.get('x-page-cache'), etag: res.headers.get('etag') };
  };

  test('answers nothing from cache that set a cookie, is not a 200, or lies outside the cached pages', async () => {
    for (const path of ['/papers/cookie', '/papers/missing', '/search']) {
      const a = await get(path);
      const b = await get(path);
      assert.notEqual(a.text, b.text, `${path} rendered each time`);
    }
  });

  test('a request with a cookie or credentials bypasses it', async () => {
    const first = await get('/papers/plain');
    assert.equal(first.cache, 'miss');
    assert.equal((await get('/papers/plain')).text, first.text);
    assert.notEqual((await get('/papers/plain', { cookie: 'pb_session=abc' })).text, first.text);
    assert.notEqual((await get('/papers/plain', { authorization: 'Bearer t' })).text, first.text);
  });

  test('a successful write makes it render again; a refused one does not', async () => {
    const before = await get('/papers/plain');
    await app.request('/papers/plain/refused', { method: 'POST' });
    assert.equal((await get('/papers/plain')).text, before.text);
    await app.request('/papers/plain/comments', { method: 'POST' });
    const afterWrite = await get('/papers/plain');
    assert.equal(afterWrite.cache, 'miss');
    assert.notEqual(afterWrite.text, before.text);
  });
});

forEachStore('anonymous page cache on the real app', (ctx) => {
  let app: TestApp;
  const paper = makePaper({ id: '2508.01234', title: 'Caching feeds for anonymous readers', publishedAt: '2025-08-01' });
  // Two papers on two days of their own, each with a word only it has: one is voted on, the other not.
  const voted = makePaper({ id: '2508.02001', title: 'Quasicrystal tilings under votes', publishedAt: '2025-08-05' });
  const untouched = makePaper({ id: '2508.02002', title: 'Zeppelin aerodynamics left alone', publishedAt: '2025-08-06' });
  // A day for the two-server test.
  const shared = makePaper({ id: '2508.03001', title: 'Gossip between two servers', publishedAt: '2025-08-07' });

  before(async () => {
    await ctx.store.papers.upsertMany([paper, voted, untouched, shared]);
    await ctx.store.feed.addMany([
      { paperId: paper.id, day: '2025-08-01' },
      { paperId: voted.id, day: '2025-08-05' },
      { paperId: untouched.id, day: '2025-08-06' },
      { paperId: shared.id, day: '2025-08-07' },
    ]);
    // Long enough that a loaded machine's slow first render is still fresh for the second read.
    app = await startTestApp(ctx.store, { PAGE_CACHE_SECONDS: '60' });
  });
  after(() => app?.close());

  test('the second anonymous read is a hit, with the CSP nonce its body carries, and revalidates to a 304', async () => {
    // The paper's similar papers ranked beforehand: a first ranking slower than the page waits for
    // it (a loaded machine) would make the page a stand-in, cached for a second only, and the second
    // read's hit would depend on the machine's speed (the late case has a test of its own below).
    const restore = await similarPapersReady(paper.id);
    try {
      await secondReadIsAHit();
    } finally {
      restore();
    }
  });

  /** Ranks `id`'s similar papers now and answers the page's look-up with them; returns the undo. */
  async function similarPapersReady(id: string): Promise<() => void> {
    const search = app.services.search;
    const similar = search.similar;
    const ranked = await similar.call(search, id, 5);
    search.similar = async () => ranked;
    return () => {
      search.similar = similar;
    };
  }

  async function secondReadIsAHit(): Promise<void> {
    const first = await fetch(`${app.url}/papers/${paper.id}`);
    const firstBody = await first.text();
    assert.equal(first.headers.get('x-page-cache'), 'miss');
    const second = await fetch(`${app.url}/papers/${paper.id}`);
    const body = await second.text();
    assert.equal(second.headers.get('x-page-cache'), 'hit');
    assert.equal(body, firstBody);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(second.headers.get('content-security-policy') ?? '')?.[1];
    assert.ok(nonce && body.includes(`nonce="${nonce}"`), 'the policy names the nonce the cached page carries');
    const etag = second.headers.get('etag');
    assert.ok(etag);
    const revalidated = await fetch(`${app.url}/papers/${paper.id}`, { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(await revalidated.text(), '');
  }

  test("a reader's vote is on the paper's next anonymous page at once, on lists within a second, and a reader's own page is never cached", async () => {
    const list = await (await fetch(`${app.url}/papers/date/2025-08-01`)).text();
    const before = await (await fetch(`${app.url}/papers/${paper.id}`)).text();
    const reader = await loggedIn(app, 'cachereader');
    const own = await reader.get(`/papers/${paper.id}`);
    assert.ok(own.text.includes('cachereader'), 'the reader sees their own header');
    assert.equal((await reader.post(`/api/papers/${paper.id}/upvote`)).status, 200);
    const anon = await fetch(`${app.url}/papers/${paper.id}`);
    const text = await anon.text();
    assert.equal(anon.headers.get('x-page-cache'), 'miss', 'the vote made the cached page stale');
    assert.notEqual(text, before);
    assert.ok(!text.includes('cachereader'), "nobody else's page shows the reader");
    assert.equal((await ctx.store.papers.get(paper.id))?.upvotes, 1);
    const listSoon = await fetch(`${app.url}/papers/date/2025-08-01`);
    const listNow = await listSoon.text();
    if (listSoon.headers.get('x-page-cache') === 'hit') assert.equal(listNow, list, 'a list younger than a second may still be served');
    await new Promise((r) => setTimeout(r, 1000));
    // Rendered again after the vote (here or by the read above, if that came a second after the first).
    const listLater = await fetch(`${app.url}/papers/date/2025-08-01`);
    assert.notEqual(await listLater.text(), list, 'after a second the vote is on the list');
  });

  test('the search API: a repeated anonymous query is a hit with its own rate-limit counts and the API\'s Cache-Control; a vote shows within a second, a client with credentials is never served from the cache', async () => {
    const url = `${app.url}/api/papers/search?q=caching+anonymous`;
    const first = await fetch(url);
    const firstBody = (await first.json()) as { id: string; upvotes: number }[];
    assert.equal(first.headers.get('x-page-cache'), 'miss');
    assert.equal(firstBody[0]?.id, paper.id);
    const second = await fetch(url);
    assert.equal(second.headers.get('x-page-cache'), 'hit');
    assert.deepEqual(await second.json(), firstBody);
    assert.match(second.headers.get('cache-control') ?? '', /^public, max-age=\d+$/, "the API's own Cache-Control, not the pages' no-cache");
    const remaining = [first, second].map((r) => r.headers.get('ratelimit-remaining'));
    assert.ok(remaining[0] !== null && remaining[1] !== null, 'both answers carry their count');
    assert.equal(Number(remaining[1]), Number(remaining[0]) - 1, "each answer carries its own request's count");
    const revalidated = await fetch(url, { headers: { 'if-none-match': second.headers.get('etag')! } });
    assert.equal(revalidated.status, 304);
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer nope' } })).headers.get('x-page-cache'), null, 'credentials bypass the cache');

    const reader = await loggedIn(app, 'searchvoter');
    const votes = firstBody[0].upvotes;
    assert.equal((await reader.post(`/api/papers/${paper.id}/upvote`)).status, 200);
    await new Promise((r) => setTimeout(r, 1000));
    const later = await fetch(url);
    assert.equal(later.headers.get('x-page-cache'), 'miss', 'a vote makes cached results stale within a second');
    assert.notEqual(((await later.json()) as { upvotes: number }[])[0].upvotes, votes);
  });

  test('a vote on one paper leaves cached pages and searches without it served from the cache, and refreshes those with it', async () => {
    const urls = {
      votedDay: `${app.url}/papers/date/2025-08-05`,
      otherDay: `${app.url}/papers/date/2025-08-06`,
      votedSearch: `${app.url}/api/papers/search?q=quasicrystal`,
      otherSearch: `${app.url}/api/papers/search?q=zeppelin`,
    };
    const first: Record<string, string> = {};
    for (const [k, u] of Object.entries(urls)) {
      first[k] = await (await fetch(u)).text();
      assert.equal((await fetch(u)).headers.get('x-page-cache'), 'hit', `${k} is cached`);
    }
    assert.ok(first.votedSearch.includes(voted.id) && !first.otherSearch.includes(voted.id), 'each search finds its own paper');
    const reader = await loggedIn(app, 'precisevoter');
    assert.equal((await reader.post(`/api/papers/${voted.id}/upvote`)).status, 200);
    // Lists may be a second old after a vote (minFreshMs); past that only what depends on it is rendered again.
    await new Promise((r) => setTimeout(r, 1050));
    for (const k of ['otherDay', 'otherSearch'] as const) {
      const res = await fetch(urls[k]);
      assert.equal(res.headers.get('x-page-cache'), 'hit', `${k} does not hold the voted paper: still from the cache`);
      assert.equal(await res.text(), first[k]);
    }
    for (const k of ['votedDay', 'votedSearch'] as const) {
      const res = await fetch(urls[k]);
      assert.equal(res.headers.get('x-page-cache'), 'miss', `${k} holds the voted paper: rendered again`);
      assert.notEqual(await res.text(), first[k], `${k} shows the new count`);
    }
    // A vote that changes nothing (taking back a vote never given) makes nothing stale.
    const before = await (await fetch(urls.votedDay)).text();
    await new Promise((r) => setTimeout(r, 1050));
    assert.equal((await reader.delete(`/api/papers/${untouched.id}/upvote`)).status, 200);
    await new Promise((r) => setTimeout(r, 1050));
    const still = await fetch(urls.otherDay);
    assert.equal(still.headers.get('x-page-cache'), 'hit');
    assert.equal((await fetch(urls.votedDay)).headers.get('x-page-cache'), 'hit');
    assert.equal(before, await (await fetch(urls.votedDay)).text());
  });

  test('two servers on one store: a vote through one is on its voter\'s pages on the other at once, and on its anonymous pages within PAGE_CACHE_SECONDS', async () => {
    const other = await startTestApp(ctx.store, { PAGE_CACHE_SECONDS: '1' });
    try {
      const day = '/papers/date/2025-08-07';
      const started = Date.now();
      const cached = await (await fetch(`${other.url}${day}`)).text();
      assert.equal((await fetch(`${other.url}${day}`)).headers.get('x-page-cache'), 'hit');
      const reader = await loggedIn(app, 'twoservers');
      const vote = await reader.post(`/api/papers/${shared.id}/upvote`);
      assert.equal(vote.status, 200);
      // The voter, on the other server: a session is never served from the cache.
      const there = new Client(other.url);
      for (const [k, v] of reader.cookies) there.cookies.set(k, v);
      const own = await there.get(day);
      assert.match(own.text, new RegExp(`formaction="${escapeRegExp(sitePaths.forms.paperUpvote(shared.id))}"[^>]*aria-pressed="true"`), 'the voter sees their vote on the other server at once');
      const soon = await fetch(`${other.url}${day}`);
      if (Date.now() - started < 900) assert.equal(await soon.text(), cached, 'the other server learns of it only by the time to live');
      await new Promise((r) => setTimeout(r, 1100));
      const later = await fetch(`${other.url}${day}`);
      assert.equal(later.headers.get('x-page-cache'), 'miss');
      assert.match(await later.text(), new RegExp(`>${vote.json.upvotes}<span class="vh"> upvotes?[,<]`), 'everyone sees it within PAGE_CACHE_SECONDS');
    } finally {
      await other.close();
    }
  });

  test('a change made by another process shows within PAGE_CACHE_SECONDS', async () => {
    const short = await startTestApp(ctx.store, { PAGE_CACHE_SECONDS: '1' });
    try {
      const started = Date.now();
      await fetch(`${short.url}/papers/date/2025-08-01`);
      await ctx.store.papers.upsertMany([{ ...paper, title: 'Caching feeds for anonymous readers, revised' }]);
      const soon = await fetch(`${short.url}/papers/date/2025-08-01`);
      const soonText = await soon.text();
      if (Date.now() - started < 900) {
        assert.equal(soon.headers.get('x-page-cache'), 'hit');
        assert.ok(!soonText.includes('revised'), 'still the cached page within its time to live');
      }
      await new Promise((r) => setTimeout(r, 1100));
      const later = await (await fetch(`${short.url}/papers/date/2025-08-01`)).text();
      assert.ok(later.includes('revised'));
    } finally {
      await short.close();
    }
  });

  test('a paper page whose similar papers were late shows same-day papers, aborts the late ranking, and is cached only briefly, not as the paper\'s page', async () => {
    const late = makePaper({ id: '2508.04001', title: 'Slow neighbours of a paper', publishedAt: '2025-08-09', primaryCategory: 'cs.LG', categories: ['cs.LG'] });
    const sameDay = makePaper({ id: '2508.04002', title: 'Another paper of the day', publishedAt: '2025-08-09', primaryCategory: 'cs.LG', categories: ['cs.LG'] });
    await ctx.store.papers.upsertMany([late, sameDay]);
    await ctx.store.feed.addMany([{ paperId: late.id, day: '2025-08-09' }, { paperId: sameDay.id, day: '2025-08-09' }]);
    const search = app.services.search;
    const similar = search.similar;
    const signals: AbortSignal[] = [];
    // A ranking slower than the page waits (a loaded store): it ends only when aborted, or after 5 s.
    search.similar = (_id, _n, opts = {}) => {
      signals.push(opts.signal!);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve([]), 5000);
        opts.signal?.addEventListener('abort', () => (clearTimeout(t), reject(opts.signal!.reason)));
      });
    };
    try {
      const first = await fetch(`${app.url}/papers/${late.id}`);
      const started = Date.now();
      assert.equal(first.headers.get('x-page-cache'), 'miss');
      assert.ok((await first.text()).includes(sameDay.title), 'the same day\'s paper stands in');
      assert.equal(signals.length, 1);
      assert.equal(signals[0].aborted, true, 'the late ranking was told to stop');
      const again = await fetch(`${app.url}/papers/${late.id}`);
      await again.text();
      if (Date.now() - started < 500) assert.equal(again.headers.get('x-page-cache'), 'hit', 'a burst of readers gets the stand-in page from the cache');
      await new Promise((r) => setTimeout(r, 1100));
      // The real ranking, done beforehand: here it must come in time, whatever the machine's load.
      const ranked = await similar.call(search, late.id, 5);
      search.similar = async () => ranked;
      const later = await fetch(`${app.url}/papers/${late.id}`);
      await later.text();
      assert.equal(later.headers.get('x-page-cache'), 'miss', 'rendered again within a second, not kept for PAGE_CACHE_SECONDS (60 s here)');
      // Once the similar papers come in time, the page is cached as usual.
      await new Promise((r) => setTimeout(r, 1100));
      const kept = await fetch(`${app.url}/papers/${late.id}`);
      await kept.text();
      assert.equal(kept.headers.get('x-page-cache'), 'hit', 'a complete page is kept for PAGE_CACHE_SECONDS');
    } finally {
      search.similar = similar;
    }
  });
});

test("the cache's key is the page and its Markdown-or-not variant, not the client's Accept string: one render for every client", async () => {
  let renders = 0;
  const app = new Hono<AppEnv>();
  app.use('*', securityHeaders());
  app.use('*', pageCache(new PageCache({ ttlMs: 60_000, maxBytes: 1 << 20 })));
  app.get('/papers/page', (c) => c.html(`<p>render ${++renders}</p>`));
  const get = async (accept?: string) => {
    const res = await app.request('/papers/page', { headers: accept === undefined ? {} : { accept } });
    return { text: await res.text(), cache: res.headers.get('x-page-cache') };
  };
  // What serve's warm-up asks (no Accept), then curl and fetch, a browser, a feed reader.
  const first = await get();
  assert.equal(first.cache, 'miss');
  for (const accept of ['*/*', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', 'text/html', 'application/xhtml+xml, text/html;q=0.9']) {
    const again = await get(accept);
    assert.deepEqual(again, { text: first.text, cache: 'hit' }, `Accept: ${accept}`);
  }
  assert.equal(renders, 1);
  // Markdown first is another answer (the paper route's for agents): a key of its own.
  assert.equal((await get('text/markdown, text/html;q=0.5')).cache, 'miss');
  assert.equal((await get('text/markdown')).cache, 'hit');
  assert.equal(renders, 2);
});
