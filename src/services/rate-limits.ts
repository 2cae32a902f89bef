import type { Store } from '../store/store.ts';
import type { RateDecision } from '../store/rate-limits.ts';

export type { RateDecision };

/** Fixed-window counters shared by every process on the store (the HTTP rate limits count here). */
export class RateLimitService {
  constructor(private readonly store: Store) {}

  /** Counts one request under `key` in the current window of `windowSeconds`; `allowed` is false beyond `limit`. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    return this.store.rateLimits.hit(key, limit, windowSeconds);
  }
}
