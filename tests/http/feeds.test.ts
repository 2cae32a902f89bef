import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { forEachStore } from '../helpers/contract.ts';
import type { RunningApp } from '../helpers/api-server.ts';
import { seedApiFixtures, startSeededApi } from '../helpers/api-fixtures.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

forEachStore('RSS and Atom feeds', (ctx) => {
  let server: RunningApp;
  let fx: Awaited<ReturnType<typeof seedApiFixtures>>;
  let get: Awaited<ReturnType<typeof startSeededApi>>['get'];
  before(async () => {
    ({ fx, server, get } = await startSeededApi(ctx.store));
  });
  after(() => server.close());

  /** Fetches a feed, checks it is well-formed XML of the right kind, and parses it with a feed parser. */
  async function load(path: string) {
    const res = await get(path);
    assert.equal(res.status, 200, path);
    const xml = await res.text();
    const valid = XMLValidator.validate(xml);
    assert.equal(valid, true, `${path}: ${JSON.stringify(valid)}`);
    const tree = new XMLParser({ ignoreAttributes: false }).parse(xml);
    if (path.includes('.rss')) {
      assert.match(res.headers.get('content-type')!, /^application\/rss\+xml/);
      assert.equal(tree.rss['@_version'], '2.0');
      const items = [tree.rss.channel.item ?? []].flat();
      for (const i of items) assert.match(i.pubDate, RFC822, path);
      if (tree.rss.channel.lastBuildDate) assert.match(tree.rss.channel.lastBuildDate, RFC822);
    } else {
      assert.match(res.headers.get('content-type')!, /^application\/atom\+xml/);
      assert.equal(tree.feed['@_xmlns'], 'http://www.w3.org/2005/Atom');
      assert.match(tree.feed.updated, RFC3339);
      for (const e of [tree.feed.entry ?? []].flat()) {
        assert.match(e.updated, RFC3339, path);
        assert.ok(e.id && e.title, path);
      }
    }
    return { res, xml, feed: parseFeed(xml) };
  }

  test('each feed loads in a feed parser, in both formats, with title, authors, abstract and link', async () => {
    const paths = ['/feeds/daily', '/feeds/trending', '/feeds/search', '/feeds/category/cs.LG', `/feeds/collection/${fx.publicCollection}`];
    for (const base of paths) {
      for (const ext of ['.rss', '.atom']) {
        const path = `${base}${ext}${base.endsWith('search') ? '?q=attention' : ''}`;
        const { feed } = await load(path);
        assert.ok(feed.title?.startsWith('Paperboy'), path);
        assert.ok(feed.items.length > 0, `${path} has items`);
        for (const item of feed.items) {
          assert.ok(item.title, path);
          assert.match(item.url ?? '', new RegExp(`^${server.url}/papers/`), path);
          assert.ok(item.authors.length > 0, `${path}: authors`);
          assert.ok((item.description ?? item.content ?? '').length > 20, `${path}: abstract`);
          assert.ok(item.published instanceof Date && !Number.isNaN(item.published.getTime()), path);
        }
      }
    }
  });

  test('text that needs escaping survives exactly; items carry their own dates', async () => {
    for (const ext of ['rss', 'atom']) {
      const { feed } = await load(`/feeds/category/cs.LG.${ext}`);
      const item = feed.items.find((i) => i.url?.endsWith(fx.tricky.id))!;
      assert.ok(item, ext);
      // The control character is dropped (XML cannot hold it); everything else is kept.
      assert.equal(item.title, fx.tricky.title.replace('\u0007', ''), ext);
      const names = item.authors.map((a) => a.name).join(', ');
      assert.ok(names.includes('Zoë Ødegård') && names.includes("O'Brien"), `${ext}: ${names}`);
      const text = ext === 'rss' ? item.description!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : item.description ?? item.content!;
      assert.equal(text, fx.tricky.abstract, ext);
      assert.equal(item.published!.toISOString(), '2025-07-27T00:00:00.000Z');
      assert.deepEqual(item.categories.map((c) => c.term).sort(), ['cs.LG', 'stat.ML']);
    }
    const { feed } = await load(`/feeds/collection/${fx.publicCollection}.atom`);
    assert.equal(feed.title, 'Paperboy · Ada’s <favourite> & best (by ada)');
    assert.deepEqual(feed.items.map((i) => i.published?.toISOString()), ['2025-08-03T09:30:00.000Z', '2025-08-02T11:00:00.000Z']);
  });

  test('conditional GET: ETag and Last-Modified give 304; the feed changes only when its items do', async () => {
    const first = await get('/feeds/category/cs.LG.atom');
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    assert.match(etag, /^W\/"/);
    assert.match(lastModified, RFC822);
    const body = await first.text();
    assert.equal((await get('/feeds/category/cs.LG.atom', { 'If-None-Match': etag })).status, 304);
    assert.equal((await get('/feeds/category/cs.LG.atom', { 'If-Modified-Since': lastModified })).status, 304);
    assert.equal((await get('/feeds/category/cs.LG.atom', { 'If-Modified-Since': 'Thu, 01 Jan 2015 00:00:00 GMT' })).status, 200);

    // A new paper elsewhere, votes on a paper: not this feed's content; same document, same validators.
    await ctx.store.papers.upsertMany([makePaper({ categories: ['math.AG'], primaryCategory: 'math.AG', publishedAt: '2025-09-01' })]);
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 40 }).where('id', '=', fx.tricky.id).execute();
    const same = await get('/feeds/category/cs.LG.atom');
    assert.equal(await same.text(), body);
    assert.equal(same.headers.get('etag'), etag);
    assert.equal((await get('/feeds/category/cs.LG.atom', { 'If-None-Match': etag })).status, 304);

    // A new paper in the category changes the feed, its ETag and its Last-Modified.
    await ctx.store.papers.upsertMany([makePaper({ categories: ['cs.LG'], publishedAt: '2025-09-02', title: 'A brand new cs.LG paper' })]);
    const changed = await get('/feeds/category/cs.LG.atom', { 'If-None-Match': etag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.equal(changed.headers.get('last-modified'), 'Tue, 02 Sep 2025 00:00:00 GMT');
    assert.match(await changed.text(), /A brand new cs\.LG paper/);
  });

  test('missing, private and malformed feeds are clear errors, never 500', async () => {
    const cases: [string, number][] = [
      [`/feeds/collection/${fx.privateCollection}.rss`, 404],
      ['/feeds/collection/999999.atom', 404],
      ['/feeds/collection/abc.rss', 400],
      ['/feeds/category/..%2F..rss', 400],
      ['/feeds/category/cs.LG.json', 404],
      ['/feeds/search.rss', 400],
      ['/feeds/search.atom?q=%20', 400],
      [`/feeds/search.rss?q=${'x'.repeat(201)}`, 400],
      ['/feeds/nope.rss', 404],
      ['/feeds/daily', 404],
    ];
    for (const [path, status] of cases) {
      const res = await get(path);
      assert.equal(res.status, status, path);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.ok(body.error.code && body.error.message, path);
    }
    // A category with no papers is a valid, empty feed.
    const { feed } = await load('/feeds/category/q-bio.NC.atom');
    assert.equal(feed.items.length, 0);
  });

  test('pages link their feeds with <link rel="alternate">', async () => {
    const html = await (await get('/')).text();
    assert.match(html, /<link rel="alternate" type="application\/rss\+xml" title="Daily papers \(RSS\)" href="\/feeds\/daily\.rss"\/>/);
    assert.match(html, /<link rel="alternate" type="application\/atom\+xml" title="Trending papers \(Atom\)" href="\/feeds\/trending\.atom"\/>/);
  });
});
