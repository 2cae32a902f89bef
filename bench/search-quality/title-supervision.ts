/**
 * Round 21: supervision the corpus gives for free — every paper's title is a short human rewording
 * of its abstract — used on the query side of the served hybrid (BM25 with spelling variants,
 * convex 0.7 × BM25/best + 0.3 × exact LSA cosine over BM25's top 100 and the top 100 by cosine;
 * its "bm25" and "served" rows reproduce served.ts's keyword and hybrid figures). Three query-side
 * changes, the documents as served:
 *
 *   - `tm α k θ`: a translation model P(abstract word | title word) (Berger & Lafferty's idea, counted
 *     rather than fitted by EM): for each title word t (in ≥ 3 titles), c(t, a) = papers with t in
 *     the title and a in the abstract; a is kept when c ≥ 3 and its pointwise mutual information
 *     log(c·N / (dfTitle(t)·dfAbstract(a))) ≥ θ, the k best by c / dfTitle(t) = P(a | t). A query adds
 *     each translation a it lacks at weight α × Σ over its words t of P(a | t) (words of the query
 *     that several of its words translate to count more), capped at 1, then BM25 and the served mix.
 *   - `centroid β w`: a query encoder learnt from titles: word t's row is the mean of the stored
 *     vectors of the papers whose title holds t (less the corpus mean), a query the idf-weighted sum
 *     of its words' rows; the cosine side uses normalise(β × LSA query + (1 − β) × that), vector
 *     weight w in the convex mix.
 *   - `ridge λ w`: a 128 × 128 least-squares map M from a title's LSA vector to its paper's vector
 *     (ridge λ), a query embedded as normalise(M × LSA query); vector weight w.
 *
 * Tuning data by default; `--heldout 'name,…'` runs only the held-out half for the named rows.
 * `--sample`: the translation model counts only the reindex's training sample (every step-th paper
 * by id, 25,000 of them), as it would if `paperboy reindex` trained it beside the model.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/title-supervision.ts ../shared/data/arxiv-listings \
 *     --cache /tmp/meaning-search/cache --grid 'tm 0.2 3 1;centroid 0.5 0.3;ridge 100 0.3' [--sample] [--heldout 'tm 0.2 3 1']
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { DEFAULT_LOCAL_EMBEDDER, LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { symmetricEigen } from '../../src/search/linalg.ts';
import { parseQuery } from '../../src/search/query.ts';
import { queryTermsWithVariants } from '../../src/search/spelling-variants.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { cachedVectors } from './cached-vectors.ts';
import { loadCorpus } from './corpus.ts';
import { exploreSets } from './explore-sets.ts';
import { rankOf, score } from './metrics.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { cache: { type: 'string' }, grid: { type: 'string' }, heldout: { type: 'string' }, sample: { type: 'boolean' } } });
if (!positionals[0] || !values.cache || !values.grid) {
  console.error("usage: title-supervision.ts <arxiv-listings dir> --cache DIR --grid 'tm 0.1 5 1;centroid 0.5 0.3' [--heldout 'row,…']");
  process.exit(2);
}
mkdirSync(values.cache, { recursive: true });
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const corpus = loadCorpus(positionals[0]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const byId = new Map(corpus.map((p) => [p.id, p]));
const row = new Map(corpus.map((p, i) => [p.id, i]));
const N = corpus.length;
console.log(`load average ${load()}; ${N} papers`);
const index = InvertedIndex.build(corpus);
const heldoutPicks = values.heldout?.split(',').map((s) => s.trim());
const sets = exploreSets((id) => byId.get(id)!.title, heldoutPicks !== undefined);

// The served model, trained as `paperboy reindex` trains it (the sample fusion-explore.ts takes), cached.
const modelFile = join(values.cache, 'model-default.bin');
let model: LocalEmbedder;
if (existsSync(modelFile)) model = LocalEmbedder.fromBuffer(readFileSync(modelFile));
else {
  const step = Math.max(1, N / DEFAULT_LOCAL_EMBEDDER.maxTrainingDocs);
  const sample = [];
  for (let i = 0, next = 0; i < N; i++) if (i >= next) (sample.push(corpus[i]), (next += step));
  model = LocalEmbedder.train(sample);
  writeFileSync(modelFile, model.toBuffer());
}
const D = model.dimensions;
const vectors = cachedVectors(values.cache, model, corpus);
console.log(`model ${model.id}; load ${load()}`);

const idfOf = (s: string) => {
  const df = index.docFrequency(s);
  return Math.log(1 + (N - df + 0.5) / (df + 0.5));
};
const unit = (v: Float64Array | Float32Array) => {
  let n = 0;
  for (let c = 0; c < v.length; c++) n += v[c] * v[c];
  n = Math.sqrt(n) || 1;
  return Float32Array.from(v, (x) => x / n);
};

/** Title → abstract co-occurrence over the whole corpus: each title word's translations, best first. */
function translationModel(theta: number, k: number): Map<string, Array<{ a: string; p: number }>> {
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const vocab = new Map<string, number>();
  const words: string[] = [];
  const idOf = (s: string) => {
    let id = vocab.get(s);
    if (id === undefined) (id = words.length), words.push(s), vocab.set(s, id);
    return id;
  };
  const titles: Int32Array[] = [];
  const abstracts: Int32Array[] = [];
  // --sample: only the papers the reindex trains the model on (every step-th by id), as a reindex would count them.
  const step = values.sample ? Math.max(1, N / DEFAULT_LOCAL_EMBEDDER.maxTrainingDocs) : 1;
  const papers = [];
  for (let i = 0, next = 0; i < N; i++) if (i >= next) (papers.push(corpus[i]), (next += step));
  const M = papers.length;
  for (const p of papers) {
    titles.push(Int32Array.from(new Set(tokenize(p.title).map(idOf))));
    abstracts.push(Int32Array.from(new Set(tokenize(p.abstract).map(idOf))));
  }
  const V = words.length;
  const dfT = new Int32Array(V);
  const dfA = new Int32Array(V);
  for (let d = 0; d < M; d++) {
    for (const t of titles[d]) dfT[t]++;
    for (const a of abstracts[d]) dfA[a]++;
  }
  // Title postings, so each title word's abstract counts go into one dense array in turn.
  const start = new Int32Array(V + 1);
  for (let t = 0; t < V; t++) start[t + 1] = start[t] + dfT[t];
  const fill = start.slice(0, V);
  const posting = new Int32Array(start[V]);
  for (let d = 0; d < M; d++) for (const t of titles[d]) posting[fill[t]++] = d;
  const counts = new Int32Array(V);
  const touched = new Int32Array(V);
  const out = new Map<string, Array<{ a: string; p: number }>>();
  for (let t = 0; t < V; t++) {
    if (dfT[t] < 3) continue;
    let m = 0;
    for (let x = start[t]; x < start[t + 1]; x++) for (const a of abstracts[posting[x]]) if (counts[a]++ === 0) touched[m++] = a;
    const cands: Array<{ a: number; c: number }> = [];
    for (let x = 0; x < m; x++) {
      const a = touched[x];
      const c = counts[a];
      counts[a] = 0;
      if (a === t || c < 3) continue;
      if (Math.log((c * M) / (dfT[t] * dfA[a])) < theta) continue;
      cands.push({ a, c });
    }
    cands.sort((x, y) => y.c - x.c || x.a - y.a);
    if (cands.length) out.set(words[t], cands.slice(0, k).map(({ a, c }) => ({ a: words[a], p: c / dfT[t] })));
  }
  const cpu = cpuUsage(cpu0);
  console.log(`translation model θ ${theta} k ${k} over ${M} papers: ${out.size} title words, ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (tokenising included), load ${load()}`);
  return out;
}

/** Each title word's row: the mean stored vector of the papers whose title holds it, less the corpus mean. */
function centroidRows(): Map<string, Float32Array> {
  const cpu0 = cpuUsage();
  const mean = new Float64Array(D);
  for (let i = 0; i < N; i++) for (let c = 0; c < D; c++) mean[c] += vectors[i * D + c] / N;
  const sums = new Map<string, { v: Float64Array; n: number }>();
  corpus.forEach((p, i) => {
    for (const s of new Set(tokenize(p.title))) {
      let e = sums.get(s);
      if (!e) sums.set(s, (e = { v: new Float64Array(D), n: 0 }));
      for (let c = 0; c < D; c++) e.v[c] += vectors[i * D + c];
      e.n++;
    }
  });
  const rows = new Map<string, Float32Array>();
  for (const [s, e] of sums) {
    if (e.n < 2) continue;
    const r = new Float32Array(D);
    for (let c = 0; c < D; c++) r[c] = e.v[c] / e.n - mean[c];
    rows.set(s, r);
  }
  const cpu = cpuUsage(cpu0);
  console.log(`centroid rows: ${rows.size} title words, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`);
  return rows;
}

/** M (D × D, row-major, y = M x) minimising Σ |M x_title − y_paper|² + λ|M|² over every paper. */
function ridgeMap(lambda: number): Float64Array {
  const cpu0 = cpuUsage();
  const xtx = new Float64Array(D * D);
  const xty = new Float64Array(D * D);
  corpus.forEach((p, i) => {
    const x = model.embedOne(p.title);
    for (let a = 0; a < D; a++) {
      const xa = x[a];
      for (let b = 0; b < D; b++) (xtx[a * D + b] += xa * x[b]), (xty[a * D + b] += xa * vectors[i * D + b]);
    }
  });
  const { values: ev, vectors: U } = symmetricEigen(xtx, D);
  // (XᵀX + λI)⁻¹ = U diag(1 / (e + λ)) Uᵀ; W = that × XᵀY (D × D, x → y as xᵀW); M = Wᵀ.
  const inv = new Float64Array(D * D);
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) {
    let s = 0;
    for (let c = 0; c < D; c++) s += (U[a * D + c] * U[b * D + c]) / (ev[c] + lambda);
    inv[a * D + b] = s;
  }
  const m = new Float64Array(D * D);
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) {
    let s = 0;
    for (let c = 0; c < D; c++) s += inv[a * D + c] * xty[c * D + b];
    m[b * D + a] = s;
  }
  const cpu = cpuUsage(cpu0);
  console.log(`ridge map λ ${lambda}: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (embedding the titles included)`);
  return m;
}

interface Query {
  id: string;
  text: string;
  terms: string[];
  bm: Array<{ i: number; s: number }>;
  q: Float32Array;
}
const bm25 = (terms: string[] | Map<string, number>) => index.searchTerms(terms, 1000).map((h) => ({ i: row.get(h.id)!, s: h.score }));
const prepared: Record<string, Query[]> = {};
for (const [set, qs] of Object.entries(sets))
  prepared[set] = qs.map((x) => {
    const text = parseQuery(x.query).terms.join(' ');
    const terms = queryTermsWithVariants(text, (s) => index.docFrequency(s));
    return { id: x.id, text, terms, bm: bm25(terms), q: model.embedOne(text) };
  });

/** The served convex mix: BM25 ÷ best over its top 100 with the top 100 by cosine, each scored (1 − w) × BM25 share + w × exact cosine. */
const cosines = new WeakMap<Float32Array, { cos: Float32Array; vecTop: number[] }>();
function cosinesOf(q: Float32Array) {
  let e = cosines.get(q);
  if (!e) {
    const cos = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let c = 0, o = i * D; c < D; c++) s += q[c] * vectors[o + c];
      cos[i] = s;
    }
    e = { cos, vecTop: Array.from({ length: N }, (_, i) => i).sort((a, b) => cos[b] - cos[a] || a - b).slice(0, 100) };
    cosines.set(q, e);
  }
  return e;
}
function served(bm: Array<{ i: number; s: number }>, q: Float32Array, w: number): string[] {
  // Cached per query vector: the keyword-side rows share the served query's cosines.
  const { cos, vecTop: top } = cosinesOf(q);
  const kw = bm.slice(0, 100);
  const best = kw[0]?.s || 1;
  const bmOf = new Map(kw.map((h) => [h.i, h.s]));
  const vecTop = w > 0 ? top : [];
  const pool = new Set([...kw.map((h) => h.i), ...vecTop]);
  const out: Array<[number, number]> = [];
  for (const i of pool) out.push([i, (1 - w) * ((bmOf.get(i) ?? 0) / best) + w * cos[i]]);
  return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 10).map(([i]) => corpus[i].id);
}

type Ranker = (q: Query) => string[];
const rows: Array<[string, Ranker]> = [
  ['bm25', (q) => q.bm.slice(0, 10).map((h) => corpus[h.i].id)],
  ['served', (q) => served(q.bm, q.q, 0.3)],
];
const tms = new Map<string, ReturnType<typeof translationModel>>();
let centroids: Map<string, Float32Array> | undefined;
const ridges = new Map<number, Float64Array>();
for (const spec of values.grid.split(';').map((s) => s.trim())) {
  const [kind, ...args] = spec.split(' ');
  const nums = args.map(Number);
  if (kind === 'tm') {
    const [alpha, k, theta] = nums;
    const key = `${theta} ${k}`;
    if (!tms.has(key)) tms.set(key, translationModel(theta, k));
    const tm = tms.get(key)!;
    const expanded = (q: Query) => {
      const w = new Map<string, number>();
      for (const s of q.terms) w.set(s, (w.get(s) ?? 0) + 1);
      const add = new Map<string, number>();
      for (const s of new Set(q.terms)) for (const { a, p } of tm.get(s) ?? []) if (!w.has(a)) add.set(a, (add.get(a) ?? 0) + alpha * p);
      for (const [a, v] of add) w.set(a, Math.min(1, v));
      return bm25(w);
    };
    rows.push([spec, (q) => served(expanded(q), q.q, 0.3)]);
    rows.push([`${spec} (bm25)`, (q) => expanded(q).slice(0, 10).map((h) => corpus[h.i].id)]);
  } else if (kind === 'centroid') {
    const [beta, w] = nums;
    centroids ??= centroidRows();
    const rowsOf = centroids;
    rows.push([spec, (q) => {
      const v = new Float64Array(D);
      for (const s of q.terms) {
        const r = rowsOf.get(s);
        if (r) for (let c = 0; c < D; c++) v[c] += idfOf(s) * r[c];
      }
      const u = unit(v);
      const mix = new Float64Array(D);
      for (let c = 0; c < D; c++) mix[c] = beta * q.q[c] + (1 - beta) * u[c];
      return served(q.bm, unit(mix), w);
    }]);
  } else if (kind === 'ridge') {
    const [lambda, w] = nums;
    if (!ridges.has(lambda)) ridges.set(lambda, ridgeMap(lambda));
    const m = ridges.get(lambda)!;
    rows.push([spec, (q) => {
      const v = new Float64Array(D);
      for (let a = 0; a < D; a++) {
        let s = 0;
        for (let b = 0; b < D; b++) s += m[a * D + b] * q.q[b];
        v[a] = s;
      }
      return served(q.bm, unit(v), w);
    }]);
  } else throw new Error(`unknown row ${spec}`);
}

for (const [name, rank] of rows) {
  if (heldoutPicks && !['bm25', 'served'].includes(name) && !heldoutPicks.some((h) => name === h || name === `${h} (bm25)`)) continue;
  const cols = Object.entries(prepared).map(([set, qs]) => {
    const s = score(qs.map((q) => rankOf(rank(q), q.id)));
    return `${set} ${s.mrrAt10.toFixed(3)}${heldoutPicks ? ` (R@1 ${s.recallAt1.toFixed(3)} R@10 ${s.recallAt10.toFixed(3)})` : ''}`;
  });
  console.log(`  ${name.padEnd(28)} ${cols.join('  ')}`);
}
console.log(`load average at the end ${load()}`);
