import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { openStore } from '../../src/store/index.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import type { KeywordSearchOptions } from '../../src/search/keyword-engine.ts';
import { loadCorpus } from './fixtures.ts';
import { testDb } from '../helpers/stores.ts';

const relevance = (over: Partial<KeywordSearchOptions> = {}): KeywordSearchOptions => ({ limit: 20, sort: 'relevance', ...over });

forEachStore('InvertedIndexEngine', (ctx) => {
  let engine: InvertedIndexEngine;
  let store: StoreKeywordEngine;
  const ids = async (q: string, over: Partial<KeywordSearchOptions> = {}) => (await engine.search(parseQuery(q), relevance(over))).map((h) => h.id);

  before(async () => {
    await loadCorpus(ctx.store);
    store = new StoreKeywordEngine(ctx.store);
    engine = new InvertedIndexEngine(ctx.store, store);
    await engine.catchUp();
  });

  test('words match any of them; hidden and withdrawn papers never show', async () => {
    assert.deepEqual(new Set(await ids('attention')), new Set(['2402.00001', '2402.00004', '2402.00005']));
    assert.ok(engine.memoryBytes() > 0, 'the in-memory index answered');
  });

  test('finds the same papers as the store index for word queries, title words first', async () => {
    for (const q of ['attention', 'neural radiance fields', 'graph attention networks', 'dark matter lensing', 'espresso café', 'nothing-matches-this']) {
      const mine = await engine.search(parseQuery(q), relevance());
      const theirs = await store.search(parseQuery(q), relevance());
      assert.deepEqual(new Set(mine.map((h) => h.id)), new Set(theirs.map((h) => h.id)), q);
    }
    assert.deepEqual(await ids('mechanisms'), ['2402.00005', '2402.00001']);
    assert.equal((await ids('graph attention networks'))[0], '2402.00004');
  });

  test('category and date filters, in the query or as options', async () => {
    assert.deepEqual(await ids('attention category:cs.CL'), ['2402.00001']);
    assert.deepEqual(await ids('attention', { category: 'STAT.ml' }), ['2402.00004'], 'any of its categories, case-insensitive');
    assert.deepEqual(await ids('attention from:2020'), ['2402.00005']);
    assert.deepEqual(new Set(await ids('attention', { to: '2017-12-31' })), new Set(['2402.00001', '2402.00004']));
    assert.deepEqual(await ids('attention', { limit: 1 }), [(await ids('attention'))[0]]);
    assert.deepEqual(await ids('attention', { limit: 0 }), []);
  });

  test('phrases, exclusions, authors and other sorts are answered by the store index', async () => {
    for (const [q, over] of [
      ['"attention mechanisms"', {}],
      ['attention -graph', {}],
      ['author:bengio attention', {}],
      ['attention', { sort: 'upvotes' as const }],
    ] as const) {
      const expected = await store.search(parseQuery(q), relevance(over));
      assert.deepEqual(await engine.search(parseQuery(q), relevance(over)), expected, q);
    }
  });

  test('a paper another process imported and indexed is found by the next search here', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite cannot be opened by a second connection');
    await engine.catchUp();
    const other = await openStore(ctx.opened.location);
    try {
      await other.store.papers.upsertMany([makePaper({ id: '2402.00098', title: 'Axolotl limb regeneration', abstract: 'Salamanders.' })]);
      // As `paperboy import` does: the other process drains the full-text queue itself.
      assert.ok((await other.store.search.drainFullTextQueue()).includes('2402.00098'));
    } finally {
      await other.close();
    }
    assert.ok((await engine.catchUp()) >= 1);
    assert.deepEqual(await ids('axolotl'), ['2402.00098']);
  });

  test('papers imported, changed or hidden later are followed after the next catch-up', async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00099', title: 'Zeolite catalysts screened by attention', abstract: 'Zeolites.', categories: ['cond-mat.mtrl-sci'] })]);
    assert.deepEqual(await ids('zeolite'), [], 'not before the catch-up');
    assert.ok((await engine.catchUp()) >= 1);
    assert.deepEqual(await ids('zeolite'), ['2402.00099']);
    await sql`update papers set hidden = 1 where id = '2402.00099'`.execute(testDb(ctx.store));
    assert.deepEqual(await ids('zeolite'), [], 'hidden papers drop out even before the index hears of it');
    await sql`update papers set hidden = 0, modified_at = ${new Date(Date.now() + 1000).toISOString()} where id = '2402.00099'`.execute(testDb(ctx.store));
    await engine.catchUp();
    assert.deepEqual(await ids('zeolite'), ['2402.00099']);
    // A metadata-only change the full-text queue does not carry, made on this process's own connection:
    // on SQLite the cheap catch-up skips the scan (no other writer), the timer's refresh sees it; on
    // PostgreSQL the catch-up scans (an index makes it cheap).
    await sql`update papers set categories = '["q-bio.BM"]', modified_at = ${new Date(Date.now() + 2000).toISOString()} where id = '2402.00099'`.execute(testDb(ctx.store));
    await engine.catchUp();
    if (ctx.store.dialect === 'sqlite') {
      assert.deepEqual(await ids('zeolite', { category: 'q-bio.BM' }), [], 'not from the cheap catch-up');
      assert.ok((await engine.refresh()) >= 1);
    }
    assert.deepEqual(await ids('zeolite', { category: 'q-bio.BM' }), ['2402.00099']);
    assert.ok((await engine.rebuild()) >= 7);
    assert.deepEqual(await ids('zeolite'), ['2402.00099'], 'still there after a rebuild');
  });

  test('a scan keeps its cursor a few seconds behind now: a change that lands in a part of the table already read is found next time', async () => {
    // Past the (future) timestamps the tests above wrote, which the last rebuild's cursor is at.
    const now = new Date(Date.now() + 5000).toISOString();
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00098', title: 'Perovskite lattices under attention', abstract: 'Perovskites.', categories: ['cond-mat.mtrl-sci'] })], now);
    await engine.refresh();
    assert.deepEqual(await ids('perovskite'), ['2402.00098']);
    // Written with the timestamp the scan already passed, as a write racing a sliced scan can be:
    // the full-text queue does not carry a category change, so only the next scan can see it (every
    // write of a paper sets its modified_at, which moves the change mark a refresh checks first).
    await sql`update papers set categories = '["physics.optics"]', modified_at = ${now} where id = '2402.00098'`.execute(testDb(ctx.store));
    await engine.refresh();
    assert.deepEqual(await ids('perovskite', { category: 'physics.optics' }), ['2402.00098']);
  });
});
