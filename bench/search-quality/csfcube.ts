/**
 * "Similar papers" quality of the offline embedder on CSFCube (../shared/data/eval/csfcube): for
 * each of the 50 query facets, rank the expert-graded candidate pool by cosine similarity to the
 * query paper and report NDCG at 20 % of the pool (linear gains 0–3). The embedder is trained on
 * the collection's own 4,205 papers, as an instance trains on its own corpus. Plain TF-IDF cosine
 * (same analyser) is measured in the same run as the baseline.
 *
 *   node --import tsx bench/search-quality/csfcube.ts ../shared/data/eval/csfcube [--dims 256]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { tokenize } from '../../src/search/tokenize.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { dims: { type: 'string', default: '256' }, sigma: { type: 'string' } } });
const dir = positionals[0];
if (!dir) {
  console.error('usage: bench/search-quality/csfcube.ts <csfcube dir> [--dims 256]');
  process.exit(2);
}
const papers = new Map<string, { title: string; abstract: string }>();
for (const line of readFileSync(join(dir, 'reconstructed_corpus.jsonl'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const p = JSON.parse(line) as { pid: string; title: string; abstract: string | string[] };
  papers.set(p.pid, { title: p.title, abstract: Array.isArray(p.abstract) ? p.abstract.join(' ') : p.abstract });
}
type Anns = Record<string, { cands: string[]; relevance_adju: number[] }>;
const facets: Array<{ facet: string; qid: string; cands: string[]; rel: number[] }> = [];
for (const facet of ['background', 'method', 'result']) {
  const anns = JSON.parse(readFileSync(join(dir, `test-pid2anns-csfcube-${facet}.json`), 'utf8')) as Anns;
  for (const [qid, a] of Object.entries(anns)) facets.push({ facet, qid, cands: a.cands, rel: a.relevance_adju });
}

function ndcgAt20Percent(scores: number[], rel: number[]): number {
  const k = Math.floor(rel.length * 0.2);
  const order = scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s);
  const dcg = order.slice(0, k).reduce((acc, o, r) => acc + rel[o.i] / Math.log2(r + 2), 0);
  const ideal = rel.slice().sort((a, b) => b - a).slice(0, k).reduce((acc, g, r) => acc + g / Math.log2(r + 2), 0);
  return ideal > 0 ? dcg / ideal : 0;
}

// TF-IDF baseline (sublinear tf, idf over the collection, cosine).
const docs = [...papers.entries()];
const df = new Map<string, number>();
const tfs = new Map<string, Map<string, number>>();
for (const [pid, p] of docs) {
  const m = new Map<string, number>();
  for (const t of tokenize(paperText(p))) m.set(t, (m.get(t) ?? 0) + 1);
  tfs.set(pid, m);
  for (const t of m.keys()) df.set(t, (df.get(t) ?? 0) + 1);
}
const tfidf = new Map<string, Map<string, number>>();
for (const [pid, m] of tfs) {
  const v = new Map<string, number>();
  let norm = 0;
  for (const [t, tf] of m) {
    const w = (1 + Math.log(tf)) * Math.log(docs.length / df.get(t)!);
    v.set(t, w);
    norm += w * w;
  }
  for (const [t, w] of v) v.set(t, w / Math.sqrt(norm || 1));
  tfidf.set(pid, v);
}
const sparseCos = (a: Map<string, number>, b: Map<string, number>) => {
  let s = 0;
  for (const [t, w] of a) s += w * (b.get(t) ?? 0);
  return s;
};

const t = performance.now();
const embedder = LocalEmbedder.train(
  docs.map(([, p]) => p),
  { dimensions: Number(values.dims), ...(values.sigma ? { sigmaExponent: Number(values.sigma) } : {}) },
);
const trainS = (performance.now() - t) / 1000;
const vec = new Map(docs.map(([pid, p]) => [pid, embedder.embedOne(paperText(p))]));
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

const result: Record<string, { tfidf: number[]; lsa: number[]; hybrid: number[] }> = {};
for (const f of facets) {
  const q = f.qid;
  const r = (result[f.facet] ??= { tfidf: [], lsa: [], hybrid: [] });
  const tf = f.cands.map((c) => sparseCos(tfidf.get(q)!, tfidf.get(c)!));
  const ls = f.cands.map((c) => dot(vec.get(q)!, vec.get(c)!));
  r.tfidf.push(ndcgAt20Percent(tf, f.rel));
  r.lsa.push(ndcgAt20Percent(ls, f.rel));
  r.hybrid.push(ndcgAt20Percent(tf.map((x, i) => 0.5 * x + 0.5 * ls[i]), f.rel));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`CSFCube: ${papers.size} papers, ${facets.length} query facets; LSA ${embedder.dimensions} d trained in ${trainS.toFixed(1)} s`);
const all = { tfidf: [] as number[], lsa: [] as number[], hybrid: [] as number[] };
for (const [facet, r] of Object.entries(result)) {
  console.log(`${facet.padEnd(11)} NDCG%20  tf-idf ${mean(r.tfidf).toFixed(3)}  LSA ${mean(r.lsa).toFixed(3)}  0.5·tf-idf+0.5·LSA ${mean(r.hybrid).toFixed(3)}  (n=${r.lsa.length})`);
  all.tfidf.push(...r.tfidf);
  all.lsa.push(...r.lsa);
  all.hybrid.push(...r.hybrid);
}
console.log(`all facets  NDCG%20  tf-idf ${mean(all.tfidf).toFixed(3)}  LSA ${mean(all.lsa).toFixed(3)}  0.5·tf-idf+0.5·LSA ${mean(all.hybrid).toFixed(3)}  (n=${all.lsa.length})`);
