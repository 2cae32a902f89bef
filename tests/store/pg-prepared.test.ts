import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { PREPARED_PER_CONNECTION } from '../../src/store/pg-prepared.ts';

/**
 * Statements prepared once per connection (issue 19, the mixed load on PostgreSQL: every Kysely
 * query was parsed and planned anew on every request). A second store on the suite's database with
 * one connection, so that `pg_prepared_statements` (per session) shows what the store's statements
 * left there. On SQLite the store already compiles each text once (`statement-cache.ts`); both
 * stores must give the same answers through it, across a schema change.
 */
forEachStore('prepared statements', (ctx) => {
  let one: OpenedStore;
  before(async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: '2401.00001', title: 'First' }), makePaper({ id: '2401.00002', title: 'Second' })]);
    one = await openStore(ctx.opened.location!, { poolSize: 1, migrate: false });
  });
  after(() => one?.close());

  const prepared = async () =>
    ctx.kind === 'postgres'
      ? (await sql<{ statement: string; runs: number }>`select statement, (generic_plans + custom_plans)::int as runs from pg_prepared_statements`.execute(one.connection.db)).rows
      : [];

  test('a statement run three times is parsed once on the connection, and answers each time', async () => {
    for (const id of ['2401.00001', '2401.00002', '2401.00001']) assert.equal((await one.store.papers.visible(id))?.id, id);
    if (ctx.kind !== 'postgres') return;
    const reads = (await prepared()).filter((p) => /from "papers" where "id" = \$1/.test(p.statement));
    assert.equal(reads.length, 1, JSON.stringify(await prepared()));
    assert.equal(reads[0].runs, 3, 'one prepared statement ran all three reads');
  });

  test('at most PREPARED_PER_CONNECTION statements stay prepared on a connection; the oldest go', async () => {
    const db = one.connection.db;
    for (let i = 0; i < PREPARED_PER_CONNECTION + 20; i++) {
      const r = await sql<{ n: number }>`select cast(${i} as integer) + 0 as n ${sql.raw(`/* distinct ${i} */`)}`.execute(db);
      assert.equal(r.rows[0].n, i);
    }
    if (ctx.kind !== 'postgres') return;
    const left = await prepared();
    assert.ok(left.length <= PREPARED_PER_CONNECTION, `${left.length} prepared`);
    assert.ok(left.some((p) => p.statement.includes(`distinct ${PREPARED_PER_CONNECTION + 19} `)), 'the newest is kept');
    assert.ok(!left.some((p) => p.statement.includes('distinct 0 ')), 'the oldest was deallocated');
    // An evicted text is prepared again when it comes back.
    assert.equal((await sql<{ n: number }>`select cast(${0} as integer) + 0 as n ${sql.raw('/* distinct 0 */')}`.execute(db)).rows[0].n, 0);
  });

  test('a prepared select * sees a column a migration added since, instead of failing', async () => {
    assert.equal((await one.store.papers.visible('2401.00001'))?.title, 'First');
    await sql`alter table papers add column scratch_note text`.execute(ctx.opened.connection.db);
    try {
      const again = await sql<Record<string, unknown>>`select * from papers where id = ${'2401.00001'}`.execute(one.connection.db);
      assert.equal(again.rows[0].title, 'First');
      assert.equal((await one.store.papers.visible('2401.00002'))?.title, 'Second', 'the store\'s own read answers');
      assert.equal((await one.store.papers.visible('2401.00002'))?.title, 'Second', 'and again, prepared anew');
    } finally {
      await sql`alter table papers drop column scratch_note`.execute(ctx.opened.connection.db);
    }
  });
});
