import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';

/**
 * Issue 19: before each search the full-text queue is drained, and on SQLite one read now says
 * whether there is anything to drain (a queued paper, or one above the high-water mark) instead of
 * a transaction that finds nothing. Each kind of change must still get through: a new paper, an
 * edited one, a hidden one — into FTS5 / tsvector and into the in-memory index that follows the
 * drained ids.
 */
forEachStore('full-text drain: an empty queue is cheap, a change is never skipped', (ctx) => {
  const P = (n: number) => `2409.${String(n).padStart(5, '0')}`;
  let memory: InvertedIndexEngine;
  let fts: StoreKeywordEngine;
  const ids = async (engine: InvertedIndexEngine | StoreKeywordEngine, q: string) => (await engine.search(parseQuery(q), { limit: 20, sort: 'relevance' })).map((h) => h.id).sort();
  /** What a search does first: drain, then look on both engines. */
  const both = async (q: string) => {
    await memory.catchUp();
    return { memory: await ids(memory, q), store: await ids(fts, q) };
  };

  before(async () => {
    await ctx.store.papers.upsertMany([
      makePaper({ id: P(1), title: 'Axolotl limb regrowth', abstract: 'Regeneration in axolotls.', publishedAt: '2024-01-01' }),
      makePaper({ id: P(2), title: 'Axolotl gill colour', abstract: 'Pigment of the gills.', publishedAt: '2024-01-02' }),
      // Other words, so that the words asked for are rare enough to rank.
      ...['Tidal energy storage', 'Glacier melt models', 'Coral reef acoustics', 'Desert soil crusts', 'Alpine pollinator decline', 'Urban heat islands'].map((title, i) =>
        makePaper({ id: P(10 + i), title, abstract: `${title}, observed.`, publishedAt: '2023-06-01' }),
      ),
    ]);
    fts = new StoreKeywordEngine(ctx.store);
    memory = new InvertedIndexEngine(ctx.store, fts);
    await memory.warm();
    await memory.catchUp();
  });

  test('nothing changed: the drain finds nothing, again and again', async () => {
    assert.deepEqual(await ctx.store.search.drainFullTextQueue(), []);
    assert.deepEqual(await ctx.store.search.drainFullTextQueue(), []);
    assert.deepEqual(await both('axolotl'), { memory: [P(1), P(2)], store: [P(1), P(2)] });
  });

  test('a new paper (above the high-water mark) is drained and found', async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: P(3), title: 'Axolotl neoteny', abstract: 'Staying larval.', publishedAt: '2024-01-03' })]);
    assert.deepEqual(await both('neoteny'), { memory: [P(3)], store: [P(3)] });
    assert.deepEqual(await ctx.store.search.drainFullTextQueue(), [], 'and then the queue is empty');
  });

  test('an edited paper (queued) is drained: found by its new words, not by its old ones', async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: P(2), version: 2, title: 'Salamander gill colour', abstract: 'Pigment of the gills.', publishedAt: '2024-01-02' })]);
    assert.deepEqual(await both('salamander'), { memory: [P(2)], store: [P(2)] });
    assert.deepEqual(await both('axolotl'), { memory: [P(1), P(3)], store: [P(1), P(3)] });
  });

  test('a hidden paper (queued) leaves both indexes; shown again, it comes back', async () => {
    await ctx.store.papers.setHidden(P(1), true);
    assert.deepEqual(await ctx.store.search.drainFullTextQueue(), [P(1)], 'the drain takes exactly the hidden paper');
    await ctx.store.papers.setHidden(P(1), false);
    await ctx.store.papers.setHidden(P(3), true);
    assert.deepEqual(await both('axolotl'), { memory: [P(1)], store: [P(1)] });
  });
});
