import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { openSearch, type SearchService } from '../../src/services/search.ts';
import type { RerankContext } from '../../src/services/search-experiment.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { DEFAULT_FUSION, type SimilarCandidate } from '../../src/search/fusion.ts';
import type { Embedder } from '../../src/search/embedder.ts';

/** The query "alpha" and the papers get vectors by a marker word, so the test knows every cosine. */
class MarkerEmbedder implements Embedder {
  readonly id = 'test-marker-rerank-3';
  readonly dimensions = 3;
  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => (/zebra/i.test(t) ? Float32Array.from([1, 0, 0]) : /yak/i.test(t) ? Float32Array.from([0, 1, 0]) : Float32Array.from([0, 0.8, 0.6])));
  }
}

// The re-ranking hook (`SearchExperiment.rerank`) is what bench/search-quality/rerank.ts measures
// through: it must see what the fusion saw and its answer must be the page served.
forEachStore('hybrid search hands its fused candidates to a re-ranking hook', (ctx) => {
  let search: SearchService;
  const seen: RerankContext[] = [];

  before(async () => {
    await ctx.store.papers.upsertMany([
      makePaper({ id: '2501.31001', title: 'Alpha report', abstract: 'An alpha study of the zebra.' }),
      makePaper({ id: '2501.31002', title: 'Alpha note', abstract: 'A study of the yak.' }),
    ]);
    const embedder = new MarkerEmbedder();
    const opened = openSearch(ctx.store, {
      engine: new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store)),
      embedder: async () => embedder,
      annRefreshMs: 0,
      fusion: DEFAULT_FUSION,
    }, {
      // Reverses the fused order: a page in that order can only come from the hook.
      rerank: async (c) => (seen.push(c), [...c.fused].reverse()),
    });
    search = opened.search;
    await opened.index.catchUp();
  });

  test('the hook gets both lists, the exact cosines and the fused order, and its order is served', async () => {
    const plain = (await search.search({ q: 'alpha', mode: 'keyword' })).results.map((r) => r.paper.id);
    assert.equal(seen.length, 0, 'keyword mode fuses nothing');
    const hybrid = await search.search({ q: 'alpha' });
    assert.equal(hybrid.mode, 'hybrid');
    assert.equal(seen.length, 1);
    const c = seen[0];
    assert.deepEqual(c.keyword.map((h) => h.id), plain);
    assert.deepEqual(c.weights.keyword, DEFAULT_FUSION.keyword);
    assert.ok(c.fused.length >= 2 && c.fused.some((h) => h.id === '2501.31001'));
    assert.deepEqual(hybrid.results.map((r) => r.paper.id), [...c.fused].reverse().map((h) => h.id), 'the page is the hook\'s order');
  });
});

// The similar mix (`SearchExperiment.similarMix`) is what bench/search-quality/csfcube.ts `--mode` ranks similar papers with.
forEachStore('similar papers are ranked by a similar-mix experiment when one is given', (ctx) => {
  let search: SearchService;
  const seen: Array<readonly SimilarCandidate[]> = [];

  before(async () => {
    await ctx.store.papers.upsertMany([
      makePaper({ id: '2501.32001', title: 'Alpha report', abstract: 'An alpha study of the zebra.' }),
      makePaper({ id: '2501.32002', title: 'Alpha note', abstract: 'An alpha study of the yak.' }),
      makePaper({ id: '2501.32003', title: 'Alpha memo', abstract: 'An alpha study of the zebra herd.' }),
    ]);
    const embedder = new MarkerEmbedder();
    const opened = openSearch(
      ctx.store,
      { engine: new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store)), embedder: async () => embedder, annRefreshMs: 0 },
      // Ranks the candidates by id: the yak paper first, where `mixSimilar` puts the other zebra paper first.
      { similarMix: (cs) => (seen.push(cs), [...cs].sort((a, b) => a.id.localeCompare(b.id)).map((c, i) => ({ id: c.id, score: 1 - i / 10 }))) },
    );
    search = opened.search;
    await opened.index.catchUp();
  });

  test('the experiment gets the candidates and its order is served', async () => {
    const similar = await search.similar('2501.32001', 5);
    assert.ok(seen.length >= 1, 'the mix was asked');
    const ids = seen[seen.length - 1].map((c) => c.id);
    assert.ok(ids.includes('2501.32002') && ids.includes('2501.32003'), `candidates ${ids}`);
    assert.deepEqual(similar?.map((r) => r.paper.id), ['2501.32002', '2501.32003']);
  });
});
