import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Run, RunStatus } from '../store/runs.ts';

export type { Run };

/** How a recorded piece of work ended, with the counters stored in its `runs` row. */
export interface RunOutcome<T> {
  status: Exclude<RunStatus, 'running'>;
  stats: Record<string, unknown>;
  error?: string | null;
  value: T;
}

/** A failure after some work was stored: `stats` are the counts up to it, recorded with the failed run. */
export class RunFailedError extends Error {
  override name = 'RunFailedError';
  constructor(
    message: string,
    readonly stats: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type Leased<T> = { held: true; value: T } | { held: false; holder: string | null };

/**
 * Leased, recorded work — the one way the scheduler, `paperboy harvest` and `paperboy import`
 * (and `fetch`) take a lease and write a `runs` row, so a run looks the same whoever started it.
 */
export class RunService {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs `fn` holding the lease `name` (renewed every third of `ttlMs` while it runs, released
   * after, whatever happens); `{ held: false }` with the current holder when another process has it.
   * An error taking the lease (the store is down) is thrown.
   */
  async withLease<T>(name: string, holder: string, ttlMs: number, fn: () => Promise<T>): Promise<Leased<T>> {
    const r = await this.store.leases.hold(name, holder, ttlMs, fn, (err) => this.logger.warn({ err, lease: name }, 'lease renewal failed'));
    return r.held ? r : { held: false, holder: await this.store.leases.holder(name).catch(() => null) };
  }

  /** Who holds the lease `name` now (null when free or expired). */
  leaseHolder(name: string): Promise<string | null> {
    return this.store.leases.holder(name);
  }

  /** Frees a lease whose holder is known to be gone (a killed process on this host). */
  releaseLease(name: string, holder: string): Promise<void> {
    return this.store.leases.release(name, holder);
  }

  /**
   * Records `work` as a run of `kind`: a `running` row with `startStats` first, then its outcome's
   * status, counters and error. A thrown error is recorded as `failed` (with the counts of a
   * `RunFailedError`, else `startStats`) and thrown again. `interrupted`: only for a caller holding
   * the kind's lease — runs of the kind still marked running were cut short by a killed process and
   * are marked failed with this message first.
   */
  async recordRun<T>(kind: string, startStats: Record<string, unknown>, work: (runId: number) => Promise<RunOutcome<T>>, opts: { interrupted?: string } = {}): Promise<RunOutcome<T> & { runId: number }> {
    if (opts.interrupted) {
      const cut = await this.store.runs.interruptRunning(kind, opts.interrupted);
      if (cut) this.logger.warn({ kind, runs: cut }, 'marked runs of a process that ended mid-run as interrupted');
    }
    const runId = await this.store.runs.start(kind, startStats);
    let outcome: RunOutcome<T>;
    try {
      outcome = await work(runId);
    } catch (err) {
      const stats = err instanceof RunFailedError ? { ...startStats, ...err.stats } : startStats;
      await this.store.runs.finish(runId, 'failed', stats, (err as Error).message).catch(() => {});
      throw err;
    }
    await this.store.runs.finish(runId, outcome.status, outcome.stats, outcome.error ?? null);
    return { ...outcome, runId };
  }

  /** Records a run a shutdown cut short (it did not stop by the deadline). */
  markInterrupted(runId: number, message: string): Promise<void> {
    return this.store.runs.finish(runId, 'interrupted', {}, message);
  }

  /** The newest run of `kind`, or null. */
  last(kind: string): Promise<Run | null> {
    return this.store.runs.last(kind);
  }
}
