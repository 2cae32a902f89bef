import type { SimilarListsService } from '../services/similar-lists.ts';
import type { Job } from './scheduler.ts';

/**
 * Stores the similar-papers lists of papers embedded since the last run (new or changed papers) and
 * refreshes the lists those name, so that paper pages read a list instead of ranking candidates.
 * Every minute by default, but only when the stored vectors changed since a run that left nothing
 * missing (one aggregate over the vectors, no scan of the papers). `serve` and `worker` both
 * schedule it; the lease makes one process do it.
 */
export function similarListsJob(lists: SimilarListsService, schedule = '* * * * *'): Job {
  return {
    name: 'search:similar-lists',
    schedule,
    leaseMs: 10 * 60_000,
    due: () => lists.due(),
    async run(signal) {
      const run = await lists.fillMissing({ signal });
      return { ...run, stopped: signal.aborted };
    },
  };
}
