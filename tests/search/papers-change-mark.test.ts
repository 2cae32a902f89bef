import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { makePaper } from '../helpers/papers.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { loadCorpus } from './fixtures.ts';

/**
 * Issue 19: a search's catch-up scans for papers another process wrote only when one did. On
 * SQLite the scan reads the whole papers table (no index on `modified_at`), and it used to run
 * after any write by another connection — a rate-limit row, a session, a vote. The scans are
 * counted by a spy on the repository's `modifiedSinceSliced`, the scan itself.
 */
forEachStore('catch-up scans follow writes to papers by other processes', (ctx) => {
  let engine: InvertedIndexEngine;
  let scans = 0;
  const ids = async (q: string) => (await engine.search(parseQuery(q), { limit: 20, sort: 'relevance' })).map((h) => h.id);
  /** Runs `write` on a second connection to the same store, as another server or the worker would. */
  const elsewhere = async (write: (other: OpenedStore['store']) => Promise<unknown>) => {
    const other = await openStore(ctx.opened.location!);
    try {
      await write(other.store);
    } finally {
      await other.close();
    }
  };

  before(async () => {
    await loadCorpus(ctx.store);
    engine = new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store));
    await engine.warm();
    await engine.catchUp();
    const papers = ctx.store.papers;
    const scan = papers.modifiedSinceSliced.bind(papers);
    papers.modifiedSinceSliced = (...args) => {
      scans++;
      return scan(...args);
    };
  });

  test('SQLite: a rate-limit row, a session and a vote written by another process make no scan', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite cannot be opened by a second connection');
    if (ctx.store.dialect !== 'sqlite') return t.skip('PostgreSQL asks its index on modified_at before every search (cheap there): no mark to keep');
    await engine.catchUp();
    const before = scans;
    await elsewhere(async (other) => {
      await other.rateLimits.hit('search:203.0.113.9', 100, 60);
      const user = await other.users.create({ username: 'mark-voter', email: 'mark-voter@example.org', passwordHash: 'x' });
      await other.sessions.create({ idHash: 'mark-session', userId: user.id, csrfToken: 'csrf', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      assert.ok(await other.upvotes.add(user.id, '2402.00001'));
    });
    await engine.catchUp();
    await engine.search(parseQuery('attention'), { limit: 20, sort: 'relevance' });
    assert.equal(scans, before, 'no scan of the papers table');
    // This process's own paper writes come through the full-text queue, not a scan.
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00090', title: 'Tardigrade desiccation tolerance', abstract: 'Water bears.' })]);
    await engine.catchUp();
    assert.equal(scans, before, 'no scan for this process own write');
    assert.deepEqual(await ids('tardigrade'), ['2402.00090']);
  });

  test('a paper another process inserted, then changed, then hid is seen by the next search here', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite cannot be opened by a second connection');
    await engine.catchUp();
    // Each time the other process drains the full-text queue itself (as `paperboy import` does),
    // so only the scan can tell this process.
    let before = scans;
    await elsewhere(async (other) => {
      await other.papers.upsertMany([makePaper({ id: '2402.00091', title: 'Axolotl limb regeneration', abstract: 'Salamanders.' })]);
      assert.ok((await other.search.drainFullTextQueue()).includes('2402.00091'));
    });
    await engine.catchUp();
    assert.ok(scans > before, 'an insert elsewhere makes a scan');
    assert.deepEqual(await ids('axolotl'), ['2402.00091']);

    before = scans;
    await elsewhere(async (other) => {
      await other.papers.upsertMany([makePaper({ id: '2402.00091', title: 'Axolotl limb regeneration in newts', abstract: 'Salamanders and newts.' })], new Date(Date.now() + 1000).toISOString());
      assert.ok((await other.search.drainFullTextQueue()).includes('2402.00091'));
    });
    await engine.catchUp();
    assert.ok(scans > before, 'an update elsewhere makes a scan');
    assert.deepEqual(await ids('newts'), ['2402.00091']);

    before = scans;
    await elsewhere(async (other) => {
      assert.ok(await other.papers.setHidden('2402.00091', true, new Date(Date.now() + 2000).toISOString()));
      assert.ok((await other.search.drainFullTextQueue()).includes('2402.00091'));
    });
    assert.equal((await engine.count(parseQuery('newts'), {})).total, 1, 'counted until the index hears of it');
    await engine.catchUp();
    assert.ok(scans > before, 'hiding elsewhere makes a scan');
    assert.equal((await engine.count(parseQuery('newts'), {})).total, 0, 'the hidden paper left the index');
  });

  test('SQLite: a paper another process deleted moves the mark, though the highest rowid comes back', async (t) => {
    if (ctx.store.dialect !== 'sqlite') return t.skip('SQLite only: PostgreSQL keeps no mark');
    const before = await ctx.store.papers.changeMark();
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00092', title: 'Lichen symbiosis' })]);
    const inserted = await ctx.store.papers.changeMark();
    assert.notEqual(inserted!.papers, before!.papers, 'an insert moves it (the highest rowid)');
    await sql`delete from papers where id = '2402.00092'`.execute(testDb(ctx.store));
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00093', title: 'Moss spores' })]);
    const after = await ctx.store.papers.changeMark();
    assert.notEqual(after!.papers, inserted!.papers, 'the same highest rowid again, but the count moved');
  });
});
