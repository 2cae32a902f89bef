import type { Store } from '../store/store.ts';
import { FixedWindowCounters, type RateDecision } from '../domain/rate-window.ts';

export type { RateDecision };

/**
 * The HTTP rate limits' fixed-window counters. On PostgreSQL they are rows in the store, shared by
 * every `serve` process behind the proxy. On SQLite they are kept in this process's memory: a
 * SQLite deployment has one serving process (docs/deploy.md), and a counter row written on every
 * request made each API or feed read wait, under SQLite's busy back-off (1, 2, 5, 10… ms sleeps
 * that hold the whole process), for the write lock of the worker or a `paperboy reindex` on the
 * same file (issue 19). A restart starts the windows afresh.
 */
export class RateLimitService {
  private readonly memory: FixedWindowCounters | null;

  constructor(private readonly store: Store) {
    this.memory = store.dialect === 'sqlite' ? new FixedWindowCounters() : null;
  }

  /** Counts one request under `key` in the current window of `windowSeconds`; `allowed` is false beyond `limit`. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    if (this.memory) return Promise.resolve(this.memory.hit(key, limit, windowSeconds, Date.now()));
    return this.store.rateLimits.hit(key, limit, windowSeconds);
  }

  /** Counts one request under each of several distinct keys at once (one statement on PostgreSQL); decisions in the order asked. */
  hitMany(hits: readonly { key: string; limit: number; windowSeconds: number }[]): Promise<RateDecision[]> {
    if (this.memory) {
      const now = Date.now();
      return Promise.resolve(hits.map((h) => this.memory!.hit(h.key, h.limit, h.windowSeconds, now)));
    }
    return this.store.rateLimits.hitMany(hits);
  }
}
