/**
 * Tuning probe for similar papers on CSFCube (not the served path; csfcube.ts measures that): the
 * lexical side and the way it is combined with the latent cosine, each facet's pool ranked directly.
 * The offline model is trained in-process on the 4,205 papers (as csfcube-explore.ts does). Tried,
 * from issue 14's list: BM25-weighted document vectors (k1, b: pivoted length normalisation) and
 * sublinear TF-IDF, title counted twice, word pairs or not; the score mix against z-normalised
 * scores and reciprocal rank fusion; hubness correction (CSLS: a candidate's mean cosine to its 10
 * nearest papers subtracted); Rocchio-style feedback (the query paper's 3–10 nearest papers by the
 * served mix added to it). fold1_dev is what a choice may be made on; fold1_test is shown apart.
 *
 *   node --import tsx bench/search-quality/csfcube-lexical.ts ../shared/data/eval/csfcube
 */
import { loadavg } from 'node:os';
import { LocalEmbedder, paperText, termCosine, type TermVector } from '../../src/search/local-embedder.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { loadCsfcube, ndcgAt20Percent } from './csfcube-data.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: csfcube-lexical.ts <csfcube dir>');
  process.exit(2);
}
const { papers, facets } = loadCsfcube(dir);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const order = (s: number[]) => s.map((x, i) => ({ x, i })).sort((a, b) => b.x - a.x).map((o) => o.i);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const model = LocalEmbedder.train([...papers.values()]);
const vec = new Map<string, Float32Array>();
const terms = new Map<string, TermVector>();
for (const [pid, p] of papers) {
  vec.set(pid, model.embedOne(paperText(p)));
  terms.set(pid, model.termVector(paperText(p)));
}
type Sim = (q: string, c: string) => number;
const latent: Sim = (q, c) => dot(vec.get(q)!, vec.get(c)!);
const modelTfidf: Sim = (q, c) => termCosine(terms.get(q)!, terms.get(c)!);

/** Prints NDCG%20 on both folds for pools ranked by per-candidate scores. */
function report(name: string, scores: (f: (typeof facets)[number]) => number[]): void {
  const by: Record<'dev' | 'test' | 'all', number[]> = { dev: [], test: [], all: [] };
  for (const f of facets) {
    const v = ndcgAt20Percent(order(scores(f)), f.rel);
    by[f.split].push(v);
    by.all.push(v);
  }
  console.log(`${name.padEnd(48)} fold1_dev ${mean(by.dev).toFixed(3)}  fold1_test ${mean(by.test).toFixed(3)}  all ${mean(by.all).toFixed(3)}`);
}
const mix = (lex: number, lexical: Sim): ((f: (typeof facets)[number]) => number[]) => (f) => f.cands.map((c) => lex * lexical(f.qid, c) + (1 - lex) * latent(f.qid, c));
/** Each similarity z-normalised over the pool before the weighted sum. */
const zmix = (parts: Array<[number, Sim]>) => (f: (typeof facets)[number]) => {
  const tot = new Array<number>(f.cands.length).fill(0);
  for (const [w, sim] of parts) {
    const xs = f.cands.map((c) => sim(f.qid, c));
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) || 1;
    xs.forEach((x, i) => (tot[i] += (w * (x - m)) / sd));
  }
  return tot;
};

for (const lex of [0, 0.3, 1]) report(`served shape: model TF-IDF × ${lex} + LSA`, mix(lex, modelTfidf));
for (const w of [0.2, 0.3, 0.5]) report(`z-normalised mix, TF-IDF ${w}`, zmix([[w, modelTfidf], [1 - w, latent]]));
for (const k of [10, 60]) {
  for (const wl of [0.3, 0.5]) {
    report(`RRF k ${k}, TF-IDF weight ${wl}`, (f) => {
      const s = new Array<number>(f.cands.length).fill(0);
      order(f.cands.map((c) => modelTfidf(f.qid, c))).forEach((i, r) => (s[i] += wl / (k + r + 1)));
      order(f.cands.map((c) => latent(f.qid, c))).forEach((i, r) => (s[i] += (1 - wl) / (k + r + 1)));
      return s;
    });
  }
}

// Sparse vectors of our own: unigrams (and adjacent pairs), title counted `titleW` times.
const ids = [...papers.keys()];
const fields = new Map<string, { t: string[]; a: string[] }>();
const df = new Map<string, number>();
for (const [pid, p] of papers) {
  const pairs = (xs: string[]) => xs.slice(1).map((x, i) => `${xs[i]} ${x}`);
  const t = tokenize(p.title);
  const a = tokenize(p.abstract);
  const f = { t: [...t, ...pairs(t)], a: [...a, ...pairs(a)] };
  fields.set(pid, f);
  for (const x of new Set([...f.t, ...f.a])) df.set(x, (df.get(x) ?? 0) + 1);
}
const N = papers.size;
const avgLen = [...fields.values()].reduce((s, x) => s + x.t.length + x.a.length, 0) / N;
interface Weighting {
  scheme: 'tfidf' | 'bm25';
  titleW: number;
  pairs: boolean;
  k1?: number;
  b?: number;
}
function sparse(pid: string, o: Weighting): Map<string, number> {
  const { t, a } = fields.get(pid)!;
  const tf = new Map<string, number>();
  const keep = (x: string) => (o.pairs || !x.includes(' ')) && df.get(x)! >= 2;
  for (const x of t) if (keep(x)) tf.set(x, (tf.get(x) ?? 0) + o.titleW);
  for (const x of a) if (keep(x)) tf.set(x, (tf.get(x) ?? 0) + 1);
  const len = t.length * o.titleW + a.length;
  const v = new Map<string, number>();
  let n2 = 0;
  for (const [x, f] of tf) {
    const d = df.get(x)!;
    const k1 = o.k1 ?? 1.2;
    const b = o.b ?? 0.75;
    const w = o.scheme === 'tfidf' ? (1 + Math.log(f)) * (Math.log((N + 1) / (d + 1)) + 1) : ((f * (k1 + 1)) / (f + k1 * (1 - b + (b * len) / avgLen))) * Math.log(1 + (N - d + 0.5) / (d + 0.5));
    v.set(x, w);
    n2 += w * w;
  }
  const norm = Math.sqrt(n2) || 1;
  for (const [x, w] of v) v.set(x, w / norm);
  return v;
}
const sparseCos = (a: Map<string, number>, b: Map<string, number>) => {
  let s = 0;
  for (const [x, w] of a) s += w * (b.get(x) ?? 0);
  return s;
};
const weightings: Record<string, Weighting> = {
  'TF-IDF words+pairs': { scheme: 'tfidf', titleW: 1, pairs: true },
  'TF-IDF words+pairs, title ×2': { scheme: 'tfidf', titleW: 2, pairs: true },
  'TF-IDF words': { scheme: 'tfidf', titleW: 1, pairs: false },
  'BM25 words+pairs': { scheme: 'bm25', titleW: 1, pairs: true },
  'BM25 words+pairs, title ×2': { scheme: 'bm25', titleW: 2, pairs: true },
  'BM25 words': { scheme: 'bm25', titleW: 1, pairs: false },
  'BM25 words+pairs, b 0.3': { scheme: 'bm25', titleW: 1, pairs: true, b: 0.3 },
  'BM25 words+pairs, k1 0.6': { scheme: 'bm25', titleW: 1, pairs: true, k1: 0.6 },
  'BM25 words+pairs, k1 2': { scheme: 'bm25', titleW: 1, pairs: true, k1: 2 },
};
for (const [name, o] of Object.entries(weightings)) {
  const vs = new Map(ids.map((pid) => [pid, sparse(pid, o)]));
  const lexical: Sim = (q, c) => sparseCos(vs.get(q)!, vs.get(c)!);
  for (const lex of [0.2, 0.3, 0.4, 0.5]) report(`${name} × ${lex} + LSA`, mix(lex, lexical));
  report(`${name} & model TF-IDF (mean) × 0.3 + LSA`, mix(0.3, (q, c) => 0.5 * (lexical(q, c) + modelTfidf(q, c))));
  for (const w of [0.3, 0.5]) report(`${name}, z-normalised ${w}`, zmix([[w, lexical], [1 - w, latent]]));
}

// Whole-collection neighbours: hubness (CSLS) and feedback from the query paper's nearest papers.
const served: Sim = (q, c) => 0.3 * modelTfidf(q, c) + 0.7 * latent(q, c);
const needed = new Set(facets.flatMap((f) => [f.qid, ...f.cands]));
const hub = new Map<string, number>();
for (const pid of needed) hub.set(pid, mean(ids.map((x) => latent(pid, x)).sort((a, b) => b - a).slice(1, 11)));
for (const a of [0.25, 0.5, 1]) report(`CSLS on LSA (a ${a}) + TF-IDF 0.3`, (f) => f.cands.map((c) => 0.3 * modelTfidf(f.qid, c) + 0.7 * (latent(f.qid, c) - a * 0.5 * hub.get(c)!)));
const nearest = new Map<string, string[]>();
for (const f of facets) if (!nearest.has(f.qid)) nearest.set(f.qid, ids.filter((x) => x !== f.qid).map((x) => ({ x, s: served(f.qid, x) })).sort((a, b) => b.s - a.s).slice(0, 10).map((o) => o.x));
for (const k of [3, 5, 10]) {
  for (const beta of [0.3, 0.6, 1]) report(`feedback: ${k} nearest, β ${beta}`, (f) => f.cands.map((c) => served(f.qid, c) + beta * mean(nearest.get(f.qid)!.slice(0, k).map((x) => served(x, c)))));
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
