import type { ModelRefinementService } from '../services/model-refinement.ts';
import type { Job } from './scheduler.ts';

/**
 * Refines a newly trained offline model in the background (`ModelRefinementService`): due only
 * while the stored local model is an unrefined one (after `paperboy reindex`), so a check is one
 * read. `serve` and `worker` both schedule it; the lease (renewed while it runs) makes one process do it.
 */
export function refineModelJob(refinement: ModelRefinementService, schedule = '* * * * *'): Job {
  return {
    name: 'search:refine-model',
    schedule,
    leaseMs: 10 * 60_000,
    due: () => refinement.due(),
    async run(signal) {
      const run = await refinement.run({ signal });
      return run ? { ...run } : { refined: 0 };
    },
  };
}
