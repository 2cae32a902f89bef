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
import { DEFAULT_FUSION, mixSimilar, type SimilarCandidate } from '../../src/search/fusion.ts';
import { openSearch, type SearchService } from '../../src/services/search.ts';
import type { SearchExperiment } from '../../src/services/search-experiment.ts';
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

/**
 * The mixes of a similar list's two similarities that `csfcube.ts --mode` ranks with (round 26
 * measured them, by a patch of `mixSimilar` now replaced by this): `served` is `mixSimilar` itself
 * (no hook: the served code); `z` and `minmax` z-score or min–max scale each similarity over the
 * list's candidates before the convex mix; `rank` mixes each similarity's rank among the candidates
 * as 1 / (60 + rank); `pow<p>` (e.g. `pow2`, `pow0.5`) raises the embedding cosine to the power p,
 * its sign kept. An unknown similarity (NaN) counts 0, as in `mixSimilar`. Undefined for `served`;
 * an unknown mode throws.
 */
export function similarMixOf(mode: string): SearchExperiment['similarMix'] {
  if (mode === 'served') return undefined;
  const fin = (x: number) => (Number.isFinite(x) ? x : 0);
  let transform: (cs: readonly SimilarCandidate[]) => SimilarCandidate[];
  if (mode === 'z' || mode === 'minmax') {
    const norm = (xs: number[]) => {
      if (mode === 'z') {
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) || 1;
        return xs.map((x) => (x - m) / sd);
      }
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return xs.map((x) => (x - lo) / (hi - lo || 1));
    };
    transform = (cs) => {
      const l = norm(cs.map((c) => fin(c.lexical)));
      const s = norm(cs.map((c) => fin(c.semantic)));
      return cs.map((c, i) => ({ id: c.id, lexical: l[i], semantic: s[i] }));
    };
  } else if (mode === 'rank') {
    transform = (cs) => {
      // Ties keep the candidates' order (a stable sort), as the patch did.
      const rank = (key: 'lexical' | 'semantic') => new Map([...cs].sort((a, b) => fin(b[key]) - fin(a[key])).map((c, i) => [c.id, 1 / (60 + i)]));
      const l = rank('lexical');
      const s = rank('semantic');
      return cs.map((c) => ({ id: c.id, lexical: l.get(c.id)!, semantic: s.get(c.id)! }));
    };
  } else if (/^pow\d+(\.\d+)?$/.test(mode)) {
    const p = Number(mode.slice(3));
    transform = (cs) => cs.map((c) => ({ id: c.id, lexical: fin(c.lexical), semantic: Math.sign(fin(c.semantic)) * Math.abs(fin(c.semantic)) ** p }));
  } else throw new Error(`unknown similar mix mode ${mode} (served, z, minmax, rank or pow<p>)`);
  return (candidates, w) => mixSimilar(transform(candidates), w);
}
