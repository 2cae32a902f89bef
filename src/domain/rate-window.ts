/** What a rate limit says about one request. */
export interface RateDecision {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets. */
  retryAfter: number;
}

/** The window of `windowSeconds` that `nowSec` falls in, aligned to multiples of its length (as the store's rows are). */
export function windowStartOf(nowSec: number, windowSeconds: number): number {
  return nowSec - (nowSec % windowSeconds);
}

/**
 * Fixed-window counters held in one process's memory: the same windows and answers as the
 * store's `rate_limits` rows, without a write. Used on SQLite, where one `serve` process answers
 * every request (docs/deploy.md) and a counter row written per request had to wait for any other
 * process's write lock (the worker, `paperboy reindex`) before the request could be answered.
 * Windows that have ended are dropped at most once a minute, so memory follows the clients of the
 * current windows only.
 */
export class FixedWindowCounters {
  private readonly windows = new Map<string, { start: number; end: number; count: number }>();
  private nextSweep = 0;

  hit(key: string, limit: number, windowSeconds: number, now: number): RateDecision {
    const nowSec = Math.floor(now / 1000);
    if (nowSec >= this.nextSweep) this.sweep(nowSec);
    const start = windowStartOf(nowSec, windowSeconds);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, end: start + windowSeconds, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= limit, count: w.count, retryAfter: Math.max(1, w.end - nowSec) };
  }

  /** Keys with a window under way (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(nowSec: number): void {
    for (const [key, w] of this.windows) if (w.end <= nowSec) this.windows.delete(key);
    this.nextSweep = nowSec + 60;
  }
}
