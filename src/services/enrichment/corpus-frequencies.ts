import { keyWords, type CorpusFrequencies } from './keyphrases.ts';
import type { Store } from '../../store/store.ts';

const PAGE = 2000;

/**
 * Word document frequencies over the newest `maxDocs` papers, for the offline key phrases. Counted
 * once (in the background step, never on a request) and again after `maxAgeMs`; concurrent callers
 * share one count. Memory is one map entry per distinct word (a few MB for 100k papers).
 */
export class StoreCorpusFrequencies {
  private current: { at: number; stats: CorpusFrequencies } | null = null;
  private building: Promise<CorpusFrequencies> | null = null;

  constructor(
    private readonly store: Store,
    private readonly opts: { maxDocs: number; maxAgeMs?: number; now?: () => number },
  ) {}

  async get(): Promise<CorpusFrequencies> {
    const now = (this.opts.now ?? Date.now)();
    if (this.current && now - this.current.at < (this.opts.maxAgeMs ?? 86_400_000)) return this.current.stats;
    this.building ??= this.count()
      .then((stats) => {
        this.current = { at: now, stats };
        return stats;
      })
      .finally(() => {
        this.building = null;
      });
    return this.building;
  }

  private async count(): Promise<CorpusFrequencies> {
    const df = new Map<string, number>();
    let docs = 0;
    let after: { publishedAt: string | null; id: string } | undefined;
    while (docs < this.opts.maxDocs) {
      const page = await this.store.papers.listNewest(Math.min(PAGE, this.opts.maxDocs - docs), after);
      if (!page.length) break;
      for (const p of page) {
        for (const w of new Set(keyWords(`${p.title} ${p.abstract}`))) df.set(w, (df.get(w) ?? 0) + 1);
      }
      docs += page.length;
      const last = page[page.length - 1];
      after = { publishedAt: last.publishedAt, id: last.id };
      // Yield between pages: the worker's other jobs keep their turn.
      await new Promise((r) => setImmediate(r));
    }
    return { docs, df: (w) => df.get(w) ?? 0 };
  }
}
