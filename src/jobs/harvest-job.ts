import type { Config } from '../config.ts';
import { HARVEST_LEASE, HarvestFailedError, harvestCounts, type IngestService } from '../services/ingest.ts';
import type { Job } from './scheduler.ts';

/** arXiv announces at 20:00 in New York; the schedule is read on that clock. */
export const ARXIV_TIMEZONE = 'America/New_York';

/**
 * The daily harvest: incremental (from where the last one ended), with the configured sets, run
 * by the JobScheduler under a lease so that several server processes harvest once. The scheduler
 * records each run in `runs` with kind `harvest`.
 */
export function harvestJob(ingest: IngestService, config: Config): Job {
  return {
    // The job's name is its lease: the same one `paperboy harvest` takes.
    name: HARVEST_LEASE,
    schedule: config.harvestSchedule,
    timezone: ARXIV_TIMEZONE,
    leaseMs: 10 * 60_000,
    async run(signal) {
      try {
        // A failure is a HarvestFailedError naming what was stored before it; the scheduler records its counts.
        // A shutdown (`stop`) lets the page under way be fetched and stored; its deadline aborts the request itself.
        return harvestCounts(await ingest.harvest({ stop: signal }));
      } catch (err) {
        // Stopped by the shutdown: the checkpoint after the last stored page is committed, the next run resumes there.
        if (signal.aborted && err instanceof HarvestFailedError) return { ...harvestCounts(err.summary), stopped: true };
        throw err;
      }
    },
  };
}
