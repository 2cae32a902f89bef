/**
 * What a rate-limit hit costs on PostgreSQL: N hits one after the other through the store's
 * `rateLimits.hit` (commits without waiting for a WAL flush) against N of the same upsert committed
 * synchronously (main's statement, sent by a plain `pg` client), alternately, on one key each.
 * Prints ms per hit and the server's WAL flushes (`pg_stat_wal`, the whole server's) in each phase.
 *
 *   npx tsx bench/load/rate-limit-commit.ts --db postgres://… [--hits 300] [--rounds 2]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../../src/store/index.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, hits: { type: 'string', default: '300' }, rounds: { type: 'string', default: '2' } } });
const N = Number(values.hits);
const opened = await openStore(values.db!, { poolSize: 1 });
const client = new pg.Client({ connectionString: values.db });
await client.connect();
const syncs = async () => Number((await client.query('select wal_sync from pg_stat_wal')).rows[0].wal_sync);
const key = `bench-${Date.now()}`;
const phases: Record<string, () => Promise<unknown>> = {
  synchronous: () => client.query('insert into rate_limits (key, window_start, count) values ($1, 0, 1) on conflict (key, window_start) do update set count = rate_limits.count + 1 returning count', [`${key}-sync`]),
  store: () => opened.store.rateLimits.hit(`${key}-store`, 1e9, 3600),
};
for (let r = 1; r <= Number(values.rounds); r++) {
  for (const [name, hit] of Object.entries(phases)) {
    const s0 = await syncs();
    const t = performance.now();
    for (let i = 0; i < N; i++) await hit();
    const ms = (performance.now() - t) / N;
    console.log(JSON.stringify({ round: r, phase: name, msPerHit: +ms.toFixed(3), walFlushes: (await syncs()) - s0, hits: N, load: os.loadavg()[0] }));
  }
}
await client.query('delete from rate_limits where key like $1', [`${key}%`]);
await client.end();
await opened.close();
