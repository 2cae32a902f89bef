import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { windowStartOf, type RateDecision } from '../domain/rate-window.ts';

export type { RateDecision };

/**
 * Fixed-window counters in the store, shared by every server process. `hit` counts one request
 * atomically (an upsert that increments) and says whether it is within the limit.
 */
export class RateLimitRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async hit(key: string, limit: number, windowSeconds: number, now = Date.now()): Promise<RateDecision> {
    const nowSec = Math.floor(now / 1000);
    const windowStart = windowStartOf(nowSec, windowSeconds);
    const row = await this.db
      .insertInto('rate_limits')
      .values({ key, window_start: windowStart, count: 1 })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('rate_limits.count', '+', 1) })))
      .returning('count')
      .executeTakeFirstOrThrow();
    const count = Number(row.count);
    return { allowed: count <= limit, count, retryAfter: Math.max(1, windowStart + windowSeconds - nowSec) };
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
