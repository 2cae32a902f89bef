import type { Store } from '../store/store.ts';
import type { Run } from '../store/runs.ts';
import type { HarvestState } from '../store/harvest-state.ts';
import type { EmbeddingSpace } from '../store/embedding-spaces.ts';

export interface StoreStats {
  papers: number;
  feedDays: number;
  newestDay: string | null;
  recentRuns: Run[];
  harvests: HarvestState[];
  /** Each embedding model's vectors: how far its (re-)embedding has come. */
  embeddingSpaces: EmbeddingSpace[];
}

/** What `paperboy stats` shows: how much is stored, and the last imports, harvests and jobs. */
export class StatsService {
  constructor(private readonly store: Store) {}

  async summary(recentRuns = 10): Promise<StoreStats> {
    const [papers, feedDays, newestDay, runs, harvests, embeddingSpaces] = await Promise.all([
      this.store.papers.count(),
      this.store.feed.countDays(),
      this.store.feed.newestDay(),
      this.store.runs.recent(recentRuns),
      this.store.harvestState.all(),
      this.store.embeddingSpaces.list(),
    ]);
    return { papers, feedDays, newestDay, recentRuns: runs, harvests, embeddingSpaces };
  }
}
