/**
 * The served services on a store the real CLI made, as the quality benches open them
 * (`refine-served.ts`, `csfcube.ts`), and the background refinement job's own code run on it.
 */
import { loadavg } from 'node:os';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { ModelRefinementService } from '../../src/services/model-refinement.ts';
import { DEFAULT_FUSION } from '../../src/search/fusion.ts';
import { openSearch, type SearchService } from '../../src/services/search.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import type { CsfcubeFacet } from './csfcube-data.ts';
import { ndcgAt20Percent } from './csfcube-data.ts';

export const loadLine = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * The services `serve` builds on `db` (SEARCH_EMBEDDER=local); with `fusion`, a search service like
 * the served one with that fusion fixed instead of chosen by model. Warm: the serving space's ANN
 * index loaded (or rebuilt from the stored vectors) and one query answered before the first
 * measured one, else that query answers keyword-only within its budget, as a server that just
 * started does.
 */
export async function openServed(db: string, fusion?: typeof DEFAULT_FUSION) {
  const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db });
  const opened = await openStore(config.db);
  const logger = createLogger('warn');
  const services = createServices({ config, logger, store: opened.store });
  let search: SearchService = services.search;
  let index = services.searchIndex;
  if (fusion) {
    const embedder = async () => embedderProvider('local')!.open({ config, store: opened.store, logger });
    ({ search, index } = openSearch(opened.store, { engine: new InvertedIndexEngine(opened.store, new StoreKeywordEngine(opened.store)), embedder, fusion }));
  }
  const space = await index.spaces.serving();
  if (space) await index.vectorIndex(space);
  await search.search({ q: 'warm up', limit: 10 });
  return { config, logger, services, search, opened, close: async () => (await services.close(), await opened.close()) };
}

/**
 * What the background job `search:refine-model` does (`ModelRefinementService.run`, its worker
 * thread and the embedding of every paper with the refined model) on `db`, in a process of its
 * own services; prints its CPU (the process's, worker threads included) and wall time.
 */
export async function refineInPlace(db: string): Promise<void> {
  const { opened, close } = await openServed(db);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const run = await new ModelRefinementService(opened.store, { enabled: true, logger: createLogger('warn') }).run();
  const cpu = process.cpuUsage(cpu0);
  if (!run) console.log('refinement job: nothing to do (the stored model is refined and embedded already)');
  else console.log(`refinement job: ${run.from} → ${run.to} on ${run.papers} papers (refinement ${run.seconds} s wall), ${run.embedded} papers embedded, complete ${run.complete}: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU in all, ${((performance.now() - t0) / 1000).toFixed(1)} s wall (load ${loadLine()})`);
  await close();
}

/**
 * NDCG%20 of a facet's pool ranked in the order a served similar list (paper ids) gives; pool
 * papers the list did not return are never seen by a reader: they fill the ranks after it, no gain.
 */
export function similarListNdcg(f: CsfcubeFacet, list: readonly string[]): number {
  const pos = new Map(list.map((id, i) => [id, i]));
  const returned = f.cands.flatMap((c, i) => (pos.has(`csfcube:${c}`) ? [{ i, p: pos.get(`csfcube:${c}`)! }] : [])).sort((x, y) => x.p - y.p).map((o) => o.i);
  return ndcgAt20Percent([...returned, ...new Array<number>(f.cands.length - returned.length).fill(-1)], f.rel);
}
