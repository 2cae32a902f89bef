import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Cron } from 'croner';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { jobRuns } from '../metrics.ts';

export interface Job {
  /** Also the lease name: one run of a job at a time across every process on the store. */
  name: string;
  /** Cron expression (croner syntax), evaluated in `timezone`. */
  schedule: string;
  timezone?: string;
  /** How long a lease lasts before another process may take over; renewed while the job runs. */
  leaseMs?: number;
  /** Asked before each scheduled run; false skips it without taking the lease or recording a run. */
  due?(): Promise<boolean>;
  /** Does the work; returns counters recorded with the run. Should stop early when `signal` aborts. */
  run(signal: AbortSignal): Promise<Record<string, unknown>>;
}

export type JobOutcome = { ran: false; reason: 'lease_held' | 'already_ran' | 'stopping' | 'not_due' } | { ran: true; status: 'succeeded' | 'failed'; stats: Record<string, unknown>; error?: string };

/**
 * Runs jobs on their schedules. Each run takes the job's lease in the store first, so with several
 * processes on one database each scheduled run happens once; each run is recorded in `runs`.
 */
export class JobScheduler {
  readonly holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly crons: Cron[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<JobOutcome> }>();
  /** Every runOnce call still in progress, from before its lease is taken (stop waits for them). */
  private readonly inflight = new Set<Promise<JobOutcome>>();
  /** Jobs this process is running or about to run (from before their lease is taken). */
  private readonly busy = new Set<string>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  start(jobs: Job[]): void {
    for (const job of jobs) {
      this.crons.push(
        new Cron(job.schedule, { timezone: job.timezone, protect: true }, (self: Cron) => {
          // The tick this call is for (the callback itself may fire a little late on a busy machine).
          const now = Date.now();
          const scheduledAt = self.previousRuns(1, new Date(now + 1))[0] ?? new Date(now);
          void this.runOnce(job, { scheduledAt });
        }),
      );
      this.logger.info({ job: job.name, schedule: job.schedule, timezone: job.timezone }, 'job scheduled');
    }
  }

  /**
   * Runs a job now if no process holds its lease. With `scheduledAt` (a cron tick), it also skips
   * when a run of the job started at or after that tick: the lease is released when a run ends, so
   * a process whose timer fires later for the same tick must not run it again.
   */
  runOnce(job: Job, opts: { scheduledAt?: Date } = {}): Promise<JobOutcome> {
    // The lease is re-entrant for its holder, so it cannot keep a second tick of this process from
    // running a job whose last run is not over (a run longer than its schedule's period): this does.
    if (this.busy.has(job.name)) {
      this.logger.debug({ job: job.name }, 'job skipped: its previous run in this process is still going');
      return Promise.resolve({ ran: false, reason: 'lease_held' });
    }
    this.busy.add(job.name);
    const p = this.runLeased(job, opts).finally(() => this.busy.delete(job.name));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  private async runLeased(job: Job, opts: { scheduledAt?: Date }): Promise<JobOutcome> {
    if (this.stopped) return { ran: false, reason: 'stopping' };
    if (job.due) {
      const due = await job.due().catch((err) => {
        this.logger.warn({ err, job: job.name }, 'cannot tell whether the job is due; running it');
        return true;
      });
      if (!due) return { ran: false, reason: 'not_due' };
    }
    const leaseMs = job.leaseMs ?? 5 * 60_000;
    let acquired: boolean;
    try {
      acquired = await this.store.leases.acquire(job.name, this.holder, leaseMs);
    } catch (err) {
      // The store is down: this tick is lost for this process; the next one tries again.
      this.logger.warn({ err, job: job.name }, 'job skipped: cannot take its lease');
      jobRuns.inc({ job: job.name, outcome: 'failed' });
      return { ran: true, status: 'failed', stats: {}, error: (err as Error).message };
    }
    if (!acquired) {
      this.logger.debug({ job: job.name }, 'job skipped: another process holds its lease');
      jobRuns.inc({ job: job.name, outcome: 'skipped' });
      return { ran: false, reason: 'lease_held' };
    }
    if (this.stopped) {
      await this.store.leases.release(job.name, this.holder).catch(() => {});
      return { ran: false, reason: 'stopping' };
    }
    if (opts.scheduledAt) {
      const last = await this.store.runs.last(job.name).catch(() => null);
      if (last && last.startedAt >= opts.scheduledAt.toISOString()) {
        await this.store.leases.release(job.name, this.holder).catch(() => {});
        this.logger.debug({ job: job.name, scheduledAt: opts.scheduledAt }, 'job skipped: another process ran this tick');
        jobRuns.inc({ job: job.name, outcome: 'skipped' });
        return { ran: false, reason: 'already_ran' };
      }
    }
    const controller = new AbortController();
    if (this.stopped) controller.abort(); // stop() began while we were taking the lease
    const renew = setInterval(() => {
      this.store.leases.renew(job.name, this.holder, leaseMs).catch((err) => this.logger.warn({ err, job: job.name }, 'lease renewal failed'));
    }, Math.max(1000, leaseMs / 3));
    renew.unref();
    const done = (async (): Promise<JobOutcome> => {
      const tick = opts.scheduledAt ? { scheduledAt: opts.scheduledAt.toISOString() } : {};
      let runId: number | undefined;
      try {
        // Holding the lease, no other process runs this job: a run still marked running was cut short.
        const cut = await this.store.runs.interruptRunning(job.name, 'interrupted: the process running it ended before it finished');
        if (cut) this.logger.warn({ job: job.name, runs: cut }, 'marked runs of a process that ended mid-run as interrupted');
        runId = await this.store.runs.start(job.name, tick);
        this.logger.info({ job: job.name, runId }, 'job started');
        const stats = { ...tick, ...(await job.run(controller.signal)) };
        await this.store.runs.finish(runId, 'succeeded', stats);
        this.logger.info({ job: job.name, runId, stats }, 'job finished');
        jobRuns.inc({ job: job.name, outcome: 'succeeded' });
        return { ran: true, status: 'succeeded', stats };
      } catch (err) {
        const error = (err as Error).message;
        if (runId !== undefined) await this.store.runs.finish(runId, 'failed', tick, error).catch(() => {});
        this.logger.error({ job: job.name, runId, err }, 'job failed');
        jobRuns.inc({ job: job.name, outcome: 'failed' });
        return { ran: true, status: 'failed', stats: tick, error };
      } finally {
        clearInterval(renew);
        await this.store.leases.release(job.name, this.holder).catch(() => {});
        this.running.delete(job.name);
      }
    })();
    this.running.set(job.name, { controller, done });
    return done;
  }

  /** Stops the schedules, asks running jobs to stop, waits for them and releases their leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.crons) c.stop();
    for (const r of this.running.values()) r.controller.abort();
    await Promise.allSettled([...this.inflight]);
  }
}
