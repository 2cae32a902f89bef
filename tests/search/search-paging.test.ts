import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { HashEmbedder } from '../helpers/hash-embedder.ts';
import { openSearch, type SearchInput } from '../../src/services/search.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';

/**
 * Paging by offset: every page is the slice of one long result list, so walking the pages shows
 * each match exactly once (no overlap, nothing skipped), on both keyword engines and both stores.
 * The corpus has many ties (same text, same day, no upvotes): only a total order pages cleanly.
 */
const N = 61;
function corpus() {
  return Array.from({ length: N }, (_, i) =>
    makePaper({
      id: `2404.${String(i + 1).padStart(5, '0')}`,
      // Reef once to four times: four groups of equal scores.
      title: `Coral ${'reef '.repeat((i % 4) + 1)}survey ${i % 3 === 0 ? 'kelp' : 'sponge'}`,
      abstract: `Counts of fish at site ${i}.`,
      categories: [i % 2 ? 'q-bio.PE' : 'physics.ao-ph'],
      publishedAt: `2024-0${(i % 5) + 1}-10`,
    }),
  );
}

forEachStore('search paging by offset', (ctx) => {
  before(async () => {
    await ctx.store.papers.upsertMany(corpus());
    await ctx.store.papers.setHidden('2404.00005', true);
    await ctx.store.papers.markDeleted('2404.00006');
  });

  const cases: Array<[string, Omit<SearchInput, 'limit' | 'offset'>, number]> = [
    ['ranked words', { q: 'reef', mode: 'keyword' }, N - 2],
    ['newest first', { q: 'coral', sort: 'date', mode: 'keyword' }, N - 2],
    ['by upvotes (all tied)', { q: 'survey', sort: 'upvotes', mode: 'keyword' }, N - 2],
    ['a phrase (the store answers)', { q: '"coral reef"', mode: 'keyword' }, N - 2],
    ['filters only (browse)', { q: 'category:q-bio.PE' }, 30 - 1],
    ['words and a category', { q: 'kelp', category: 'physics.ao-ph', mode: 'keyword' }, 11],
  ];

  for (const kind of ['store engine', 'memory engine'] as const) {
    test(`${kind}: pages walked by offset are the one list, in order, each match once`, async () => {
      const engine = kind === 'store engine' ? new StoreKeywordEngine(ctx.store) : new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store));
      const { search, index } = openSearch(ctx.store, { engine, embedder: async () => null });
      await index.catchUp();
      for (const [label, input, expected] of cases) {
        const whole = await search.search({ ...input, limit: 120 });
        const all = whole.results.map((r) => r.paper.id);
        assert.equal(all.length, expected, `${label}: every visible match`);
        assert.equal(whole.hasMore, false, `${label}: one page holds them all`);
        assert.ok(!all.includes('2404.00005') && !all.includes('2404.00006'), `${label}: hidden and withdrawn papers never show`);
        for (const size of [1, 7, 20]) {
          const walked: string[] = [];
          for (let offset = 0; ; offset += size) {
            const page = await search.search({ ...input, limit: size, offset });
            assert.ok(page.results.length <= size, `${label}: at most a page`);
            walked.push(...page.results.map((r) => r.paper.id));
            assert.equal(page.hasMore, offset + size < expected, `${label}: hasMore at offset ${offset} (size ${size})`);
            if (!page.hasMore) break;
          }
          assert.deepEqual(walked, all, `${label}: pages of ${size} neither overlap nor skip`);
        }
        const past = await search.search({ ...input, limit: 10, offset: expected });
        assert.deepEqual([past.results.length, past.hasMore], [0, false], `${label}: past the end is empty`);
      }
    });
  }

  test('a page at an offset comes highlighted, as the whole list does', async () => {
    const { search, index } = openSearch(ctx.store, { engine: new StoreKeywordEngine(ctx.store), embedder: async () => null });
    await index.catchUp();
    const page = await search.search({ q: 'reef', limit: 5, offset: 10 });
    const whole = await search.search({ q: 'reef', limit: 15 });
    assert.equal(page.results.length, 5);
    assert.deepEqual(page.results, whole.results.slice(10), 'the same papers, scores and marks');
    for (const r of page.results) assert.ok(r.title.some((s) => s.match && /reef/i.test(s.text)), 'reef is marked in the title');
  });

  test('hybrid: pages within the fusion pool neither overlap nor skip', async () => {
    const { search, index } = openSearch(ctx.store, { engine: new StoreKeywordEngine(ctx.store), embedder: async () => new HashEmbedder(64), annRefreshMs: 0 });
    await index.catchUp();
    const whole = (await search.search({ q: 'reef kelp', limit: 60 })).results.map((r) => r.paper.id);
    assert.ok(whole.length >= 50);
    const walked: string[] = [];
    for (let offset = 0; offset < 60; offset += 12) walked.push(...(await search.search({ q: 'reef kelp', limit: 12, offset })).results.map((r) => r.paper.id));
    assert.deepEqual(walked, whole);
  });

  test('an arXiv id query is its paper on the first page only', async () => {
    const { search } = openSearch(ctx.store, { engine: new StoreKeywordEngine(ctx.store), embedder: async () => null });
    assert.deepEqual((await search.search({ q: '2404.00001' })).results.map((r) => r.paper.id), ['2404.00001']);
    const second = await search.search({ q: '2404.00001', offset: 20 });
    assert.deepEqual([second.results.length, second.hasMore], [0, false]);
  });
});
