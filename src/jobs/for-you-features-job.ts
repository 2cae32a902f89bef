import type { ForYouService } from '../services/for-you.ts';
import type { Job } from './scheduler.ts';

/**
 * The background merge of the published For-you features: when more feed items arrived since the
 * published file was built than a tenth of its papers (each server adds them in memory as the
 * delta), or there is no usable published file, one process rebuilds the features from the store
 * and publishes the next version; every server swaps it in at its next poll. `serve` and `worker`
 * both schedule it; the job's lease makes one process do it, and nothing is recorded when the
 * published version is fresh.
 */
export function forYouFeaturesJob(forYou: ForYouService, schedule = '*/10 * * * *'): Job {
  return {
    name: 'for-you:features',
    schedule,
    leaseMs: 60 * 60_000,
    due: () => forYou.mergeDue(),
    async run() {
      return { published: await forYou.mergeIfWorn() };
    },
  };
}
