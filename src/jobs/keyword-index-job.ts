import type { InvertedIndexEngine } from '../search/inverted-index-engine.ts';
import type { Job } from './scheduler.ts';

/**
 * The background merge of the published keyword index: when more papers changed since the
 * published file was built than the rebuild ratio allows (each server holds them as an in-memory
 * delta, scored exhaustively), or there is no usable published file, one process rebuilds it from
 * the store and publishes the next version; every server swaps it in at its next poll. `serve` and
 * `worker` both schedule it; the job's lease makes one process do it, and nothing is recorded when
 * the published version is fresh.
 */
export function keywordIndexJob(engine: InvertedIndexEngine, schedule = '*/10 * * * *'): Job {
  return {
    name: 'search:keyword-index',
    schedule,
    leaseMs: 60 * 60_000,
    due: () => engine.mergeDue(),
    async run() {
      const version = await engine.mergeIfWorn();
      return { published: version };
    },
  };
}
