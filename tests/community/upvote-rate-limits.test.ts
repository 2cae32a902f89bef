import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

/**
 * An upvote's write limits (per address and per account) are counted together: one statement on
 * PostgreSQL where there were two (issue 19, the mixed load: each a round trip and a commit), the
 * API's own per-address limit the other. Both limits still refuse on their own.
 */
async function loggedIn(app: TestApp, username: string): Promise<Client> {
  const user = (await app.store.users.byUsername(username)) ?? (await app.store.users.create({ username, email: `${username}@example.org`, passwordHash: 'x' }));
  const { sessionToken, session } = await app.services.accounts.openSession(user.id);
  const c = new Client(app.url);
  c.cookies.set('pb_session', sessionToken);
  c.csrf = session.csrfToken;
  return c;
}

forEachStore('upvote rate limits counted together', (ctx) => {
  test('the per-address limit refuses across accounts, the per-account one within one, each with Retry-After', async () => {
    const app = await startTestApp(ctx.store, { RATE_LIMIT_UPVOTE_IP: '3/60', RATE_LIMIT_UPVOTE_USER: '2/60' });
    try {
      const paper = makePaper();
      await ctx.store.papers.upsertMany([paper]);
      const [a, b] = [await loggedIn(app, 'first'), await loggedIn(app, 'second')];
      const up = (c: Client) => c.request('POST', `/api/papers/${paper.id}/upvote`);
      assert.equal((await up(a)).status, 200);
      assert.equal((await up(a)).status, 200);
      const third = await up(a);
      assert.equal(third.status, 429, 'the account is over its 2');
      assert.ok(Number(third.headers.get('retry-after')) >= 1);
      // The refused request still counted for the address: 3 of 3 used, so the other account is refused too.
      const other = await up(b);
      assert.equal(other.status, 429, 'the address is over its 3');
      assert.equal(other.headers.get('ratelimit-limit'), '3');
      assert.equal(other.headers.get('ratelimit-remaining'), '0');
    } finally {
      await app.close();
    }
  });

  test('an upvote writes the rate-limit counters in two statements on PostgreSQL (the API limit, then both write limits)', async () => {
    const app = await startTestApp(ctx.store, {});
    try {
      const paper = makePaper();
      await ctx.store.papers.upsertMany([paper]);
      const c = await loggedIn(app, 'counted-limits');
      if (ctx.kind !== 'postgres') {
        // SQLite keeps the counters in the serving process's memory: no statement at all.
        assert.equal((await c.request('POST', `/api/papers/${paper.id}/upvote`)).status, 200);
        assert.equal(Number((await sql<{ n: number }>`select count(*) as n from rate_limits`.execute(testDb(ctx.store))).rows[0].n), 0);
        return;
      }
      const db = testDb(ctx.store);
      await sql`create table limit_statements (at timestamptz not null default clock_timestamp())`.execute(db);
      await sql`create function record_limit_statement() returns trigger language plpgsql as $$ begin insert into limit_statements default values; return null; end $$`.execute(db);
      await sql`create trigger record_limit_statement after insert on rate_limits for each statement execute function record_limit_statement()`.execute(db);
      try {
        assert.equal((await c.request('POST', `/api/papers/${paper.id}/upvote`)).status, 200);
        assert.equal((await c.request('DELETE', `/api/papers/${paper.id}/upvote`)).status, 200);
        const n = Number((await sql<{ n: number }>`select count(*) as n from limit_statements`.execute(db)).rows[0].n);
        assert.equal(n, 4, `${n} rate-limit statements for two votes`);
        const user = (await ctx.store.users.byUsername('counted-limits'))!;
        const counted = (await sql<{ count: number }>`select count from rate_limits where key = ${`upvote-user:user:${user.id}`}`.execute(db)).rows;
        assert.deepEqual(counted.map((r) => Number(r.count)), [2], 'the account counted both votes');
      } finally {
        await sql`drop trigger record_limit_statement on rate_limits`.execute(db);
      }
    } finally {
      await app.close();
    }
  });
});
