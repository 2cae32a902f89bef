/**
 * The served hybrid search on a store, with a re-ranking hook (`SearchExperiment.rerank`) in the
 * fused list's place: what the meaning probes (rerank.ts, use-fusion.ts, use-sentences.ts) measure
 * through. No `fusion` option: the service picks the fusion for the serving space (REFINED_FUSION),
 * as served. The serving space's ANN index is loaded and one query run before the caller's. Also the
 * held-out run those probes share (`heldOutRun`).
 */
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { openSearch, type SearchService } from '../../src/services/search.ts';
import type { RerankContext } from '../../src/services/search-experiment.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import type { RankedHit } from '../../src/search/fusion.ts';
import { fmt, rankOf, score } from './metrics.ts';

export type RerankHook = (ctx: RerankContext) => Promise<RankedHit[]>;

export async function openHookedSearch(db: string, rerank: RerankHook) {
  const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db });
  const opened = await openStore(config.db);
  const logger = createLogger('warn');
  const services = createServices({ config, logger, store: opened.store });
  const embedder = async () => embedderProvider('local')!.open({ config, store: opened.store, logger });
  const { search, index } = openSearch(opened.store, { engine: new InvertedIndexEngine(opened.store, new StoreKeywordEngine(opened.store)), embedder }, { rerank });
  const space = await index.spaces.serving();
  if (space) await index.vectorIndex(space);
  console.log(`serving ${space?.embedderId}`);
  await search.search({ q: 'warm up', limit: 10 });
  return { search, index, services, close: async () => (await services.close(), await opened.close()) };
}

const rr = (x: number | null) => (x === null ? 0 : 1 / x);

/** How many queries `ranks` answers better and worse than `base`, by reciprocal rank (none in the top 10 counts 0). */
export function pairedCounts(ranks: ReadonlyArray<number | null>, base: ReadonlyArray<number | null>): { better: number; worse: number } {
  return { better: ranks.filter((x, i) => rr(x) > rr(base[i])).length, worse: ranks.filter((x, i) => rr(x) < rr(base[i])).length };
}

/**
 * The queries once through the served search in `mode`, the answer's rank in each top 10, and one
 * printed line: `label`, MRR and recall, the paired counts against `base` (the served hybrid) when
 * given, and the wall time a query. `before` runs ahead of each query: what a probe forgets between
 * queries, so that each measured query pays its own way.
 */
export async function heldOutRun(
  search: SearchService,
  queries: ReadonlyArray<{ id: string; query: string }>,
  opts: { label: string; mode: 'keyword' | 'hybrid'; base?: ReadonlyArray<number | null>; before?: (query: string) => void },
): Promise<Array<number | null>> {
  const ranks: Array<number | null> = [];
  const t0 = performance.now();
  for (const q of queries) {
    opts.before?.(q.query);
    ranks.push(rankOf((await search.search({ q: q.query, mode: opts.mode, limit: 10 })).results.map((x) => x.paper.id), q.id));
  }
  const ms = (performance.now() - t0) / queries.length;
  const pc = opts.base ? pairedCounts(ranks, opts.base) : null;
  console.log(`${opts.label} ${fmt(score(ranks))}${pc ? ` [${pc.better} better / ${pc.worse} worse than served]` : ''}  ${ms.toFixed(0)} ms/query wall`);
  return ranks;
}
