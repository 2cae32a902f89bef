import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { forEachStore } from '../helpers/contract.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { seedApiFixtures } from '../helpers/api-fixtures.ts';
import { apiAuthorizations } from '../helpers/api-tokens.ts';

/**
 * Issue 19: reads never wait for another process's write lock. On SQLite one process writes at a
 * time; the worker, `paperboy import` and `paperboy reindex` write on the same file as `serve`.
 * Every API and feed read used to write its rate-limit row first, and a token's every read its
 * "last used" time, so while another connection held a write transaction a read waited under the
 * busy handler (better-sqlite3 sleeps the whole process) for up to `busy_timeout`, 5 s, then failed.
 */

/** Another connection to the same store holding a write transaction open until `release`. */
async function holdWriteTransaction(dialect: string, location: string): Promise<{ release(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const other = new SQLite(location);
    other.pragma('busy_timeout = 5000');
    other.exec('begin immediate');
    other.prepare('insert into rate_limits (key, window_start, count) values (?, ?, 1)').run('other-writer:held', 0);
    return {
      async release() {
        other.exec('commit');
        other.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  await client.query('begin');
  await client.query('insert into rate_limits (key, window_start, count) values ($1, 0, 1)', ['other-writer:held']);
  return {
    async release() {
      await client.query('commit');
      await client.end();
    },
  };
}

forEachStore('reads while another connection holds a write transaction', (ctx) => {
  let server: RunningApp;
  let token: string;
  before(async () => {
    await seedApiFixtures(ctx.store);
    server = await startApiServer(ctx.store, { API_RATE_LIMIT_IP: '1000', API_RATE_LIMIT_TOKEN: '1000', PAGE_CACHE_SECONDS: '0' });
    [token] = await apiAuthorizations(server, 1);
  });
  after(() => server.close());

  test('the search API, the feeds, the home page and a token read answer at once, and the other write commits', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite cannot be opened by a second connection');
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
    const paths = ['/api/papers/search?q=attention&limit=20', '/feeds/daily.rss', '/api/daily_papers?limit=5', '/'];
    // Each once before: caches warm, and the token's first use recorded (it is written at most once a minute).
    for (const p of paths) assert.equal((await get(p)).status, 200, p);
    assert.equal((await get('/api/daily_papers?limit=1', { Authorization: token })).status, 200);

    const held = await holdWriteTransaction(ctx.store.dialect, ctx.opened.location);
    try {
      for (const [path, headers] of [...paths.map((p) => [p, {}] as const), ['/api/daily_papers?limit=1', { Authorization: token }] as const]) {
        const t0 = performance.now();
        const res = await get(path, headers);
        await res.arrayBuffer();
        const ms = performance.now() - t0;
        // The status is the check: the lock is held until every read has answered, so a read that
        // waited for it (on SQLite up to the 5 s lock wait) failed. The time is printed, not bounded
        // (it was bounded by 2 s: a loaded machine is the only thing that bound could catch).
        assert.equal(res.status, 200, `${path}: ${res.status}`);
        t.diagnostic(`${path}: ${ms.toFixed(0)} ms while another connection held a write transaction`);
      }
    } finally {
      await held.release();
    }
    // The requests counted nothing in the other connection's way: its row is there.
    assert.equal((await ctx.store.rateLimits.peek('other-writer:held', 1, 0)), 1);
  });
});
