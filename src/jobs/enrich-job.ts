import type { EnrichmentService } from '../services/enrichment/service.ts';
import { ENRICH_LEASE } from '../services/enrichment/service.ts';
import type { Job } from './scheduler.ts';

/**
 * Enriches the papers of the last ENRICH_LOOKBACK_DAYS days that are due (new ones, retries whose
 * time has come, refreshes) in the background, on ENRICH_SCHEDULE. `serve` and `worker` both
 * schedule it; the lease makes one process do it, and `paperboy enrich` takes the same lease. A
 * check that finds nothing due takes no lease and records no run. A paper is shown at once and
 * gains its thumbnail (and the other enrichments) as the runs reach it.
 */
export function enrichJob(enrichment: EnrichmentService, schedule: string): Job {
  return {
    name: ENRICH_LEASE,
    schedule,
    leaseMs: 10 * 60_000,
    due: () => enrichment.hasDue(enrichment.scheduledSelection()),
    async run(signal) {
      const r = await enrichment.run(enrichment.scheduledSelection(), { signal });
      return { done: r.done, failed: r.failed, skipped: r.skipped, deferred: r.deferred, steps: r.byStep, ...(r.stopped ? { stopped: true } : {}) };
    },
  };
}
