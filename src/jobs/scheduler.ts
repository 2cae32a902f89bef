import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Cron } from 'croner';
import type { Logger } from '../logger.ts';
import type { Leased, RunService } from '../services/runs.ts';
import { jobRuns } from '../metrics.ts';
import { aborted } from '../shutdown.ts';

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
  /**
   * Does the work; returns counters recorded with the run. When `signal` aborts (the process is
   * shutting down) it should finish its current step and stop, either throwing or returning
   * `stopped: true` among its counters: the scheduler then records the run as interrupted.
   */
  run(signal: AbortSignal): Promise<Record<string, unknown>>;
}

export type JobOutcome = { ran: false; reason: 'lease_held' | 'already_ran' | 'stopping' | 'not_due' } | { ran: true; status: 'succeeded' | 'failed' | 'interrupted'; stats: Record<string, unknown>; error?: string };

/** What a run stopped by a shutdown says; the job continues from its checkpoint next time. */
export const INTERRUPTED_BY_SHUTDOWN = 'interrupted: the process was shut down before the run finished';
/** After the shutdown deadline: how long a job whose outbound calls were aborted gets to record itself. */
const AFTER_DEADLINE_MS = 300;

/**
 * Runs jobs on their schedules. Each run takes the job's lease first (`RunService.withLease`), so
 * with several processes on one database each scheduled run happens once; each run is recorded in
 * `runs` (`RunService.recordRun`), as `paperboy harvest` and `paperboy import` record theirs.
 */
export class JobScheduler {
  readonly holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly crons: Cron[] = [];
  private readonly running = new Map<string, { controller: AbortController; runId?: number }>();
  /** Every runOnce call still in progress, from before its lease is taken (stop waits for them). */
  private readonly inflight = new Set<Promise<JobOutcome>>();
  /** Jobs this process is running or about to run (from before their lease is taken). */
  private readonly busy = new Set<string>();
  private stopped = false;

  constructor(
    private readonly runs: RunService,
    private readonly logger: Logger,
  ) {}

  start(jobs: Job[]): void {
    // Started late (`serve` starts it once its start-up loading is done) after a shutdown began: nothing to schedule.
    if (this.stopped) return;
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
    // Registered before the first await, so that a shutdown beginning meanwhile stops this run too.
    const entry: { controller: AbortController; runId?: number } = { controller: new AbortController() };
    this.running.set(job.name, entry);
    try {
      return await this.leaseAndRun(job, opts, entry);
    } finally {
      this.running.delete(job.name);
    }
  }

  private async leaseAndRun(job: Job, opts: { scheduledAt?: Date }, entry: { controller: AbortController; runId?: number }): Promise<JobOutcome> {
    if (job.due) {
      const due = await job.due().catch((err) => {
        this.logger.warn({ err, job: job.name }, 'cannot tell whether the job is due; running it');
        return true;
      });
      if (!due) return { ran: false, reason: 'not_due' };
    }
    let leased: Leased<JobOutcome>;
    try {
      leased = await this.runs.withLease(job.name, this.holder, job.leaseMs ?? 5 * 60_000, () => this.runHolding(job, opts, entry));
    } catch (err) {
      // The store is down: this tick is lost for this process; the next one tries again.
      this.logger.warn({ err, job: job.name }, 'job skipped: cannot take its lease');
      jobRuns.inc({ job: job.name, outcome: 'failed' });
      return { ran: true, status: 'failed', stats: {}, error: (err as Error).message };
    }
    if (!leased.held) {
      this.logger.debug({ job: job.name }, 'job skipped: another process holds its lease');
      jobRuns.inc({ job: job.name, outcome: 'skipped' });
      return { ran: false, reason: 'lease_held' };
    }
    return leased.value;
  }

  /** The run itself, with the job's lease held (never throws: a failure is an outcome). */
  private async runHolding(job: Job, opts: { scheduledAt?: Date }, entry: { controller: AbortController; runId?: number }): Promise<JobOutcome> {
    if (this.stopped) return { ran: false, reason: 'stopping' };
    if (opts.scheduledAt) {
      const last = await this.runs.last(job.name).catch(() => null);
      if (last && last.startedAt >= opts.scheduledAt.toISOString()) {
        this.logger.debug({ job: job.name, scheduledAt: opts.scheduledAt }, 'job skipped: another process ran this tick');
        jobRuns.inc({ job: job.name, outcome: 'skipped' });
        return { ran: false, reason: 'already_ran' };
      }
    }
    const { controller } = entry;
    if (this.stopped) controller.abort(); // stop() began while we were taking the lease
    const tick = opts.scheduledAt ? { scheduledAt: opts.scheduledAt.toISOString() } : {};
    try {
      const { stats, status, error, runId } = await this.runs.recordRun(
        job.name,
        tick,
        async (runId) => {
          entry.runId = runId;
          this.logger.info({ job: job.name, runId }, 'job started');
          try {
            const stats: Record<string, unknown> = { ...tick, ...(await job.run(controller.signal)) };
            // A job that stopped early for the shutdown: its run is interrupted, the next one continues.
            if (controller.signal.aborted && stats.stopped === true) return { status: 'interrupted', stats, error: INTERRUPTED_BY_SHUTDOWN, value: stats };
            return { status: 'succeeded', stats, value: stats };
          } catch (err) {
            if (controller.signal.aborted) return { status: 'interrupted', stats: tick, error: `${INTERRUPTED_BY_SHUTDOWN} (${(err as Error).message})`, value: tick };
            throw err;
          }
        },
        // Holding the lease, no other process runs this job: a run still marked running was cut short.
        { interrupted: 'interrupted: the process running it ended before it finished' },
      );
      if (status === 'interrupted') {
        this.logger.warn({ job: job.name, runId, stats }, 'job interrupted by the shutdown');
        jobRuns.inc({ job: job.name, outcome: 'interrupted' });
        return { ran: true, status: 'interrupted', stats, error: error ?? INTERRUPTED_BY_SHUTDOWN };
      }
      this.logger.info({ job: job.name, runId, stats }, 'job finished');
      jobRuns.inc({ job: job.name, outcome: 'succeeded' });
      return { ran: true, status: 'succeeded', stats };
    } catch (err) {
      const error = (err as Error).message;
      this.logger.error({ job: job.name, runId: entry.runId, err }, 'job failed');
      jobRuns.inc({ job: job.name, outcome: 'failed' });
      return { ran: true, status: 'failed', stats: tick, error };
    }
  }

  /**
   * Stops the schedules and asks running jobs to stop after their current step; waits for them
   * (each records its run and releases its lease). With `deadline`: once it aborts (it also aborts
   * the jobs' outbound calls) and a short grace has passed, a job still running is recorded as
   * interrupted and its lease released here, so that the store can close and the next process
   * need not wait for the lease to expire.
   */
  async stop(deadline?: AbortSignal): Promise<void> {
    this.stopped = true;
    for (const c of this.crons) c.stop();
    for (const r of this.running.values()) r.controller.abort();
    const all = Promise.allSettled([...this.inflight]);
    if (!deadline) {
      await all;
      return;
    }
    const late = aborted(deadline).then(() => new Promise((r) => setTimeout(r, AFTER_DEADLINE_MS)));
    await Promise.race([all, late]);
    for (const [name, r] of this.running) {
      this.logger.warn({ job: name, runId: r.runId }, 'job still running after the shutdown deadline: recording it as interrupted');
      if (r.runId !== undefined) await this.runs.markInterrupted(r.runId, `${INTERRUPTED_BY_SHUTDOWN} (it did not stop by the deadline)`).catch(() => {});
      await this.runs.releaseLease(name, this.holder).catch(() => {});
      this.running.delete(name);
    }
  }
}
