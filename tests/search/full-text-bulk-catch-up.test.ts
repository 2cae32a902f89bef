import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';
import { openSearch, type SearchService } from '../../src/services/search.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';

/**
 * A first import's full-text catch-up is written as a bulk load on SQLite (FTS5 merging 16
 * segments at a time while it runs, `drainFullTextQueue`): the index it leaves must answer like
 * one written paper by paper — hidden papers left out, a later re-import's new title found and
 * its old one gone, phrases and authors matched — and FTS5's default merge setting must be back
 * afterwards, so that a server's searches never run on an index merged less than usual.
 */
forEachStore('full-text catch-up as a bulk load', (ctx) => {
  let search: SearchService;
  const ids = async (q: string) => (await search.search({ q })).results.map((r) => r.paper.id).sort();
  const papers = Array.from({ length: 40 }, (_, i) =>
    makePaper({ id: `2403.${String(i).padStart(5, '0')}`, title: i % 2 ? `Capybara grazing study ${i}` : `Heron wading patterns ${i}`, abstract: i === 7 ? 'Semi-aquatic rodents in the wetlands.' : 'Field observations.', authors: i === 3 ? ['Ada Quillfeather'] : ['B. Author'] }),
  );

  before(async () => {
    await ctx.store.papers.upsertMany(papers);
    search = openSearch(ctx.store, { engine: new StoreKeywordEngine(ctx.store), embedder: async () => null, annRefreshMs: 0 }).search;
  });

  test('40 new papers caught up as a bulk load (from 10) are all found, in batches smaller than the backlog', async () => {
    const taken = await ctx.store.search.drainFullTextQueue(15, { bulkFrom: 10 });
    assert.equal(taken.length, 40);
    assert.equal(await ctx.store.search.pendingFullText(), 0);
    assert.equal((await ids('capybara')).length, 20);
    assert.deepEqual(await ids('"semi aquatic rodents"'), ['2403.00007']);
    assert.deepEqual(await ids('author:quillfeather'), ['2403.00003']);
  });

  test('SQLite: FTS5 merges with its default setting again after the bulk load', { skip: ctx.kind !== 'sqlite' }, async () => {
    for (const table of ['papers_fts_config', 'papers_pdf_fts_config']) {
      const rows = (await sql<{ v: number }>`select v from ${sql.raw(table)} where k = 'automerge'`.execute(testDb(ctx.store))).rows;
      // The row is written by the bulk load (its absence would mean no bulk load happened); 4 is FTS5's default.
      assert.deepEqual(rows.map((r) => Number(r.v)), [4], table);
    }
  });

  test('a hidden paper is not found, and a re-import with a new title replaces the old one, after another bulk catch-up', async () => {
    assert.ok(await ctx.store.papers.setHidden('2403.00001', true));
    await ctx.store.papers.upsertMany([{ ...papers[2], version: 2, title: 'Ibis roosting behaviour' }]);
    // Forty more new papers, so the backlog is a bulk load again, with the changed ones queued beside it.
    await ctx.store.papers.upsertMany(Array.from({ length: 40 }, (_, i) => makePaper({ id: `2404.${String(i).padStart(5, '0')}`, title: `Egret nesting ${i}`, abstract: 'Colonies.' })));
    await ctx.store.search.drainFullTextQueue(15, { bulkFrom: 10 });
    assert.equal(await ctx.store.search.pendingFullText(), 0);
    const capybara = await ids('capybara');
    assert.equal(capybara.length, 19);
    assert.ok(!capybara.includes('2403.00001'), 'the hidden paper is left out');
    assert.deepEqual(await ids('ibis'), ['2403.00002']);
    assert.ok(!(await ids('heron')).includes('2403.00002'), 'the old title is gone');
    assert.equal((await ids('egret')).length, 20, 'a page of 20 of the 40 new papers');
  });
});
