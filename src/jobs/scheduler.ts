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
  /** Does the work; returns counters recorded with the run. Should stop early when `signal` aborts. */
  run(signal: AbortSignal): Promise<Record<string, unknown>>;
}

export type JobOutcome = { ran: false; reason: 'lease_held' } | { ran: true; status: 'succeeded' | 'failed'; stats: Record<string, unknown>; error?: string };

/**
 * Runs jobs on their schedules. Each run takes the job's lease in the store first, so with several
 * processes on one database each scheduled run happens once; each run is recorded in `runs`.
 */
export class JobScheduler {
  readonly holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly crons: Cron[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<JobOutcome> }>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  start(jobs: Job[]): void {
    for (const job of jobs) {
      this.crons.push(
        new Cron(job.schedule, { timezone: job.timezone, protect: true }, () => {
          void this.runOnce(job);
        }),
      );
      this.logger.info({ job: job.name, schedule: job.schedule, timezone: job.timezone }, 'job scheduled');
    }
  }

  /** Runs a job now if no process holds its lease. */
  async runOnce(job: Job): Promise<JobOutcome> {
    const leaseMs = job.leaseMs ?? 5 * 60_000;
    if (!(await this.store.leases.acquire(job.name, this.holder, leaseMs))) {
      this.logger.debug({ job: job.name }, 'job skipped: another process holds its lease');
      jobRuns.inc({ job: job.name, outcome: 'skipped' });
      return { ran: false, reason: 'lease_held' };
    }
    const controller = new AbortController();
    const renew = setInterval(() => {
      this.store.leases.renew(job.name, this.holder, leaseMs).catch((err) => this.logger.warn({ err, job: job.name }, 'lease renewal failed'));
    }, Math.max(1000, leaseMs / 3));
    renew.unref();
    const done = (async (): Promise<JobOutcome> => {
      const runId = await this.store.runs.start(job.name);
      this.logger.info({ job: job.name, runId }, 'job started');
      try {
        const stats = await job.run(controller.signal);
        await this.store.runs.finish(runId, 'succeeded', stats);
        this.logger.info({ job: job.name, runId, stats }, 'job finished');
        jobRuns.inc({ job: job.name, outcome: 'succeeded' });
        return { ran: true, status: 'succeeded', stats };
      } catch (err) {
        const error = (err as Error).message;
        await this.store.runs.finish(runId, 'failed', {}, error).catch(() => {});
        this.logger.error({ job: job.name, runId, err }, 'job failed');
        jobRuns.inc({ job: job.name, outcome: 'failed' });
        return { ran: true, status: 'failed', stats: {}, error };
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
    for (const c of this.crons) c.stop();
    for (const r of this.running.values()) r.controller.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}
