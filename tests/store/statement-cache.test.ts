import assert from 'node:assert/strict';
import { test } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { cachingStatements } from '../../src/store/statement-cache.ts';

/**
 * Issue 19: Kysely's SQLite driver compiled every statement again (7 % of a search request's CPU);
 * `cachingStatements` keeps them compiled. What must not change: results, streams, schema changes.
 */
function fixture(size?: number) {
  const sqlite = new SQLite(':memory:');
  sqlite.exec('create table t (id integer primary key, name text not null)');
  sqlite.exec("insert into t (id, name) values (1, 'a'), (2, 'b'), (3, 'c')");
  let compiled = 0;
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((text: string) => {
    compiled++;
    return prepare(text);
  }) as typeof sqlite.prepare;
  const cache = cachingStatements(sqlite, size);
  return { sqlite, cache, compiled: () => compiled };
}

test('the same SQL is compiled once and answers with its parameters each time', () => {
  const { cache, compiled } = fixture();
  const select = 'select name from t where id = ?';
  assert.deepEqual(cache.prepare(select).all([1]), [{ name: 'a' }]);
  assert.deepEqual(cache.prepare(select).all([2]), [{ name: 'b' }]);
  assert.deepEqual(cache.prepare(select).all([9]), []);
  assert.equal(compiled(), 1);
  const insert = cache.prepare('insert into t (id, name) values (?, ?)');
  assert.equal(insert.reader, false);
  assert.equal(Number(insert.run([4, 'd']).lastInsertRowid), 4);
  assert.equal(Number(cache.prepare('insert into t (id, name) values (?, ?)').run([5, 'e']).changes), 1);
  assert.equal(compiled(), 2);
  assert.throws(() => cache.prepare('insert into t (id, name) values (?, ?)').run([5, 'again']), /UNIQUE/);
  assert.deepEqual(cache.prepare(select).all([5]), [{ name: 'e' }], 'a statement that failed is usable again');
});

test('a stream and a query with the same SQL run side by side (the stream has its own statement)', () => {
  const { cache } = fixture();
  const text = 'select id from t where id >= ? order by id';
  const rows: unknown[] = [];
  for (const row of cache.prepare(text).iterate([1])) {
    rows.push(row);
    // Another read of the same text while the stream is open: "This statement is busy" on a shared statement.
    assert.deepEqual(cache.prepare(text).all([3]), [{ id: 3 }]);
  }
  assert.deepEqual(rows, [{ id: 1 }, { id: 2 }, { id: 3 }]);
});

test('a schema change after a statement was kept: `select *` shows the new column', () => {
  const { sqlite, cache } = fixture();
  assert.deepEqual(cache.prepare('select * from t where id = ?').all([1]), [{ id: 1, name: 'a' }]);
  sqlite.exec("alter table t add column colour text not null default 'red'");
  assert.deepEqual(cache.prepare('select * from t where id = ?').all([1]), [{ id: 1, name: 'a', colour: 'red' }]);
});

test('bounded: the least recently used statement is dropped and compiled again when asked', () => {
  const { cache, compiled } = fixture(2);
  const q = (n: number) => `select ${n} as n`;
  cache.prepare(q(1));
  cache.prepare(q(2));
  cache.prepare(q(1)); // used last: q(2) is now the oldest
  cache.prepare(q(3));
  assert.equal(cache.cached, 2);
  assert.equal(compiled(), 3);
  assert.deepEqual(cache.prepare(q(1)).all([]), [{ n: 1 }]);
  assert.equal(compiled(), 3, 'q(1) was kept');
  assert.deepEqual(cache.prepare(q(2)).all([]), [{ n: 2 }]);
  assert.equal(compiled(), 4, 'q(2) was dropped and compiled again');
});

test('through Kysely: queries, a transaction and a stream over the cache', async () => {
  const { cache, compiled } = fixture();
  const db = new Kysely<{ t: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: cache }) });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await db.selectFrom('t').select('name').where('id', '=', 2).executeTakeFirstOrThrow()).name, 'b');
    const before = compiled();
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 10, name: 'x' }).execute();
      await trx.updateTable('t').set({ name: 'y' }).where('id', '=', 10).execute();
    });
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 11, name: 'z' }).execute();
    });
    assert.equal(compiled() - before, 4, 'begin, insert, update and commit once each, the second transaction compiled nothing');
    const streamed: string[] = [];
    for await (const r of db.selectFrom('t').select('name').orderBy('id').stream()) streamed.push(r.name);
    assert.deepEqual(streamed, ['a', 'b', 'c', 'y', 'z']);
    assert.equal((await sql<{ n: number }>`select count(*) as n from t`.execute(db)).rows[0].n, 5);
  } finally {
    await db.destroy();
  }
});
