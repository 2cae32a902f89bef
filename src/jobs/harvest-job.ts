import type { Config } from '../config.ts';
import { HARVEST_LEASE, harvestCounts, type IngestService } from '../services/ingest.ts';
import { emptyHarvestSummary } from '../ingest/oai/harvester.ts';
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
      const summary = emptyHarvestSummary();
      try {
        // A shutdown lets the page under way be fetched and stored; its deadline aborts the request itself.
        await ingest.harvest({ stop: signal }, summary);
      } catch (err) {
        // Stopped by the shutdown: the checkpoint after the last stored page is committed, the next run resumes there.
        if (signal.aborted) return { ...harvestCounts(summary), stopped: true };
        // The scheduler records a failed run without counters; keep what was stored in its message.
        const c = harvestCounts(summary);
        throw new Error(`${(err as Error).message} (stored before the failure: ${c.pages} pages, ${c.inserted} inserted, ${c.updated} updated, ${c.addedToFeed} added to the feed)`, { cause: err });
      }
      return harvestCounts(summary);
    },
  };
}
