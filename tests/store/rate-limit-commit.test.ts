import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestStore, postgresBackend, testDb, type TestStore } from '../helpers/stores.ts';
import { RateLimitRepository } from '../../src/store/rate-limits.ts';

// PostgreSQL only: on SQLite the serving process keeps its counters in memory (RateLimitService).
const backend = await postgresBackend();

describe('rate-limit counters on PostgreSQL commit without waiting for a WAL flush', () => {
  let opened: TestStore;
  before(async () => {
    opened = await createTestStore('postgres', backend);
  });
  after(async () => {
    await opened?.close();
  });

  // What the hit's own transaction commits with, recorded by a trigger on the counters (this test
  // database only) as each row is written; the setting ends with that transaction.
  test('a hit commits with synchronous_commit off, and counts every request', async () => {
    const db = testDb(opened.store);
    await sql`create table commit_modes (mode text not null)`.execute(db);
    await sql`create function record_commit_mode() returns trigger language plpgsql as $$
      begin insert into commit_modes values (current_setting('synchronous_commit')); return new; end $$`.execute(db);
    await sql`create trigger record_commit_mode after insert or update on rate_limits for each row execute function record_commit_mode()`.execute(db);
    const now = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => opened.store.rateLimits.hit('relaxed', 1_000, 60, now)));
    const modes = (await sql<{ mode: string }>`select mode from commit_modes`.execute(db)).rows.map((r) => r.mode);
    assert.deepEqual(modes, Array(20).fill('off'));
    assert.equal(await opened.store.rateLimits.peek('relaxed', 60, now), 20, 'every hit counted');
    // Several keys at once (an upvote's two write limits): the same commit, each counted.
    const many = await opened.store.rateLimits.hitMany([{ key: 'relaxed-b', limit: 1, windowSeconds: 60 }, { key: 'relaxed', limit: 1_000, windowSeconds: 60 }], now);
    assert.deepEqual(many.map((d) => [d.count, d.allowed]), [[1, true], [21, true]], 'decisions in the order asked');
    assert.deepEqual((await sql<{ mode: string }>`select mode from commit_modes`.execute(db)).rows.slice(20).map((r) => r.mode), ['off', 'off']);
    // Other writes on the same pooled connections still commit synchronously.
    await db.insertInto('rate_limits').values({ key: 'durable', window_start: 0, count: 1 }).execute();
    assert.equal((await sql<{ mode: string }>`select mode from commit_modes`.execute(db)).rows.at(-1)?.mode, 'on');
    await sql`drop trigger record_commit_mode on rate_limits`.execute(db);
  });

  test('inside a transaction a hit leaves the commit of the rest synchronous', async () => {
    const db = testDb(opened.store);
    const setting = await db.transaction().execute(async (trx) => {
      const decision = await new RateLimitRepository(trx).hit('in-tx', 5, 60);
      assert.equal(decision.count, 1);
      return (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(trx)).rows[0].synchronous_commit;
    });
    assert.equal(setting, 'on');
    assert.equal(await opened.store.rateLimits.peek('in-tx', 60), 1);
  });
});
