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
import { loadCsfcube } from './csfcube-data.ts';

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
