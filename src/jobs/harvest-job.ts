import type { Config } from '../config.ts';
import { harvestCounts, type IngestService } from '../services/ingest.ts';
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
    name: 'harvest',
    schedule: config.harvestSchedule,
    timezone: ARXIV_TIMEZONE,
    leaseMs: 10 * 60_000,
    async run(signal) {
      return harvestCounts(await ingest.harvest({ signal }));
    },
  };
}
