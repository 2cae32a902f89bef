import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { dialectOf } from './dialect.ts';
import { windowStartOf, type RateDecision } from '../domain/rate-window.ts';

export type { RateDecision };

/** What the counters' upserts select from on PostgreSQL: `synchronous_commit` off for their own transaction (see `hit`). */
const RELAXED_COMMIT = sql`(select set_config('synchronous_commit', 'off', true)) as relaxed`;

/**
 * Fixed-window counters in the store, shared by every server process. `hit` counts one request
 * atomically (an upsert that increments) and says whether it is within the limit.
 */
export class RateLimitRepository {
  /** PostgreSQL, outside a transaction: inside one, the setting would relax the commit of everything else it writes. */
  private readonly relaxedCommit: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.relaxedCommit = dialectOf(db) === 'postgres' && !db.isTransaction;
  }

  /**
   * On PostgreSQL the upsert commits without waiting for its write-ahead log to reach the disk
   * (`synchronous_commit` off for this one statement's transaction, through `set_config(…, true)`):
   * a counter needs no durability — a crash loses at most the last fraction of a second of counts,
   * which a restart would reset anyway — but a synchronous commit held the row's lock for a WAL
   * flush, so every API request of one client (or of every client behind one proxy address) waited
   * for the flushes of the ones before it: 11–12 ms each on this machine (BENCHMARKS "Load", round 20).
   * The count is still atomic and seen at once by every process; other writes keep their durability.
   */
  async hit(key: string, limit: number, windowSeconds: number, now = Date.now()): Promise<RateDecision> {
    const nowSec = Math.floor(now / 1000);
    const windowStart = windowStartOf(nowSec, windowSeconds);
    const row = this.relaxedCommit
      ? (
          await sql<{ count: number }>`insert into rate_limits (key, window_start, count)
            select ${key}, ${windowStart}, 1 from ${RELAXED_COMMIT}
            on conflict (key, window_start) do update set count = rate_limits.count + 1 returning count`.execute(this.db)
        ).rows[0]
      : await this.db
          .insertInto('rate_limits')
          .values({ key, window_start: windowStart, count: 1 })
          .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_limits.count', '+', 1) })))
          .returning('count')
          .executeTakeFirstOrThrow();
    const count = Number(row.count);
    return { allowed: count <= limit, count, retryAfter: Math.max(1, windowStart + windowSeconds - nowSec) };
  }

  /**
   * Counts one request under each of several keys (distinct) in one statement: an upvote is
   * limited per address and per account, and two upserts were two round trips and two commits
   * (issue 19, the mixed load). Rows are written in key order, so two requests sharing keys lock
   * them in the same order. Same commit as `hit`. Decisions in the order asked.
   */
  async hitMany(hits: readonly { key: string; limit: number; windowSeconds: number }[], now = Date.now()): Promise<RateDecision[]> {
    if (hits.length === 1) return [await this.hit(hits[0].key, hits[0].limit, hits[0].windowSeconds, now)];
    const nowSec = Math.floor(now / 1000);
    const rows = hits.map((h) => ({ key: h.key, window_start: windowStartOf(nowSec, h.windowSeconds), count: 1 })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const counted = this.relaxedCommit
      ? (
          await sql<{ key: string; window_start: number; count: number }>`insert into rate_limits (key, window_start, count)
            select v.key, v.window_start, 1 from (values ${sql.join(rows.map((r) => sql`(cast(${r.key} as text), cast(${r.window_start} as integer))`))}) as v(key, window_start),
              ${RELAXED_COMMIT}
            order by v.key
            on conflict (key, window_start) do update set count = rate_limits.count + 1 returning key, window_start, count`.execute(this.db)
        ).rows
      : await this.db
          .insertInto('rate_limits')
          .values(rows)
          .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_limits.count', '+', 1) })))
          .returning(['key', 'window_start', 'count'])
          .execute();
    const byKey = new Map(counted.map((r) => [`${r.key}\u0000${Number(r.window_start)}`, Number(r.count)]));
    return hits.map((h) => {
      const windowStart = windowStartOf(nowSec, h.windowSeconds);
      const count = byKey.get(`${h.key}\u0000${windowStart}`);
      if (count === undefined) throw new Error(`rate limit ${h.key}: no count returned`);
      return { allowed: count <= h.limit, count, retryAfter: Math.max(1, windowStart + h.windowSeconds - nowSec) };
    });
  }

  /** Current count without counting (e.g. to check a log-in back-off). */
  async peek(key: string, windowSeconds: number, now = Date.now()): Promise<number> {
    const nowSec = Math.floor(now / 1000);
    const windowStart = windowStartOf(nowSec, windowSeconds);
    const row = await this.db.selectFrom('rate_limits').select('count').where('key', '=', key).where('window_start', '=', windowStart).executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }

  /** Drops windows that ended before `before` (unix ms). */
  async prune(before = Date.now() - 86_400_000): Promise<number> {
    const r = await this.db.deleteFrom('rate_limits').where('window_start', '<', Math.floor(before / 1000)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
