/**
 * What the CSFCube probes (`csfcube-rerank.ts`, round 21; `csfcube-r23.ts`, round 23) start from:
 * the CSFCube pools and facets, the store `csfcube.ts --keep` left (its local model and keyword
 * engine), and every pool paper's text as that store holds it.
 */
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { hasTermVectors, paperText, type LocalEmbedder } from '../../src/search/local-embedder.ts';
import { parseQuery, STOPWORDS, words } from '../../src/search/query.ts';
import { SIMILAR_WEIGHTS } from '../../src/search/fusion.ts';
import { createServices } from '../../src/services/index.ts';
import type { Config } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { loadCsfcube, ndcgAt20Percent, type CsfcubeFacet } from './csfcube-data.ts';

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export async function openCsfcubeProbe(dir: string, db: string) {
  const { papers, facets } = loadCsfcube(dir);
  const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db });
  const logger = createLogger('warn');
  const opened = await openStore(config.db);
  const model = (await embedderProvider('local')!.open({ config, store: opened.store, logger })) as LocalEmbedder;
  if (!model || !hasTermVectors(model)) throw new Error('the store has no local model: run csfcube.ts --keep first');
  const engine = new InvertedIndexEngine(opened.store, new StoreKeywordEngine(opened.store));
  console.log(`model ${model.id}`);
  // Every paper as the store holds it (csfcube.ts imports an empty abstract as the title).
  const ids = [...papers.keys()];
  const at = new Map(ids.map((x, i) => [x, i]));
  const docs = ids.map((pid) => ({ title: papers.get(pid)!.title, abstract: papers.get(pid)!.abstract || papers.get(pid)!.title }));
  const texts = docs.map((d) => paperText(d));
  return { papers, facets, config, logger, opened, model, engine, ids, at, docs, texts };
}

/**
 * Each query paper's keyword neighbours as `similar()` gathers them: the paper's first 64 distinct
 * words (no stopwords, no single letters) as an OR query to the store's keyword engine, the top
 * SIMILAR_WEIGHTS.candidates hits, as indexes into `ids` (the query paper itself may be among them).
 */
export async function keywordNeighbours(engine: InvertedIndexEngine, texts: readonly string[], at: ReadonlyMap<string, number>, qids: Iterable<string>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const qid of qids) {
    const pq = parseQuery('');
    pq.terms = [...new Set(words(texts[at.get(qid)!]).filter((x) => !STOPWORDS.has(x) && x.length > 1))].slice(0, 64);
    const kw = pq.terms.length ? await engine.search(pq, { limit: SIMILAR_WEIGHTS.candidates, sort: 'relevance' }) : [];
    out.set(qid, kw.map((h) => at.get(h.id.replace(/^csfcube:/, ''))!));
  }
  return out;
}

/**
 * Each query paper's served candidates, as `similar()` gathers them: its keyword neighbours
 * (`keywordNeighbours`) and the SIMILAR_WEIGHTS.candidates papers nearest its vector, the paper
 * itself left out; as indexes into `ids`.
 */
export async function servedCandidates(engine: InvertedIndexEngine, texts: readonly string[], vec: readonly ArrayLike<number>[], at: ReadonlyMap<string, number>, qids: readonly string[]): Promise<Map<string, number[]>> {
  const keyword = await keywordNeighbours(engine, texts, at, qids);
  const cand = new Map<string, number[]>();
  for (const qid of qids) {
    const q = at.get(qid)!;
    const cos = vec.map((v, i) => ({ i, s: dot(v, vec[q]) })).sort((a, b) => b.s - a.s).slice(0, SIMILAR_WEIGHTS.candidates);
    const set = new Set<number>([...keyword.get(qid)!, ...cos.map((c) => c.i)]);
    set.delete(q);
    cand.set(qid, [...set]);
  }
  return cand;
}

/**
 * A facet's NDCG@20% for a returned list, given as each returned paper's position (by index into
 * `ids`, as `at` maps them): the facet's candidates outside the list count as not returned.
 */
export function ndcgOfPositions(f: CsfcubeFacet, pos: ReadonlyMap<number, number>, at: ReadonlyMap<string, number>): number {
  const returned = f.cands.flatMap((c, i) => (pos.has(at.get(c)!) ? [{ i, p: pos.get(at.get(c)!)! }] : [])).sort((x, y) => x.p - y.p).map((o) => o.i);
  return ndcgAt20Percent([...returned, ...new Array<number>(f.cands.length - returned.length).fill(-1)], f.rel);
}

/**
 * The emulation against the service itself, checked before any row is read: each query paper's
 * emulated served list (`mine`, its best 120 as indexes into `ids`) beside what
 * `services.search.similar(id, 120)` returns on the same store. The service takes the vector
 * neighbours and their cosines from the ANN index (approximate, its own float arithmetic), the
 * emulation exact dot products, so near-ties can swap deep in a list; what must agree is the
 * measure: throws when a facet's NDCG differs by more than 0.01. `detail` adds the papers the two
 * share and the service's own fold1_dev to the line.
 */
export async function checkEmulation(
  probe: { config: Config; logger: Logger; store: Store; at: ReadonlyMap<string, number>; facets: readonly CsfcubeFacet[]; queries: readonly string[] },
  mine: (qid: string) => number[],
  opts: { detail?: boolean } = {},
): Promise<void> {
  const { at, facets, queries } = probe;
  const services = createServices({ config: probe.config, logger: probe.logger, store: probe.store });
  const theirs = new Map<string, Map<number, number>>();
  const ours = new Map<string, Map<number, number>>();
  let equal = 0;
  let shared = 0;
  for (const qid of queries) {
    const own = mine(qid);
    const list = ((await services.search.similar(`csfcube:${qid}`, 120)) ?? []).map((r) => at.get(r.paper.id.replace(/^csfcube:/, ''))!);
    theirs.set(qid, new Map(list.map((c, i) => [c, i])));
    ours.set(qid, new Map(own.map((c, i) => [c, i])));
    if (own.join() === list.join()) equal++;
    const set = new Set(list);
    shared += own.filter((c) => set.has(c)).length;
  }
  await services.close();
  const diffs = facets.map((f) => Math.abs(ndcgOfPositions(f, theirs.get(f.qid)!, at) - ndcgOfPositions(f, ours.get(f.qid)!, at)));
  const serviceMean = (split: string) => mean(facets.filter((f) => f.split === split).map((f) => ndcgOfPositions(f, theirs.get(f.qid)!, at)));
  const detail = opts.detail ? `, ${shared} of ${queries.length * 120} papers shared; service fold1_dev ${serviceMean('dev').toFixed(3)}` : '';
  console.log(`emulation against services.search.similar(id, 120): ${equal} of ${queries.length} lists identical${detail}; largest per-facet NDCG difference ${Math.max(...diffs).toFixed(4)}`);
  if (Math.max(...diffs) > 0.01) throw new Error('the emulated served list ranks a pool differently from the service: fix the emulation before reading any row');
}
