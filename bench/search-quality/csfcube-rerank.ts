/**
 * Round-21 probe for similar papers on CSFCube: new signals re-ranking the served candidates, on the
 * store `csfcube.ts --keep DIR` made (the real import and reindex, so the model is the served one).
 * Each query paper's list is built as `SearchService.similar(id, 120)` builds it — candidates are the
 * keyword neighbours of its first 64 words (the store's keyword engine, top 150) and its 150 nearest
 * vectors, every candidate scored, the best 120 kept, pool papers outside them unseen — but the score
 * may add signals the service does not compute (yet):
 *
 *  - mlt: Lucene MoreLikeThis-style keyword similarity — the query paper's k terms of highest tf-idf
 *    (terms in ≥ minDf papers) as a weighted BM25 query (title 2 : abstract 1, as the served index),
 *    against every paper; BM25 ÷ the best hit. Optionally its top 150 as a third candidate list;
 *  - cca: a second latent view fitted from title ↔ abstract pairs: canonical correlation analysis of
 *    each paper's title vector against its abstract vector (both from the served model, ridge λ), and
 *    a paper's whole vector projected on the top d canonical directions (scaled by ρ^e), cosine there;
 *  - ridge: a ridge map from a title's vector to its abstract's, cosine of mapped papers or title ↔ abstract across;
 *  - aspects: the query's abstract cut into opening / middle / closing thirds, each scored against
 *    whole candidates (CSFCube grades background, method and result separately against one list);
 *  - centre: the latent side with the mean paper vector (and the top principal directions) removed;
 *  - pooldirect: what the list's cut at 120 costs (each pool ranked directly by the served mix);
 *  - learned: the best dev-fold weights of a coarse grid over lexical / latent / mlt / cca.
 *
 * The emulation is checked, not assumed: each query paper's served-row list is compared with what
 * `services.search.similar(id, 120)` returns on the same store (the run stops if any facet's NDCG
 * differs by more than 0.01; the service's ANN cosines can swap near-ties deep in a list).
 * fold1_dev is what a choice may be made on; fold1_test is printed only for rows named in --heldout.
 *
 *   node --import tsx bench/search-quality/csfcube-rerank.ts ../shared/data/eval/csfcube --db DIR/paperboy.db [--only families] [--heldout 'name,name']
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { termCosine } from '../../src/search/local-embedder.ts';
import { STOPWORDS } from '../../src/search/query.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { symmetricEigen } from '../../src/search/linalg.ts';
import { SIMILAR_WEIGHTS } from '../../src/search/fusion.ts';
import { openCsfcubeProbe, servedCandidates, checkEmulation, ndcgOfPositions, mean, dot } from './csfcube-probe.ts';
import { ndcgAt20Percent, tfidfBaselineLine, type CsfcubeFacet } from './csfcube-data.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, heldout: { type: 'string' }, only: { type: 'string' } } });
const dir = positionals[0];
if (!dir || !values.db) {
  console.error('usage: csfcube-rerank.ts <csfcube dir> --db <store made by csfcube.ts --keep> [--heldout names]');
  process.exit(2);
}
const heldout = new Set((values.heldout ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const only = new Set((values.only ?? 'pooldirect,mlt,cca,ridge,aspects,centre,learned').split(','));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`load average ${load()}`);
const { papers, facets, config, logger, opened, model, engine, ids, at, docs, texts } = await openCsfcubeProbe(dir, values.db);
const vec = texts.map((t) => model.embedOne(t));
const terms = texts.map((t) => model.termVector(t));
const N = ids.length;

// ---- the served candidates (keyword top 150 of the first 64 words, vector top 150) ---------------
const queries = [...new Set(facets.map((f) => f.qid))];
const cand = await servedCandidates(engine, texts, vec, at, queries);

type Sim = (q: number, c: number) => number;
/** A similarity computed once per (query, candidate) pair: the weight grids ask each pair many times. */
const memo = (f: Sim): Sim => {
  const m = new Map<number, number>();
  return (q, c) => {
    const k = q * N + c;
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = f(q, c)));
    return v;
  };
};
const lexical: Sim = memo((q, c) => termCosine(terms[q], terms[c]));
const latent: Sim = memo((q, c) => dot(vec[q], vec[c]));
const mix = (parts: Array<[number, Sim]>): Sim => (q, c) => parts.reduce((s, [w, f]) => (w ? s + w * f(q, c) : s), 0);
const served = mix([[SIMILAR_WEIGHTS.lexical, lexical], [SIMILAR_WEIGHTS.semantic, latent]]);

/** NDCG%20 per facet of the list `sim` ranks (served candidates plus `extra`'s, best 120, the rest of the pool unseen). */
function scores(sim: Sim, extra?: (qid: string) => number[]): Array<CsfcubeFacet & { v: number }> {
  const lists = new Map<string, Map<number, number>>();
  for (const qid of queries) {
    const q = at.get(qid)!;
    const cs = extra ? [...new Set([...cand.get(qid)!, ...extra(qid)])].filter((c) => c !== q) : cand.get(qid)!;
    const ranked = cs.map((c) => ({ c, s: sim(q, c) })).sort((a, b) => b.s - a.s || (ids[a.c] < ids[b.c] ? -1 : 1)).slice(0, 120);
    lists.set(qid, new Map(ranked.map((r, i) => [r.c, i])));
  }
  return facets.map((f) => ({ ...f, v: ndcgOfPositions(f, lists.get(f.qid)!, at) }));
}
function devOf(sim: Sim, extra?: (qid: string) => number[]): number {
  return mean(scores(sim, extra).filter((f) => f.split === 'dev').map((f) => f.v));
}
let servedScores: Array<CsfcubeFacet & { v: number }> | null = null;
/** Mean and standard error of a row's per-facet difference from the served row on one fold (paired: same facets). */
function paired(s: Array<CsfcubeFacet & { v: number }>, split: 'dev' | 'test'): string {
  if (!servedScores) return '';
  const d = s.flatMap((f, i) => (f.split === split ? [f.v - servedScores![i].v] : []));
  const m = mean(d);
  const se = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (d.length - 1) / d.length);
  return `${m >= 0 ? '+' : ''}${m.toFixed(3)} ± ${se.toFixed(3)}`;
}
function report(name: string, sim: Sim, extra?: (qid: string) => number[]): number {
  const s = scores(sim, extra);
  servedScores ??= s;
  const of = (p: (f: (typeof s)[number]) => boolean) => mean(s.filter(p).map((f) => f.v)).toFixed(3);
  const dev = Number(of((f) => f.split === 'dev'));
  const test = heldout.has(name) ? `  fold1_test ${of((f) => f.split === 'test')}  all ${of(() => true)}  (test bg ${of((f) => f.split === 'test' && f.facet === 'background')} me ${of((f) => f.split === 'test' && f.facet === 'method')} re ${of((f) => f.split === 'test' && f.facet === 'result')}; against served, per facet: dev ${paired(s, 'dev')}, test ${paired(s, 'test')})` : '';
  console.log(`${name.padEnd(60)} fold1_dev ${dev.toFixed(3)} (bg ${of((f) => f.split === 'dev' && f.facet === 'background')} me ${of((f) => f.split === 'dev' && f.facet === 'method')} re ${of((f) => f.split === 'dev' && f.facet === 'result')})${test}`);
  return dev;
}

await checkEmulation(
  { config, logger, store: opened.store, at, facets, queries },
  (qid) => {
    const q = at.get(qid)!;
    return cand.get(qid)!.map((c) => ({ c, s: served(q, c) })).sort((a, b) => b.s - a.s || (ids[a.c] < ids[b.c] ? -1 : 1)).slice(0, 120).map((o) => o.c);
  },
  { detail: true },
);
report('served', served);
// The collection's baseline in the same run, as csfcube.ts prints it: TF-IDF cosine over the whole pool.
console.log(tfidfBaselineLine(papers, facets, heldout.size > 0, 60));
report('lexical alone (served candidates)', lexical);
report('latent alone (served candidates)', latent);

// ---- (a) MoreLikeThis: the paper's top-k tf-idf terms as a BM25 query ----------------------------
const mltCache = new Map<string, Float64Array>();
const mltTop = new Map<string, number[]>();
let mltSim: (k: number, minDf: number) => Sim = () => () => 0;
if (only.has('mlt') || only.has('learned')) {
  const t0 = performance.now();
  const index = InvertedIndex.build(ids.map((pid, i) => ({ id: pid, title: docs[i].title, abstract: docs[i].abstract })), { maxQueryTerms: 1000 });
  const toks = texts.map((t) => tokenize(t));
  const df = new Map<string, number>();
  for (const ts of toks) for (const t of new Set(ts)) df.set(t, (df.get(t) ?? 0) + 1);
  mltSim = (k, minDf) => {
    for (const qid of queries) {
      const key = `${k}:${minDf}:${qid}`;
      if (mltCache.has(key)) continue;
      const q = at.get(qid)!;
      const tf = new Map<string, number>();
      for (const t of toks[q]) tf.set(t, (tf.get(t) ?? 0) + 1);
      const scored = [...tf].filter(([t]) => (df.get(t) ?? 0) >= minDf && !STOPWORDS.has(t)).map(([t, n]) => ({ t, w: (1 + Math.log(n)) * Math.log(N / df.get(t)!) }));
      const top = scored.sort((a, b) => b.w - a.w || (a.t < b.t ? -1 : 1)).slice(0, k);
      const hits = index.searchTerms(new Map(top.map((x) => [x.t, x.w])), N);
      const arr = new Float64Array(N);
      const best = hits.find((h) => h.id !== qid)?.score ?? 1;
      for (const h of hits) arr[at.get(h.id)!] = h.score / best;
      mltCache.set(key, arr);
      mltTop.set(key, hits.filter((h) => h.id !== qid).slice(0, SIMILAR_WEIGHTS.candidates).map((h) => at.get(h.id)!));
    }
    return (q, c) => mltCache.get(`${k}:${minDf}:${ids[q]}`)![c];
  };
  console.log(`mlt: index of ${N} papers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
// The whole pool ranked directly (no candidate lists, no cut at 120): what the list's cut costs.
if (only.has('pooldirect')) {
  const s = facets.map((f) => ({ ...f, v: ndcgAt20Percent(f.cands.map((c, i) => ({ i, s: served(at.get(f.qid)!, at.get(c)!) })).sort((a, b) => b.s - a.s).map((o) => o.i), f.rel) }));
  const missing = facets.map((f) => {
    const q = at.get(f.qid)!;
    const top = new Set(cand.get(f.qid)!.map((c) => ({ c, s: served(q, c) })).sort((a, b) => b.s - a.s).slice(0, 120).map((o) => o.c));
    const out = f.cands.map((c, i) => ({ c, r: f.rel[i] })).filter((x) => !top.has(at.get(x.c)!));
    return { n: out.length, rel: out.filter((x) => x.r > 0).length, pool: f.cands.length, relPool: f.rel.filter((r) => r > 0).length };
  });
  const of = (p: (f: (typeof s)[number]) => boolean) => mean(s.filter(p).map((f) => f.v)).toFixed(3);
  console.log(`pool-direct served mix (no cut)                              fold1_dev ${of((f) => f.split === 'dev')}  fold1_test ${of((f) => f.split === 'test')}  all ${of(() => true)}`);
  console.log(`pool papers outside the served top 120: ${missing.reduce((a, m) => a + m.n, 0)} of ${missing.reduce((a, m) => a + m.pool, 0)}; relevant (gain > 0) ones: ${missing.reduce((a, m) => a + m.rel, 0)} of ${missing.reduce((a, m) => a + m.relPool, 0)}`);
}
if (only.has('mlt')) {
  for (const minDf of [2, 5]) {
    for (const k of [10, 25, 50, 100]) {
      const m = mltSim(k, minDf);
      report(`mlt k ${k} minDf ${minDf} alone`, m);
      for (const g of [0.1, 0.2, 0.3]) report(`served + ${g} × mlt k ${k} minDf ${minDf}`, mix([[SIMILAR_WEIGHTS.lexical, lexical], [SIMILAR_WEIGHTS.semantic, latent], [g, m]]));
      report(`0.7 latent + 0.3 mlt k ${k} minDf ${minDf} (mlt for TF-IDF)`, mix([[0.7, latent], [0.3, m]]));
    }
  }
  const m = mltSim(25, 2);
  report('served, + mlt k 25 top 150 as candidates', served, (qid) => mltTop.get(`25:2:${qid}`)!);
}

// ---- (b) CCA of title vectors against abstract vectors ------------------------------------------
let ccaSim: (d: number, e: number, lambda: number) => Sim = () => () => 0;
/** Ridge map W (title vector → abstract vector); `cross`: cos(W t_q, a_c) + cos(a_q, W t_c), else cos(W x_q, W x_c) of whole papers. */
let ridgeSim: (lambda: number, cross: boolean) => Sim = () => () => 0;
if (only.has('cca') || only.has('ridge') || only.has('learned')) {
  const t0 = performance.now();
  const D = model.dimensions;
  const T = docs.map((d) => model.embedOne(d.title));
  const A = docs.map((d) => model.embedOne(d.abstract));
  const centre = (xs: Float32Array[]) => {
    const mu = new Float64Array(D);
    for (const x of xs) for (let j = 0; j < D; j++) mu[j] += x[j] / xs.length;
    return mu;
  };
  const muT = centre(T);
  const muA = centre(A);
  const cov = (xs: Float32Array[], mx: Float64Array, ys: Float32Array[], my: Float64Array) => {
    const c = new Float64Array(D * D);
    for (let n = 0; n < xs.length; n++) {
      const x = xs[n];
      const y = ys[n];
      for (let i = 0; i < D; i++) {
        const xi = x[i] - mx[i];
        for (let j = 0; j < D; j++) c[i * D + j] += (xi * (y[j] - my[j])) / xs.length;
      }
    }
    return c;
  };
  const Ctt = cov(T, muT, T, muT);
  const Caa = cov(A, muA, A, muA);
  const Cta = cov(T, muT, A, muA);
  const mul = (a: Float64Array, b: Float64Array, trA = false, trB = false) => {
    const out = new Float64Array(D * D);
    for (let i = 0; i < D; i++)
      for (let k = 0; k < D; k++) {
        const aik = trA ? a[k * D + i] : a[i * D + k];
        if (!aik) continue;
        for (let j = 0; j < D; j++) out[i * D + j] += aik * (trB ? b[j * D + k] : b[k * D + j]);
      }
    return out;
  };
  const invSqrt = (c: Float64Array, lambda: number) => {
    const tr = Array.from({ length: D }, (_, i) => c[i * D + i]).reduce((a, b) => a + b, 0) / D;
    const reg = Float64Array.from(c);
    for (let i = 0; i < D; i++) reg[i * D + i] += lambda * tr;
    const { values: ev, vectors: V } = symmetricEigen(reg, D);
    const out = new Float64Array(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) out[i * D + j] += (V[i * D + k] * V[j * D + k]) / Math.sqrt(Math.max(ev[k], 1e-12));
    return out;
  };
  const views = new Map<string, Float64Array[]>();
  ccaSim = (d, e, lambda) => {
    const key = `${d}:${e}:${lambda}`;
    if (!views.has(key)) {
      const Wt = invSqrt(Ctt, lambda);
      const Wa = invSqrt(Caa, lambda);
      const M = mul(mul(Wt, Cta), Wa); // whitened cross-covariance
      // SVD of M through the eigenvectors of M Mᵀ (left) and Mᵀ M (right), signs matched by U = M V / ρ.
      const { values: s2, vectors: V } = symmetricEigen(mul(M, M, true, false), D);
      const rho = Array.from(s2, (x) => Math.sqrt(Math.max(x, 0)));
      // Directions in the original space: for titles Wt U, for abstracts Wa V; a whole paper's vector
      // is projected on both and the two halves summed (it holds the title's and the abstract's words).
      const U = new Float64Array(D * D);
      const MV = mul(M, V);
      for (let i = 0; i < D; i++) for (let k = 0; k < D; k++) U[i * D + k] = rho[k] > 1e-9 ? MV[i * D + k] / rho[k] : 0;
      const Pt = mul(Wt, U);
      const Pa = mul(Wa, V);
      const z = vec.map((x) => {
        const out = new Float64Array(d);
        for (let k = 0; k < d; k++) {
          let s = 0;
          for (let i = 0; i < D; i++) s += x[i] * (Pt[i * D + k] + Pa[i * D + k]);
          out[k] = s * rho[k] ** e;
        }
        const n = Math.sqrt(dot(out, out)) || 1;
        for (let k = 0; k < d; k++) out[k] /= n;
        return out;
      });
      if (views.size === 0) console.log(`cca: canonical correlations ${rho.slice(0, 8).map((r) => r.toFixed(3)).join(' ')} … ${rho[d - 1].toFixed(3)} (λ ${lambda})`);
      views.set(key, z);
    }
    const z = views.get(key)!;
    return (q, c) => dot(z[q], z[c]);
  };
  ridgeSim = (lambda, cross) => {
    // W = (Ctt + λ tr/D I)⁻¹ Cta, through the eigenvectors of the regularised Ctt.
    const tr = Array.from({ length: D }, (_, i) => Ctt[i * D + i]).reduce((a, b) => a + b, 0) / D;
    const { values: ev, vectors: V } = symmetricEigen(Ctt, D);
    const inv = new Float64Array(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) inv[i * D + j] += (V[i * D + k] * V[j * D + k]) / (ev[k] + lambda * tr);
    const W = mul(inv, Cta);
    const apply = (x: Float32Array) => {
      const out = new Float64Array(D);
      for (let i = 0; i < D; i++) { const xi = x[i]; if (xi) for (let j = 0; j < D; j++) out[j] += xi * W[i * D + j]; }
      const n = Math.sqrt(dot(out, out)) || 1;
      for (let j = 0; j < D; j++) out[j] /= n;
      return out;
    };
    if (cross) {
      const wt = T.map(apply);
      return memo((q, c) => (dot(wt[q], A[c]) + dot(A[q], wt[c])) / 2);
    }
    const wx = vec.map(apply);
    return memo((q, c) => dot(wx[q], wx[c]));
  };
  ccaSim(64, 0, 1);
  console.log(`cca: title and abstract vectors, covariances and the first view in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
if (only.has('ridge')) {
  for (const lambda of [0.01, 0.1, 1]) {
    for (const cross of [false, true]) {
      const r = ridgeSim(lambda, cross);
      const name = `ridge title→abstract λ ${lambda}${cross ? ' cross' : ' whole'}`;
      report(`${name} alone`, r);
      for (const g of [0.2, 0.5]) report(`served + ${g} × ${name}`, mix([[SIMILAR_WEIGHTS.lexical, lexical], [SIMILAR_WEIGHTS.semantic, latent], [g, r]]));
    }
  }
}
if (only.has('cca')) {
  for (const lambda of [0.01, 0.1, 1]) {
    for (const d of [32, 64, 128]) {
      for (const e of [0, 1]) {
        const c = ccaSim(d, e, lambda);
        report(`cca d ${d} ρ^${e} λ ${lambda} alone`, c);
        for (const g of [0.2, 0.5]) report(`served + ${g} × cca d ${d} ρ^${e} λ ${lambda}`, mix([[SIMILAR_WEIGHTS.lexical, lexical], [SIMILAR_WEIGHTS.semantic, latent], [g, c]]));
        report(`0.3 lexical + 0.7 cca d ${d} ρ^${e} λ ${lambda}`, mix([[0.3, lexical], [0.7, c]]));
      }
    }
  }
}

// ---- (d) aspects: the query's abstract cut by position (opening / middle / closing sentences) ----
// CSFCube grades each query paper three times (background, method, result) against one list; an
// abstract's sentences run roughly in that order. Each third is scored against whole candidates with
// the served mix; the list then serves each aspect's best candidates too (a max over aspects, or
// the best of the ranks), instead of the whole-paper topic alone.
if (only.has('aspects')) {
  const split = (text: string) => text.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).map((x) => x.trim()).filter((x) => x.length > 0);
  const aspectsOf = new Map<number, Array<{ v: Float32Array; t: ReturnType<typeof model.termVector> }>>();
  for (const qid of queries) {
    const q = at.get(qid)!;
    const sents = split(docs[q].abstract);
    const n = sents.length;
    const cut = (a: number, b: number) => sents.slice(Math.floor((a * n) / 3), Math.max(Math.floor((b * n) / 3), Math.floor((a * n) / 3) + 1)).join(' ');
    aspectsOf.set(q, [cut(0, 1), cut(1, 2), cut(2, 3)].map((x) => ({ v: model.embedOne(x), t: model.termVector(x) })));
  }
  const aspect = (a: number): Sim => memo((q, c) => { const x = aspectsOf.get(q)![a]; return SIMILAR_WEIGHTS.lexical * termCosine(x.t, terms[c]) + SIMILAR_WEIGHTS.semantic * dot(x.v, vec[c]); });
  const asp = [aspect(0), aspect(1), aspect(2)];
  for (let a = 0; a < 3; a++) report(`aspect ${['opening', 'middle', 'closing'][a]} third alone`, asp[a]);
  const maxAsp: Sim = (q, c) => Math.max(asp[0](q, c), asp[1](q, c), asp[2](q, c));
  const meanAsp: Sim = (q, c) => (asp[0](q, c) + asp[1](q, c) + asp[2](q, c)) / 3;
  report('max over aspects alone', maxAsp);
  for (const g of [0.25, 0.5, 1]) {
    report(`served + ${g} × max over aspects`, mix([[1, served], [g, maxAsp]]));
    report(`served + ${g} × mean over aspects`, mix([[1, served], [g, meanAsp]]));
  }
  // Rank-level: a candidate's best rank among the whole-paper list and the aspect lists (ranks of
  // the aspect lists stretched by β ≥ 1, so the whole paper leads), the served score breaking ties.
  for (const beta of [1, 2, 3]) {
    const rankOf = new Map<number, Map<number, number>>();
    const ranks = (f: Sim, q: number, key: number) => {
      let m = rankOf.get(key * N + q);
      if (!m) rankOf.set(key * N + q, (m = new Map(cand.get(ids[q])!.map((c) => ({ c, s: f(q, c) })).sort((x, y) => y.s - x.s).map((o, i) => [o.c, i]))));
      return m;
    };
    const fused: Sim = (q, c) => -Math.min(ranks(served, q, 0).get(c)!, ...asp.map((f, a) => beta * ranks(f, q, a + 1).get(c)!)) + 1e-3 * served(q, c);
    report(`best rank over whole + aspects, aspects ×${beta}`, fused);
  }
}

// ---- (e) the latent side centred: the mean paper vector (and the top principal directions) removed --
// Every LSA vector shares a common direction (the corpus's average topic); cosine of raw vectors
// counts it for every pair. "All-but-the-top": subtract the mean, optionally project out the top p
// principal directions of the centred vectors, renormalise.
if (only.has('centre')) {
  const D = model.dimensions;
  const mu = new Float64Array(D);
  for (const x of vec) for (let j = 0; j < D; j++) mu[j] += x[j] / N;
  const C = new Float64Array(D * D);
  for (const x of vec) for (let i = 0; i < D; i++) { const xi = x[i] - mu[i]; for (let j = 0; j < D; j++) C[i * D + j] += (xi * (x[j] - mu[j])) / N; }
  const { values: ev, vectors: E } = symmetricEigen(C, D);
  console.log(`centre: |mean paper vector| ${Math.sqrt(dot(mu, mu)).toFixed(3)}; top variances ${Array.from(ev.slice(0, 4), (x) => x.toFixed(4)).join(' ')}`);
  for (const p of [0, 1, 2, 4]) {
    const z = vec.map((x) => {
      const out = new Float64Array(D);
      for (let j = 0; j < D; j++) out[j] = x[j] - mu[j];
      for (let k = 0; k < p; k++) {
        let pr = 0;
        for (let j = 0; j < D; j++) pr += out[j] * E[j * D + k];
        for (let j = 0; j < D; j++) out[j] -= pr * E[j * D + k];
      }
      const n = Math.sqrt(dot(out, out)) || 1;
      for (let j = 0; j < D; j++) out[j] /= n;
      return out;
    });
    const cen: Sim = memo((q, c) => dot(z[q], z[c]));
    report(`centred latent, top ${p} directions removed, alone`, cen);
    for (const lex of [0.2, 0.3, 0.4]) report(`${lex} lexical + ${(1 - lex).toFixed(1)} centred latent (top ${p} removed)`, mix([[lex, lexical], [1 - lex, cen]]));
  }
}

// ---- (c) a few weights learned on fold1_dev ------------------------------------------------------
if (only.has('learned')) {
  // Each family's dev-best setting above: mlt k 50, minDf 5; cca d 64, ρ^0, λ 1.
  const m = mltSim(50, 5);
  const c = ccaSim(64, 0, 1);
  const grid: Array<{ w: number[]; dev: number }> = [];
  const steps = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  for (const a of steps)
    for (const b of steps)
      for (const g of steps) {
        const h = Math.round((1 - a - b - g) * 10) / 10;
        if (h < 0) continue;
        const w = [a, b, g, h];
        grid.push({ w, dev: devOf(mix([[a, lexical], [b, latent], [g, m], [h, c]])) });
      }
  grid.sort((x, y) => y.dev - x.dev);
  console.log('learned: best weights on fold1_dev (lexical, latent, mlt k 50 minDf 5, cca d 64 ρ^0 λ 1):');
  for (const g of grid.slice(0, 8)) console.log(`  ${g.w.join(' / ')}  fold1_dev ${g.dev.toFixed(3)}`);
  const best = grid[0].w;
  report('served + 0.2 × cca d 64 ρ^0 λ 1', mix([[SIMILAR_WEIGHTS.lexical, lexical], [SIMILAR_WEIGHTS.semantic, latent], [0.2, c]]));
  report(`learned ${best.join('/')}`, mix([[best[0], lexical], [best[1], latent], [best[2], m], [best[3], c]]));
}
console.log(`load average ${load()}`);
await opened.close();
