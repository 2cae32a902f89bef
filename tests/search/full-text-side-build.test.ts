import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { createTestStore, testDb, type TestStore } from '../helpers/stores.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { sideFileOf } from '../../src/store/full-text-side-build.ts';
import type { Paper } from '../../src/domain/paper.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * A first import's full-text index written in a thread beside the import (`full-text-side-build.ts`)
 * must leave a store that answers every search exactly as one whose index was caught up after the
 * import (ids and bm25 scores), with the papers changed while it ran re-indexed by the catch-up;
 * it must never take its index over one the store already has (another process's catch-up ran
 * meanwhile), and a build stopped part-way leaves the store as it was. PostgreSQL keeps its
 * tsvector catch-up: no side build there.
 */
const N = 3000;
const WORDS = ['heron', 'egret', 'ibis', 'stork', 'crane', 'bittern', 'plover', 'avocet', 'curlew', 'godwit', 'dunlin', 'knot', 'sanderling'];
const word = (i: number, k: number) => WORDS[(i * 7 + k * 3) % WORDS.length];
const paper = (i: number): Paper =>
  makePaper({
    id: `2406.${String(i).padStart(5, '0')}`,
    title: `${word(i, 0)} ${word(i, 1)} survey ${i}`,
    abstract: Array.from({ length: 30 + (i % 50) }, (_, k) => `${word(i, k)}${k % 5 ? '' : ` tally${(i * 13 + k) % 400}`}`).join(' '),
    authors: [`Ada ${word(i, 2)}`, 'B. Author'],
  });
const QUERIES = ['heron', 'egret ibis', '"heron stork"', 'author:avocet', 'tally17 curlew', 'godwit -tally17', 'survey', 'wetland albatross', 'knot sanderling plover'];

async function answers(store: Store): Promise<string[]> {
  const engine = new StoreKeywordEngine(store);
  const out: string[] = [];
  for (const q of QUERIES) out.push((await engine.search(parseQuery(q), { limit: 50, sort: 'relevance' })).map((h) => `${h.id}:${h.score.toPrecision(12)}`).join(' '));
  return out;
}

/** Waits until the side build's scratch index holds `n` papers (read from its file). */
async function sideIndexed(storeFile: string, n: number): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    let got = 0;
    try {
      const side = new Database(sideFileOf(storeFile), { readonly: true });
      try {
        got = Number((side.prepare('select count(*) as n from papers_fts_docsize').get() as { n: number }).n);
      } finally {
        side.close();
      }
    } catch {
      // Not created yet, or being written.
    }
    if (got >= n) return;
    assert.ok(Date.now() < end, `the side build indexed ${got} of ${n} within 60 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

forEachStore('full-text index written beside a first import', (ctx) => {
  let reference: TestStore | undefined;
  after(async () => {
    await reference?.close();
  });

  test('PostgreSQL: none (its tsvector catch-up is unchanged)', { skip: ctx.kind !== 'postgres' }, async () => {
    await ctx.store.papers.upsertMany([paper(1)]);
    assert.equal(await ctx.store.search.startFullTextSideBuild(), null);
  });

  test('SQLite: the index written beside the papers, then the catch-up, answers as a catch-up alone', { skip: ctx.kind !== 'sqlite' }, async () => {
    const papers = Array.from({ length: N }, (_, i) => paper(i));
    const changed = { ...papers[10], version: 2, title: 'Albatross gliding flight', abstract: 'Wetland albatross colonies.' };
    // A stale scratch file, as a killed import leaves it: replaced, not read.
    fs.writeFileSync(sideFileOf(ctx.opened.location!), 'not a database');
    await ctx.store.papers.upsertMany(papers.slice(0, 1000));
    const build = await ctx.store.search.startFullTextSideBuild();
    assert.ok(build, 'an empty index: the side build starts');
    for (let i = 1000; i < N; i += 500) await ctx.store.papers.upsertMany(papers.slice(i, i + 500));
    // Changed and hidden once the build has indexed them (so both stores index the old text, then the
    // new: FTS5 counts a deleted entry's term until its segment is merged, so scores follow the history).
    await sideIndexed(ctx.opened.location!, N);
    // The triggers queue them for the catch-up.
    await ctx.store.papers.upsertMany([changed]);
    assert.ok(await ctx.store.papers.setHidden(papers[11].id, true));
    const r = await build.finish();
    assert.deepEqual({ ...r, moveMs: 0 }, { adopted: true, upTo: N, indexed: N, moveMs: 0 });
    assert.ok(!fs.existsSync(sideFileOf(ctx.opened.location!)), 'the scratch file is removed');
    const taken = await ctx.store.search.drainFullTextQueue();
    assert.deepEqual(taken.sort(), [papers[10].id, papers[11].id], 'the catch-up re-indexes only the papers changed meanwhile');
    assert.equal(await ctx.store.search.pendingFullText(), 0);

    // The same papers, in the same order, indexed by the catch-up alone, then changed and caught up
    // again: the same history (FTS5's totals after a delete and an insert differ in the last digits
    // from an insert alone, so a reference indexing the new text only would not be the same index).
    reference = await createTestStore('sqlite');
    for (let i = 0; i < N; i += 500) await reference.store.papers.upsertMany(papers.slice(i, i + 500));
    await reference.store.search.drainFullTextQueue();
    await reference.store.papers.upsertMany([changed]);
    await reference.store.papers.setHidden(papers[11].id, true);
    await reference.store.search.drainFullTextQueue();
    const [got, want] = [await answers(ctx.store), await answers(reference.store)];
    assert.deepEqual(QUERIES.filter((_, i) => !want[i]), [], 'every query finds papers');
    assert.deepEqual(got, want);
    assert.match(got[QUERIES.indexOf('wetland albatross')], /^2406\.00010:/, 'the changed paper by its new text');
    // FTS5's own consistency check of the index taken over (throws on a corrupt one).
    await sql`insert into papers_fts(papers_fts, rank) values ('integrity-check', 1)`.execute(testDb(ctx.store));
  });

  test('SQLite: an index that is no longer empty is not replaced (another catch-up ran meanwhile)', { skip: ctx.kind !== 'sqlite' }, async () => {
    // Empty the index again (the test above filled it), as a fresh store's is.
    const db = testDb(ctx.store);
    await sql`delete from papers_fts`.execute(db);
    await sql`update search_state set indexed_rowid = 0`.execute(db);
    const build = await ctx.store.search.startFullTextSideBuild();
    assert.ok(build);
    await sideIndexed(ctx.opened.location!, N);
    // Now a paper changes, and another process's catch-up indexes it (and every other) and empties the queue.
    await ctx.store.papers.upsertMany([{ ...paper(20), version: 3, title: 'Pelican fishing', abstract: 'Pouches.' }]);
    await ctx.store.search.drainFullTextQueue();
    const r = await build.finish();
    assert.equal(r.adopted, false, 'the store indexed papers meanwhile: its index is kept');
    assert.deepEqual((await new StoreKeywordEngine(ctx.store).search(parseQuery('pelican'), { limit: 5, sort: 'relevance' })).map((h) => h.id), ['2406.00020']);
    const raw = new Database(ctx.opened.location!, { readonly: true });
    assert.equal((raw.prepare(`select count(*) as n from papers_fts where papers_fts match 'survey'`).get() as { n: number }).n, N - 2, 'each paper once (two no longer say "survey")');
    raw.close();
  });
});

test('SQLite: a side build stopped part-way leaves the store as it was; the next catch-up does it all', async () => {
  const store = await createTestStore('sqlite');
  try {
    await store.store.papers.upsertMany(Array.from({ length: 1000 }, (_, i) => paper(i)));
    const build = await store.store.search.startFullTextSideBuild();
    assert.ok(build);
    await build.abort();
    assert.ok(!fs.existsSync(sideFileOf(store.location!)), 'the scratch file is removed');
    assert.equal(await store.store.search.pendingFullText(), 1000, 'nothing marked indexed');
    assert.equal((await store.store.search.drainFullTextQueue()).length, 1000);
    assert.equal((await new StoreKeywordEngine(store.store).search(parseQuery('survey'), { limit: 5, sort: 'relevance' })).length, 5);
  } finally {
    await store.close();
  }
});
