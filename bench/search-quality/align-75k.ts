/**
 * What the word alignment (`WordAligner`, bench/search-quality/word-alignment.ts; round 24) costs a
 * similar-papers list on the real corpus (../shared/data/arxiv-listings, ~75k papers) rather than
 * CSFCube's 4,205: the local model trained in-process with the served defaults, every paper's vector
 * and term vector, then for a seeded sample of papers the candidates a list ranks — the 150 nearest
 * vectors (exact) and the 150 best by TF-IDF cosine (a stand-in for the store's BM25 neighbours of the
 * first 64 words, which this bench does not build) — scored by the served mix, and the alignment of
 * the best 60 (and of every candidate) timed in process CPU.
 *
 *   node --import tsx bench/search-quality/align-75k.ts ../shared/data/arxiv-listings [--sample 100]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { LocalEmbedder, paperText, termCosine, type TermVector } from '../../src/search/local-embedder.ts';
import { SIMILAR_WEIGHTS } from '../../src/search/fusion.ts';
import { seededRandom } from '../../src/domain/random.ts';
import { loadCorpus } from './corpus.ts';
import { WordAligner } from './word-alignment.ts';
import { dot, mean } from './csfcube-probe.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { sample: { type: 'string' } } });
if (!positionals[0]) {
  console.error('usage: bench/search-quality/align-75k.ts <arxiv-listings dir> [--sample 100]');
  process.exit(2);
}
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const papers = loadCorpus(positionals[0]);
let t = cpuNow();
const model = LocalEmbedder.train(papers);
console.log(`${papers.length} papers; model trained in ${((cpuNow() - t) / 1000).toFixed(1)} s CPU: ${model.featureCount} features`);
t = cpuNow();
const vec: Float32Array[] = [];
const terms: TermVector[] = [];
for (const p of papers) {
  const e = model.embedOneWithTerms(paperText(p));
  vec.push(e.vector);
  terms.push(e.terms);
}
console.log(`embedded in ${((cpuNow() - t) / 1000).toFixed(1)} s CPU`);
// Postings of the term vectors, for the TF-IDF neighbours.
const postings = new Map<number, Array<[number, number]>>();
terms.forEach((tv, d) => tv.ids.forEach((f, x) => { let l = postings.get(f); if (!l) postings.set(f, (l = [])); l.push([d, tv.weights[x]]); }));
const inner = model as unknown as { projection: Float32Array; projected: number };
const aligner = new WordAligner(inner.projection, inner.projected, model.dimensions);
const random = seededRandom(24);
const sample = Array.from({ length: Number(values.sample ?? 100) }, () => Math.floor(random() * papers.length));
/** The indexes of the k highest scores (the k-th found by a native sort of a copy). */
const top = (scores: Float64Array, k: number) => {
  const kth = Float64Array.from(scores).sort()[scores.length - k];
  const out: number[] = [];
  for (let i = 0; i < scores.length && out.length < k; i++) if (scores[i] >= kth) out.push(i);
  return out;
};
const rows: Array<{ cands: number; union60: number; unionAll: number; nq: number; cpu60: number; cpuAll: number }> = [];
for (const q of sample) {
  const cos = new Float64Array(papers.length);
  for (let i = 0; i < papers.length; i++) cos[i] = dot(vec[q], vec[i]);
  const lex = new Float64Array(papers.length);
  terms[q].ids.forEach((f, x) => { for (const [d, w] of postings.get(f)!) lex[d] += w * terms[q].weights[x]; });
  const set = new Set([...top(cos, SIMILAR_WEIGHTS.candidates), ...top(lex, SIMILAR_WEIGHTS.candidates)]);
  set.delete(q);
  const cands = [...set];
  const served = cands.map((c) => ({ c, s: SIMILAR_WEIGHTS.lexical * termCosine(terms[q], terms[c]) + SIMILAR_WEIGHTS.semantic * cos[c] })).sort((a, b) => b.s - a.s).map((o) => o.c);
  const best60 = served.slice(0, 60).map((c) => terms[c]);
  const all = served.map((c) => terms[c]);
  const distinct = (tvs: TermVector[]) => new Set(tvs.flatMap((tv) => [...tv.ids].filter((f) => f < inner.projected))).size;
  let c0 = cpuNow();
  aligner.align(terms[q], best60);
  const cpu60 = cpuNow() - c0;
  c0 = cpuNow();
  aligner.align(terms[q], all);
  const cpuAll = cpuNow() - c0;
  rows.push({ cands: cands.length, union60: distinct(best60), unionAll: distinct(all), nq: terms[q].ids.filter((f) => f < inner.projected).length, cpu60, cpuAll });
}
const m = (k: keyof (typeof rows)[number]) => mean(rows.map((r) => r[k]));
const sorted = rows.map((r) => r.cpu60).sort((a, b) => a - b);
console.log(`${rows.length} lists: ${m('cands').toFixed(0)} candidates, ${m('nq').toFixed(0)} projected features a paper; the best 60: ${m('union60').toFixed(0)} distinct features, ${m('cpu60').toFixed(1)} ms CPU a list (median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)}, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)}); every candidate: ${m('unionAll').toFixed(0)} features, ${m('cpuAll').toFixed(1)} ms; load ${loadavg()[0].toFixed(2)}`);
console.log(`for ${papers.length} lists on the best 60: ${((m('cpu60') * papers.length) / 60_000).toFixed(0)} CPU-minutes`);
