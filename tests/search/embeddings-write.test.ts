import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';

const N = 2_345; // more than two of saveEmbeddings' 1,000-row statements, and a partial third
const vec = (i: number, salt: number) => Float32Array.from({ length: 8 }, (_, j) => Math.sin(i * 7 + j + salt));

forEachStore('stored vectors, written many statements to a batch', (ctx) => {
  before(async () => {
    await ctx.store.papers.upsertMany(Array.from({ length: N }, (_, i) => makePaper({ id: `2405.${String(i).padStart(5, '0')}` })));
  });

  test('a batch larger than one statement stores every vector, and saving it again replaces each one', async () => {
    const rows = (salt: number) => Array.from({ length: N }, (_, i) => ({ paperId: `2405.${String(i).padStart(5, '0')}`, key: 1_000 + i, vector: vec(i, salt), contentHash: `h${salt}` }));
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
});
