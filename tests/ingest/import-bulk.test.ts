import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { waitFor } from '../helpers/wait.ts';
import { Importer } from '../../src/ingest/importer.ts';
import { paperToRow } from '../../src/store/mappers.ts';
import { makePaper } from '../helpers/papers.ts';

/**
 * What a bulk import (COPY on PostgreSQL, prepared statements on SQLite) must keep: text exactly
 * as given, lines a store cannot hold failing alone, and a batch the store refuses rolling back
 * alone — nothing stored before it lost or half-overwritten.
 */
const listing = (id: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ id, title: `Paper ${id}`, authors: ['A. Author'], abstract: `About ${id}.`, categories: ['cs.LG'], listing_date: '2025-03-03', ...fields }) + '\n';

forEachStore('bulk import', (ctx) => {
  const importLines = (lines: string[], batchSize?: number) => new Importer(ctx.store).importStream(Readable.from(lines), 'test.jsonl', { batchSize });

  /**
   * Runs `work` while another connection has made `write` and holds its transaction open, and
   * commits that transaction once the work waits on it (a backend of this test's database waits on
   * a lock: the work's COPY met a key the other wrote): the work's look-ups could not see the
   * other's rows, and its writes meet the other's keys. Not a timer: on a loaded machine the work
   * may not have reached its writes 300 ms in (the race then goes untested), or may be past them.
   */
  /** Backends of this test's database (a fresh one per suite) waiting on a lock now. */
  const lockWaiters = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(testDb(ctx.store))).rows[0].n);

  async function whileAnotherWriterHolds<T>(write: (trx: Transaction<Database>) => Promise<void>, work: () => Promise<T>): Promise<T> {
    let written!: () => void;
    const writtenYet = new Promise<void>((r) => (written = r));
    let commit!: () => void;
    const commitNow = new Promise<void>((r) => (commit = r));
    const other = testDb(ctx.store)
      .transaction()
      .execute(async (trx) => {
        await write(trx);
        written();
        await commitNow;
      });
    await writtenYet;
    let settled = false;
    const working = work().finally(() => (settled = true));
    try {
      await waitFor(async () => settled || (await lockWaiters()) > 0, 30_000, 'the import waiting on the other writer’s keys');
      assert.equal(settled, false, 'the import met the other writer’s uncommitted keys and waited for them');
    } finally {
      commit();
      await other;
    }
    return working;
  }

  test('text reaches the store exactly: backslashes, quotes, tabs and LaTeX survive the COPY format', async () => {
    const abstract = 'We bound $\\|x\\|_\\infty \\le \\tfrac{1}{2}$; a literal \\t and \\n and \\\\N stay text, as does "quoted" and ünïcødé ∑.';
    const s = await importLines([listing('2501.00001', { abstract, comment: 'C:\\path\\to and \\N', authors: ['O\'Brien, "Q"', 'Z\\x'] })]);
    assert.equal(s.inserted, 1);
    const p = await ctx.store.papers.get('2501.00001');
    assert.equal(p?.abstract, abstract);
    assert.equal(p?.comment, 'C:\\path\\to and \\N');
    assert.deepEqual(p?.authors, ['O\'Brien, "Q"', 'Z\\x']);
    assert.equal(p?.primaryCategory, 'cs.LG');
    assert.equal(p?.journalRef, null, 'a null stays null, not the text \\N');
  });

  test('lines no store can hold (a NUL character, a version past 32 bits) fail alone, mid-batch; the rest of their batch is stored', async () => {
    const errors: string[] = [];
    const s = await new Importer(ctx.store).importStream(
      Readable.from([
        listing('2502.00001'),
        listing('2502.00002', { title: 'Bad\u0000title' }),
        listing('2502.00003'),
        listing('2502.00004v99999999999'),
        listing('2502.00005', { authors: ['Nul\u0000Author'] }),
        listing('2502.00006'),
      ]),
      'mixed.jsonl',
      { onLineError: (e) => errors.push(`${e.line}: ${e.reason}`) },
    );
    assert.deepEqual([s.read, s.inserted, s.failed], [6, 3, 3]);
    assert.match(errors[0], /^2: title contains a NUL character/);
    assert.match(errors[1], /^4: version 99999999999 is out of range/);
    assert.match(errors[2], /^5: authors contains a NUL character/);
    for (const id of ['2502.00001', '2502.00003', '2502.00006']) assert.ok(await ctx.store.papers.get(id), id);
    for (const id of ['2502.00002', '2502.00004', '2502.00005']) assert.equal(await ctx.store.papers.get(id), null, id);
  });

  test('a batch the store refuses rolls back alone: batches before it stay, a paper it would have changed keeps its stored text', async () => {
    await importLines([listing('2503.00001', { title: 'Original title' })]);
    // A row the store itself refuses (a trigger standing in for a constraint, a full disk…).
    const db = testDb(ctx.store);
    if (ctx.kind === 'postgres') {
      await sql`create function refuse_poison() returns trigger language plpgsql as $$ begin if new.id = '2503.00099' then raise exception 'poisoned row'; end if; return new; end $$`.execute(db);
      await sql`create trigger refuse_poison before insert on papers for each row execute function refuse_poison()`.execute(db);
    } else {
      await sql`create trigger refuse_poison before insert on papers when new.id = '2503.00099' begin select raise(abort, 'poisoned row'); end`.execute(db);
    }
    try {
      await assert.rejects(
        importLines(
          [
            listing('2503.00002'),
            listing('2503.00003'),
            listing('2503.00005'),
            // The second batch: an update, a new paper, then the row the store refuses.
            listing('2503.00001', { title: 'Changed title' }),
            listing('2503.00004'),
            listing('2503.00099'),
          ],
          3,
        ),
        /poisoned row/,
      );
    } finally {
      await sql`drop trigger refuse_poison ${sql.raw(ctx.kind === 'postgres' ? 'on papers' : '')}`.execute(db);
      if (ctx.kind === 'postgres') await sql`drop function refuse_poison()`.execute(db);
    }
    assert.ok(await ctx.store.papers.get('2503.00002'), 'the first batch was committed');
    assert.ok(await ctx.store.papers.get('2503.00003'));
    assert.ok(await ctx.store.papers.get('2503.00005'));
    assert.equal((await ctx.store.papers.get('2503.00001'))?.title, 'Original title', 'the failed batch changed nothing');
    assert.equal(await ctx.store.papers.get('2503.00004'), null);
    assert.equal(await ctx.store.feed.entryFor('2503.00004'), null, 'nor put anything on the feed');
    // Importing again, without the poisoned row, completes what failed.
    const again = await importLines([listing('2503.00001', { title: 'Changed title' }), listing('2503.00004')]);
    assert.deepEqual([again.updated, again.inserted], [1, 1]);
  });

  test('a paper another writer stores between the look-up and the COPY goes through the upsert, not a failed batch', async () => {
    if (ctx.kind !== 'postgres') return; // SQLite has one writer at a time.
    const id = '2504.00001';
    // The other writer inserts the paper and holds its transaction open: the import's look-up
    // cannot see the row, and its COPY waits on the key until the other commits.
    const s = await whileAnotherWriterHolds(
      async (trx) => {
        await trx.insertInto('papers').values(paperToRow(makePaper({ id, title: 'From a harvest' }), new Date().toISOString())).execute();
      },
      () => importLines([listing('2504.00002'), listing(id, { title: 'From the import' }), listing('2504.00003')]),
    );
    assert.equal(s.failed, 0);
    assert.equal((await ctx.store.papers.get(id))?.title, 'From the import', 'the upsert wrote the imported version');
    assert.ok(await ctx.store.papers.get('2504.00002'));
    assert.ok(await ctx.store.papers.get('2504.00003'));
  });

  test('a paper another writer puts on the feed between the look-up and the COPY keeps its place; the rest of the batch goes on the feed', async () => {
    if (ctx.kind !== 'postgres') return; // SQLite has one writer at a time.
    const id = '2505.00001';
    // The other writer (a harvest) stores the paper and puts it on an earlier day's feed, and holds
    // its transaction open: the import sees neither, so both its COPYs meet the other's keys.
    const s = await whileAnotherWriterHolds(
      async (trx) => {
        await trx.insertInto('papers').values(paperToRow(makePaper({ id, title: 'From a harvest' }), new Date().toISOString())).execute();
        await trx.insertInto('feed_entries').values({ paper_id: id, day: '2025-03-01', position: 1, submitted_by: null, created_at: new Date().toISOString() }).execute();
      },
      () => importLines([listing('2505.00002'), listing(id), listing('2505.00003')]),
    );
    assert.equal(s.failed, 0);
    assert.equal(s.addedToFeed, 2, 'the two papers no one else put on the feed');
    assert.equal((await ctx.store.feed.entryFor(id))?.day, '2025-03-01', "the other writer's entry stays where it is");
    for (const mine of ['2505.00002', '2505.00003']) assert.equal((await ctx.store.feed.entryFor(mine))?.day, '2025-03-03', mine);
  });
});
