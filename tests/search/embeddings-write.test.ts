import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { hasPlannerStatistics } from '../helpers/planner-statistics.ts';

const N = 2_345; // more than two of saveEmbeddings' 1,000-row statements, and a partial third
const vec = (i: number, salt: number) => Float32Array.from({ length: 8 }, (_, j) => Math.sin(i * 7 + j + salt));

forEachStore('stored vectors, written many statements to a batch', (ctx) => {
  before(async () => {
    await ctx.store.papers.upsertMany(Array.from({ length: N }, (_, i) => makePaper({ id: `2405.${String(i).padStart(5, '0')}` })));
  });

  test('a batch larger than one statement stores every vector, and saving it again replaces each one', async () => {
    const rows = (salt: number) => Array.from({ length: N }, (_, i) => ({ paperId: `2405.${String(i).padStart(5, '0')}`, key: 1_000 + i, vector: vec(i, salt), contentHash: `h${salt}`, terms: Uint8Array.of(i & 255, salt, 0, 0, 0, 0, 128, 63) }));
    for (const salt of [0, 1]) {
      await ctx.store.search.saveEmbeddings('e-write', rows(salt));
      const stored = [];
      for (let after = -1; ; ) {
        const page = await ctx.store.search.embeddingsPage('e-write', after, 1_000);
        if (!page.length) break;
        stored.push(...page);
        after = page[page.length - 1].key;
      }
      assert.equal(stored.length, N);
      for (const s of [stored[0], stored[999], stored[1000], stored[N - 1]]) {
        const i = s.key - 1_000;
        assert.equal(s.paperId, `2405.${String(i).padStart(5, '0')}`);
        assert.deepEqual([...s.vector], [...vec(i, salt)]);
      }
    }
  });

  test('after a bulk write the planner statistics of the vectors can be refreshed (PostgreSQL: ANALYZE)', async () => {
    // Without them PostgreSQL read every vector of the embedder to look up 150 ANN keys.
    await ctx.store.search.refreshStatistics();
    if (ctx.kind === 'postgres') assert.equal(await hasPlannerStatistics(ctx.kind, ctx.store, 'paper_embeddings'), true);
    // The term vectors written in the same batches: every paper page reads ~280 of them (without
    // statistics after a reindex PostgreSQL plans that read blind; BENCHMARKS "Load", round 19).
    if (ctx.kind === 'postgres') assert.equal(await hasPlannerStatistics(ctx.kind, ctx.store, 'paper_term_vectors'), true);
    const keys = await ctx.store.search.paperIdsForKeys('e-write', [1_000, 1_001, 3_344]);
    assert.deepEqual([...keys.entries()], [[1_000, '2405.00000'], [1_001, '2405.00001'], [3_344, '2405.02344']]);
  });
});
