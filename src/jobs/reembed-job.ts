import type { SearchIndexService } from '../services/search-index.ts';
import { EMBED_LEASE } from '../services/embedding-runs.ts';
import type { Job } from './scheduler.ts';

/**
 * Embeds the papers the configured embedder has no vector for, in the background: after a model
 * switch that is the whole corpus, while search keeps answering from the old model's vectors;
 * otherwise the few papers imported since. Every minute by default (`SEARCH_EMBED_SCHEDULE`), but only when there is something to embed
 * (no run is recorded otherwise); progress is recorded in the space (`paperboy stats`) and logged.
 * `serve` and `worker` both schedule it; the lease makes one process do it.
 */
export function reembedJob(search: SearchIndexService, schedule = '* * * * *'): Job {
  return {
    name: EMBED_LEASE,
    schedule,
    leaseMs: 10 * 60_000,
    due: () => search.hasPending(),
    async run(signal) {
      const run = await search.embedInBackground({ signal });
      if (!run) return { embedder: 'none' };
      return { embedder: run.embedderId, embedded: run.embedded, done: run.done, total: run.total, complete: run.complete, stopped: run.stopped };
    },
  };
}
