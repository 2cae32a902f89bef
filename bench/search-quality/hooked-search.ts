/**
 * The served hybrid search on a store, with a re-ranking hook (`SearchExperiment.rerank`) in the
 * fused list's place: what the meaning probes (rerank.ts, use-fusion.ts, use-sentences.ts) measure
 * through. No `fusion` option: the service picks the fusion for the serving space (REFINED_FUSION),
 * as served. The serving space's ANN index is loaded and one query run before the caller's.
 */
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { openSearch } from '../../src/services/search.ts';
import type { RerankContext } from '../../src/services/search-experiment.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import type { RankedHit } from '../../src/search/fusion.ts';

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
