import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestStore, postgresIsReal, testDb, type TestStore } from '../helpers/stores.ts';
import { copyText } from '../../src/store/pg-copy.ts';

/**
 * `PgCopy.copyIn` sends a COPY's data with its statement, before the server has said it is ready for
 * it (one round trip fewer per COPY). What must hold: the rows arrive whole however many 1 MB
 * messages they take, and when the statement fails before its COPY starts, or the COPY fails on a
 * row, the data already sent is dropped by the server and the connection goes on — the
 * transaction rolls back to the savepoint and runs its next statements.
 */
describe('COPY with its data sent ahead', { skip: !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, () => {
  let opened: TestStore;
  before(async () => {
    opened = await createTestStore('postgres');
    await sql`create table copy_probe (k integer primary key, v text not null)`.execute(testDb(opened.store));
  });
  after(async () => {
    await opened?.close();
  });
  const copy = () => opened.connection.pgCopy!;

  test('rows spread over several 1 MB messages arrive whole', async () => {
    const rows = Array.from({ length: 3000 }, (_, k) => [k, `${k}\t\\ ü ${'x'.repeat(1000)}`]);
    const n = await testDb(opened.store)
      .transaction()
      .execute((trx) => copy().copyIn(trx, 'copy_probe (k, v)', copyText(rows), 'probe'));
    assert.equal(n, 3000);
    const r = await sql<{ n: number; v: string }>`select count(*)::int as n, (select v from copy_probe where k = 2999) as v from copy_probe`.execute(testDb(opened.store));
    assert.deepEqual(r.rows[0], { n: 3000, v: `2999\t\\ ü ${'x'.repeat(1000)}` });
  });

  test('a statement that fails before its COPY starts, and a COPY that fails on a row: the data is dropped, the transaction goes on', async () => {
    const big = copyText(Array.from({ length: 2000 }, (_, k) => [100_000 + k, 'y'.repeat(1500)]));
    const after = await testDb(opened.store)
      .transaction()
      .execute(async (trx) => {
        await assert.rejects(copy().copyIn(trx, 'no_such_table (k, v)', big, 'probe'), /no_such_table/);
        await sql`rollback to savepoint probe`.execute(trx);
        // A duplicate key (k = 0 is stored) fails the COPY mid-data.
        await assert.rejects(copy().copyIn(trx, 'copy_probe (k, v)', copyText([[0, 'again'], ...Array.from({ length: 2000 }, (_, k) => [200_000 + k, 'z'.repeat(1500)])]), 'probe'), /duplicate key/);
        await sql`rollback to savepoint probe`.execute(trx);
        await sql`release savepoint probe`.execute(trx);
        const n = await copy().copyIn(trx, 'copy_probe (k, v)', copyText([[5000, 'after']]), 'probe');
        return { n, read: (await sql<{ v: string }>`select v from copy_probe where k = 5000`.execute(trx)).rows[0]?.v };
      });
    assert.deepEqual(after, { n: 1, read: 'after' });
    const r = await sql<{ n: number }>`select count(*)::int as n from copy_probe where k >= 100000`.execute(testDb(opened.store));
    assert.equal(r.rows[0].n, 0, 'nothing of the failed COPYs is stored');
  });
});
