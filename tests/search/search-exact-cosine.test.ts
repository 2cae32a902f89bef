import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { openSearch, type SearchService } from '../../src/services/search.ts';
import type { SearchIndexService } from '../../src/services/search-index.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { DEFAULT_FUSION } from '../../src/search/fusion.ts';
import type { Embedder } from '../../src/search/embedder.ts';

/** Vectors chosen by a marker word, so the test decides every cosine. */
class MarkerEmbedder implements Embedder {
  readonly id = 'test-marker-3';
  readonly dimensions = 3;
  embedded: string[] = [];
  async embed(texts: string[]): Promise<Float32Array[]> {
    this.embedded.push(...texts);
    return texts.map((t) => {
      if (/zebra/i.test(t)) return Float32Array.from([1, 0, 0]);
      if (/yak/i.test(t)) return Float32Array.from([0, 1, 0]);
      if (/vee/i.test(t)) return Float32Array.from([0, 0.6, 0.8]);
      return Float32Array.from([0, 0.8, 0.6]); // the query "alpha": cosine 0.96 to "vee", 0.8 to "yak", 0 to "zebra"
    });
  }
}

forEachStore('hybrid search scores keyword hits by their own cosine', (ctx) => {
  let search: SearchService;
  let index: SearchIndexService;
  const embedder = new MarkerEmbedder();

  before(async () => {
    await ctx.store.papers.upsertMany([
      // P1 leads P2 by keywords (alpha twice), P2 is much closer in meaning; V1 and V2 share no word with the query.
      makePaper({ id: '2501.30001', title: 'Alpha report', abstract: 'An alpha study of the zebra.' }),
      makePaper({ id: '2501.30002', title: 'Alpha report', abstract: 'A study of the yak.' }),
      makePaper({ id: '2501.30003', title: 'Vee one', abstract: 'Vee things.' }),
      makePaper({ id: '2501.30004', title: 'Vee two', abstract: 'More vee things.' }),
    ]);
    // Two candidates per list: the vector list is V1 and V2 (cosine 0.96), so neither keyword hit is in it.
    ({ search, index } = openSearch(ctx.store, { engine: new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store)), embedder: async () => embedder, annRefreshMs: 0, fusion: { ...DEFAULT_FUSION, candidates: 2 } }));
    await index.catchUp();
  });

  test('a near-tie by keywords is decided by the stored vectors, not by the vector list floor', async () => {
    const keyword = (await search.search({ q: 'alpha', mode: 'keyword' })).results.map((r) => r.paper.id);
    assert.deepEqual(keyword, ['2501.30001', '2501.30002'], 'P1 leads by keywords');
    const vector = (await search.search({ q: 'alpha', mode: 'vector', limit: 1 })).results.map((r) => r.paper.id);
    assert.ok(vector.every((id) => id === '2501.30003' || id === '2501.30004'), 'the vector list holds V1 and V2 only');
    embedder.embedded = [];
    const hybrid = await search.search({ q: 'alpha', limit: 1 });
    assert.equal(hybrid.mode, 'hybrid');
    assert.equal(hybrid.results[0].paper.id, '2501.30002', 'P2: 0.7 × its BM25 share + 0.3 × 0.8 beats P1: 0.7 + 0.3 × 0');
    assert.deepEqual(embedder.embedded, ['alpha'], 'the candidates were not embedded again: their stored vectors were read');
  });
});
