/**
 * Round-23 probe for similar papers on CSFCube: ideas not tried in rounds 15–21, each re-ranking
 * the served candidates on the store `csfcube.ts --keep DIR` made (the real import and reindex, so
 * the model is the served one). A query paper's list is built as `SearchService.similar(id, 120)`
 * builds it — the keyword neighbours of its first 64 words (the store's keyword engine, top 150) and
 * its 150 nearest vectors (of the variant's own vectors when a variant changes them), every candidate
 * scored, the best 120 kept, pool papers outside them unseen (as `csfcube-rerank.ts`; its `served`
 * row is checked against the service here too).
 *
 *  - acronyms: Schwartz–Hearst "long form (SF)" definitions found in the abstracts; a paper's uses of
 *    a short form get its long form (its own definition, or the collection's most frequent one for
 *    papers that use the short form without defining it), added beside the short form or in its
 *    place; the texts then analysed by the served model (term and latent vectors), and optionally by
 *    a model retrained in-process on the expanded texts (against one retrained on the raw texts);
 *  - sif: corpus-trained word vectors — the served model's own latent rows — averaged with SIF weights
 *    a / (a + p(w)) (Arora et al. 2017), p from the collection's feature counts, the first principal
 *    component removed; as the latent side or beside it;
 *  - topk: query-side term selection — only the query paper's k features of highest TF-IDF weight
 *    (renormalised) in the lexical cosine, the latent vector, or both;
 *  - lm: a Dirichlet-smoothed language-model similarity (query likelihood of the query paper's
 *    words under each candidate, μ), z-normalised over the candidates, beside or in place of TF-IDF;
 *  - mp: mutual proximity (Schnitzer et al. 2012), a hubness correction through each paper's
 *    similarity distribution to the whole collection (Gaussian), on the served mix;
 *  - recip: reciprocal neighbours — the query paper's rank among each candidate's own latent neighbours;
 *  - svd: the latent space retrained in-process (power iterations, σ exponent, seeds, an ensemble);
 *  - lsaw: the same randomized SVD of a BM25- or binary-weighted matrix;
 *  - chargrams: character n-gram TF-IDF;
 *  - align / align2: word-level alignment through the model's latent rows (BERTScore-like), and
 *    cheaper shapes of it with their CPU a pair;
 *  - concepts: bag of concepts (the model's feature rows clustered, TF-IDF summed per cluster);
 *  - soft: the alignment's linear relative (each feature's unit row against the other paper's vector).
 * BENCHMARKS.md, "Round 23 (branch `similar-quality`)", has every row's figures.
 *
 * fold1_dev is what a choice may be made on; fold1_test is printed only for rows named in --heldout.
 *
 *   node --import tsx bench/search-quality/csfcube-r23.ts ../shared/data/eval/csfcube --db DIR/paperboy.db [--only families] [--heldout 'name,name']
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { LocalEmbedder, termCosine, type TermVector } from '../../src/search/local-embedder.ts';
import { STOPWORDS } from '../../src/search/query.ts';
import { csrTimesDense, gaussian, gram, orthonormalizeColumns, symmetricEigen, transposeCsr, type Csr } from '../../src/search/linalg.ts';
import { seededRandom } from '../../src/domain/random.ts';
import { SIMILAR_WEIGHTS } from '../../src/search/fusion.ts';
import { openCsfcubeProbe, keywordNeighbours, checkEmulation, ndcgOfPositions, mean, dot } from './csfcube-probe.ts';
import { tfidfBaselineLine, type CsfcubeFacet } from './csfcube-data.ts';
import { alignOneWay, projectedFeatures } from './word-alignment.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, heldout: { type: 'string' }, only: { type: 'string' } } });
const dir = positionals[0];
if (!dir || !values.db) {
  console.error('usage: csfcube-r23.ts <csfcube dir> --db <store made by csfcube.ts --keep> [--only families] [--heldout names]');
  process.exit(2);
}
const heldout = new Set((values.heldout ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const only = new Set((values.only ?? 'acronyms,sif,topk,lm,mp,recip,svd,lsaw,chargrams,align,align2,concepts,soft').split(','));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const cpu0 = process.cpuUsage();
console.log(`load average ${load()}`);
const { papers, facets, config, logger, opened, model, engine, ids, at, docs, texts } = await openCsfcubeProbe(dir, values.db);
const N = ids.length;
const queries = [...new Set(facets.map((f) => f.qid))];

// The keyword neighbours (top 150 of the first 64 words), from the store's keyword engine: they do
// not depend on the model, so every variant shares them.
const keywordCand = await keywordNeighbours(engine, texts, at, queries);

type Vec = ArrayLike<number>;
type Sim = (q: number, c: number) => number;
/** A way of ranking: its latent vectors (they choose the vector neighbours) and its score. */
interface Variant {
  vec: Vec[];
  sim: Sim;
}
const memo = (f: Sim): Sim => {
  const m = new Map<number, number>();
  return (q, c) => {
    const k = q * N + c;
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = f(q, c)));
    return v;
  };
};
const candCache = new WeakMap<Vec[], Map<string, number[]>>();
function candidates(vec: Vec[], qid: string): number[] {
  let m = candCache.get(vec);
  if (!m) candCache.set(vec, (m = new Map()));
  let c = m.get(qid);
  if (!c) {
    const q = at.get(qid)!;
    const cos = vec.map((v, i) => ({ i, s: dot(v, vec[q]) })).sort((a, b) => b.s - a.s).slice(0, SIMILAR_WEIGHTS.candidates);
    const set = new Set<number>([...keywordCand.get(qid)!, ...cos.map((x) => x.i)]);
    set.delete(q);
    m.set(qid, (c = [...set]));
  }
  return c;
}
function listOf(v: Variant, qid: string): number[] {
  const q = at.get(qid)!;
  return candidates(v.vec, qid).map((c) => ({ c, s: v.sim(q, c) })).sort((a, b) => b.s - a.s || (ids[a.c] < ids[b.c] ? -1 : 1)).slice(0, 120).map((o) => o.c);
}
const ndcgOf = (f: CsfcubeFacet, pos: Map<number, number>) => ndcgOfPositions(f, pos, at);
function scores(v: Variant): Array<CsfcubeFacet & { v: number }> {
  const lists = new Map(queries.map((qid) => [qid, new Map(listOf(v, qid).map((c, i) => [c, i]))]));
  return facets.map((f) => ({ ...f, v: ndcgOf(f, lists.get(f.qid)!) }));
}
let servedScores: Array<CsfcubeFacet & { v: number }> | null = null;
function paired(s: Array<CsfcubeFacet & { v: number }>, split: 'dev' | 'test', base = servedScores): string {
  if (!base) return '';
  const d = s.flatMap((f, i) => (f.split === split ? [f.v - base[i].v] : []));
  const m = mean(d);
  const se = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (d.length - 1) / d.length);
  return `${m >= 0 ? '+' : ''}${m.toFixed(3)} ± ${se.toFixed(3)}`;
}
function report(name: string, v: Variant, base?: Array<CsfcubeFacet & { v: number }>): Array<CsfcubeFacet & { v: number }> {
  const s = scores(v);
  servedScores ??= s;
  const of = (p: (f: (typeof s)[number]) => boolean) => mean(s.filter(p).map((f) => f.v)).toFixed(3);
  const test = heldout.has(name) ? `  fold1_test ${of((f) => f.split === 'test')}  all ${of(() => true)}  (test bg ${of((f) => f.split === 'test' && f.facet === 'background')} me ${of((f) => f.split === 'test' && f.facet === 'method')} re ${of((f) => f.split === 'test' && f.facet === 'result')}; against ${base ? 'its baseline' : 'served'}, per facet: dev ${paired(s, 'dev', base)}, test ${paired(s, 'test', base)})` : '';
  console.log(`${name.padEnd(64)} fold1_dev ${of((f) => f.split === 'dev')} (bg ${of((f) => f.split === 'dev' && f.facet === 'background')} me ${of((f) => f.split === 'dev' && f.facet === 'method')} re ${of((f) => f.split === 'dev' && f.facet === 'result')}; Δ ${paired(s, 'dev', base)})${test}`);
  return s;
}
const mixOf = (parts: Array<[number, Sim]>): Sim => (q, c) => parts.reduce((s, [w, f]) => (w ? s + w * f(q, c) : s), 0);

/** Served-shape similarities from a model over a set of texts. */
function spaceOf(m: LocalEmbedder, ts: string[]): { vec: Float32Array[]; terms: TermVector[]; lexical: Sim; latent: Sim } {
  const vec = ts.map((t) => m.embedOne(t));
  const terms = ts.map((t) => m.termVector(t));
  return { vec, terms, lexical: memo((q, c) => termCosine(terms[q], terms[c])), latent: memo((q, c) => dot(vec[q], vec[c])) };
}
const base = spaceOf(model, texts);
const served: Variant = { vec: base.vec, sim: mixOf([[SIMILAR_WEIGHTS.lexical, base.lexical], [SIMILAR_WEIGHTS.semantic, base.latent]]) };

await checkEmulation({ config, logger, store: opened.store, at, facets, queries }, (qid) => listOf(served, qid));
report('served', served);
console.log(tfidfBaselineLine(papers, facets, heldout.size > 0, 64));

// ---- acronyms: Schwartz–Hearst definitions -------------------------------------------------------
/** The long form of `sf` at the end of `before` (Schwartz & Hearst 2003), or null. */
function longForm(sf: string, before: string): string | null {
  const ws = before.trim().split(/\s+/);
  const window = ws.slice(-Math.min(sf.length + 5, sf.length * 2)).join(' ');
  let s = sf.length - 1;
  let l = window.length - 1;
  const alnum = (ch: string | undefined) => !!ch && /[\p{L}\p{N}]/u.test(ch);
  while (s >= 0) {
    const ch = sf[s].toLowerCase();
    if (!alnum(ch)) {
      s--;
      continue;
    }
    while (l >= 0 && (window[l].toLowerCase() !== ch || (s === 0 && l > 0 && alnum(window[l - 1])))) l--;
    if (l < 0) return null;
    l--;
    s--;
  }
  const start = window.lastIndexOf(' ', l) + 1;
  const lf = window.slice(start).replace(/[\s,;:-]+$/, '');
  if (lf.length <= sf.length || lf.split(/\s+/).length < 2 || lf.toLowerCase().includes(sf.toLowerCase())) return null;
  return lf;
}
/** The definitions "long form (SF)" of a text; SF 2–10 characters, a letter first, an upper-case letter in it. */
function definitions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/\(([^()\s;,]{2,10})\)/g)) {
    let sf = m[1];
    if (!/^[\p{L}][\p{L}\p{N}-]*$/u.test(sf) || !/\p{Lu}/u.test(sf) || (sf.match(/\p{L}/gu)?.length ?? 0) < 2) continue;
    if (/^\p{Lu}[\p{Lu}\p{N}-]*s$/u.test(sf)) sf = sf.slice(0, -1); // "CNNs" → "CNN"
    const lf = longForm(sf, text.slice(Math.max(0, m.index! - 200), m.index!));
    if (lf && !out.has(sf)) out.set(sf, lf.toLowerCase());
  }
  return out;
}
if (only.has('acronyms')) {
  const t0 = performance.now();
  const defs = texts.map(definitions);
  const dict = new Map<string, Map<string, number>>();
  for (const d of defs) for (const [sf, lf] of d) dict.set(sf, (dict.get(sf) ?? new Map()).set(lf, (dict.get(sf)?.get(lf) ?? 0) + 1));
  const defined = (sf: string, minDefs: number) => {
    const m = dict.get(sf);
    if (!m) return null;
    const best = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return total >= minDefs ? best[0] : null;
  };
  const nDefs = defs.reduce((a, d) => a + d.size, 0);
  console.log(`acronyms: ${nDefs} definitions in ${defs.filter((d) => d.size).length} of ${N} papers, ${dict.size} short forms, ${[...dict.values()].filter((m) => [...m.values()].reduce((a, b) => a + b, 0) >= 2).length} defined in ≥ 2 papers; e.g. ${[...dict].slice(0, 8).map(([sf, m]) => `${sf} = ${[...m.keys()][0]}`).join('; ')} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
  /** The text with its short forms' uses expanded: `own` its own definitions only, else the collection's (SF defined in ≥ minDefs papers); `replace` the SF, or add the LF beside it. */
  const expand = (i: number, own: boolean, minDefs: number, replace: boolean) => {
    let used = 0;
    const t = texts[i].replace(/(\(?)\b([\p{L}][\p{L}\p{N}-]{1,9})\b(\)?)/gu, (all, open: string, word: string, close: string) => {
      if (open && close) return all; // the definition itself
      let sf = word;
      let lf = own ? defs[i].get(sf) : (defs[i].get(sf) ?? defined(sf, minDefs));
      if (!lf && /s$/.test(word)) {
        sf = word.slice(0, -1);
        lf = own ? defs[i].get(sf) : (defs[i].get(sf) ?? defined(sf, minDefs));
      }
      if (!lf || !/\p{Lu}/u.test(sf)) return all;
      used++;
      return `${open}${replace ? lf : `${word} ${lf}`}${close}`;
    });
    return { t, used };
  };
  const variants: Array<{ name: string; own: boolean; minDefs: number; replace: boolean }> = [
    { name: 'own definitions, LF added', own: true, minDefs: 1, replace: false },
    { name: 'own definitions, LF replaces SF', own: true, minDefs: 1, replace: true },
    { name: 'collection dictionary (≥ 1 def), LF added', own: false, minDefs: 1, replace: false },
    { name: 'collection dictionary (≥ 2 defs), LF added', own: false, minDefs: 2, replace: false },
    { name: 'collection dictionary (≥ 1 def), LF replaces SF', own: false, minDefs: 1, replace: true },
    { name: 'collection dictionary (≥ 2 defs), LF replaces SF', own: false, minDefs: 2, replace: true },
  ];
  const expanded = new Map<string, string[]>();
  for (const v of variants) {
    const out = texts.map((_, i) => expand(i, v.own, v.minDefs, v.replace));
    expanded.set(v.name, out.map((o) => o.t));
    console.log(`acronyms, ${v.name}: ${out.reduce((a, o) => a + o.used, 0)} uses expanded in ${out.filter((o) => o.used).length} papers`);
  }
  {
    const i = texts.findIndex((_, j) => defs[j].size >= 2);
    console.log(`example: ${texts[i].slice(0, 300)}\n  → ${expanded.get(variants[2].name)![i].slice(0, 400)}`);
  }
  // The served model analysing the expanded texts (a reindex would store these term and latent vectors).
  for (const v of variants) {
    const sp = spaceOf(model, expanded.get(v.name)!);
    report(`acronyms (served model): ${v.name}`, { vec: sp.vec, sim: mixOf([[SIMILAR_WEIGHTS.lexical, sp.lexical], [SIMILAR_WEIGHTS.semantic, sp.latent]]) });
  }
  // A model retrained in-process on the expanded texts, against one retrained on the raw texts in
  // the same order (the store's model was trained in the store's order: ± 0.008 from the order alone).
  const train = (ts: string[]) => LocalEmbedder.train(ts.map((t) => ({ title: '', abstract: t })));
  const rawModel = train(texts);
  const raw = spaceOf(rawModel, texts);
  const rawScores = report('retrained on raw texts (baseline of the retrained rows)', { vec: raw.vec, sim: mixOf([[SIMILAR_WEIGHTS.lexical, raw.lexical], [SIMILAR_WEIGHTS.semantic, raw.latent]]) });
  for (const v of variants) {
    const ts = expanded.get(v.name)!;
    const sp = spaceOf(train(ts), ts);
    report(`acronyms (retrained): ${v.name}`, { vec: sp.vec, sim: mixOf([[SIMILAR_WEIGHTS.lexical, sp.lexical], [SIMILAR_WEIGHTS.semantic, sp.latent]]) }, rawScores);
  }
}

// ---- model internals for sif / topk / lm ---------------------------------------------------------
const inner = model as unknown as { projection: Float32Array; projected: number; idf: Float32Array; counter: { count(t: string): number; features: Int32Array; tf: Int32Array; reset(): void } };
/** A text's features (ids) and counts under the served analyser. */
function counts(t: string): Array<[number, number]> {
  const n = inner.counter.count(t);
  const out: Array<[number, number]> = [];
  for (let x = 0; x < n; x++) out.push([inner.counter.features[x], inner.counter.tf[inner.counter.features[x]]]);
  inner.counter.reset();
  return out;
}
const featureCounts = only.has('sif') || only.has('lm') || only.has('topk') || only.has('align') || only.has('lsaw') ? texts.map(counts) : [];
/** The model's projected features' latent rows at unit length (P × D, row-major): what `align`, `align2` and `concepts` compare. */
function unitRows(): Float32Array {
  const D = model.dimensions;
  const P = inner.projected;
  const rows = new Float32Array(P * D);
  for (let f = 0; f < P; f++) {
    let n = 0;
    for (let j = 0; j < D; j++) n += inner.projection[f * D + j] ** 2;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < D; j++) rows[f * D + j] = inner.projection[f * D + j] / n;
  }
  return rows;
}

// ---- sif: SIF-weighted mean of the model's latent rows, first principal component removed --------
if (only.has('sif')) {
  const D = model.dimensions;
  const total = new Float64Array(model.featureCount);
  for (const fc of featureCounts) for (const [f, c] of fc) total[f] += c;
  const mass = total.reduce((a, b) => a + b, 0);
  const sifVectors = (a: number, removePc: number, wordsOnly: boolean): Float64Array[] => {
    const raw = featureCounts.map((fc) => {
      const out = new Float64Array(D);
      let wsum = 0;
      for (const [f, c] of fc) {
        if (f >= inner.projected) continue;
        if (wordsOnly && model.featureName(f).includes(' ')) continue;
        const w = (c * a) / (a + total[f] / mass);
        wsum += c;
        for (let k = 0; k < D; k++) out[k] += w * inner.projection[f * D + k];
      }
      if (wsum) for (let k = 0; k < D; k++) out[k] /= wsum;
      return out;
    });
    if (removePc) {
      // The first principal components (uncentred, as Arora et al.) of the collection's vectors.
      const C = new Float64Array(D * D);
      for (const x of raw) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) C[i * D + j] += x[i] * x[j];
      const { vectors: E } = symmetricEigen(C, D);
      for (const x of raw)
        for (let p = 0; p < removePc; p++) {
          let pr = 0;
          for (let j = 0; j < D; j++) pr += x[j] * E[j * D + p];
          for (let j = 0; j < D; j++) x[j] -= pr * E[j * D + p];
        }
    }
    for (const x of raw) {
      const n = Math.sqrt(dot(x, x)) || 1;
      for (let j = 0; j < D; j++) x[j] /= n;
    }
    return raw;
  };
  for (const a of [1e-3, 1e-4]) {
    for (const pc of [0, 1]) {
      for (const wordsOnly of [false, true]) {
        const z = sifVectors(a, pc, wordsOnly);
        const s: Sim = memo((q, c) => dot(z[q], z[c]));
        const name = `sif a ${a}${pc ? ' pc removed' : ''}${wordsOnly ? ' words only' : ''}`;
        report(`${name}: alone`, { vec: z, sim: s });
        report(`${name}: 0.3 lexical + 0.7 it (for LSA)`, { vec: z, sim: mixOf([[0.3, base.lexical], [0.7, s]]) });
        for (const g of [0.2, 0.35]) report(`${name}: served + ${g} × it`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [g, s]]) });
      }
    }
  }
}

// ---- topk: the query paper's k heaviest features only ----------------------------------------------
if (only.has('topk')) {
  const D = model.dimensions;
  const topTerms = (tv: TermVector, k: number): TermVector => {
    const order = Array.from(tv.ids.keys()).sort((a, b) => tv.weights[b] - tv.weights[a] || tv.ids[a] - tv.ids[b]).slice(0, k).sort((a, b) => tv.ids[a] - tv.ids[b]);
    const w = Float32Array.from(order, (i) => tv.weights[i]);
    const n = Math.sqrt(dot(w, w)) || 1;
    return { ids: Uint32Array.from(order, (i) => tv.ids[i]), weights: w.map((x) => x / n) };
  };
  /** The latent vector from the query's k heaviest (projected) features only. */
  const topVec = (q: number, k: number): Float64Array => {
    const tv = topTerms(base.terms[q], k);
    const out = new Float64Array(D);
    for (let x = 0; x < tv.ids.length; x++) {
      const f = tv.ids[x];
      if (f >= inner.projected) continue;
      for (let j = 0; j < D; j++) out[j] += tv.weights[x] * inner.projection[f * D + j];
    }
    const n = Math.sqrt(dot(out, out)) || 1;
    return out.map((v) => v / n);
  };
  const lengths = base.terms.map((t) => t.ids.length);
  console.log(`topk: features a paper ${mean(lengths).toFixed(1)} on average (min ${Math.min(...lengths)}, max ${Math.max(...lengths)})`);
  for (const k of [10, 20, 30, 50]) {
    const tq = new Map<number, TermVector>();
    const vq = new Map<number, Float64Array>();
    const lex: Sim = memo((q, c) => termCosine(tq.get(q) ?? tq.set(q, topTerms(base.terms[q], k)).get(q)!, base.terms[c]));
    const lat: Sim = memo((q, c) => dot(vq.get(q) ?? vq.set(q, topVec(q, k)).get(q)!, base.vec[c]));
    report(`topk ${k}: lexical side only`, { vec: base.vec, sim: mixOf([[0.3, lex], [0.7, base.latent]]) });
    report(`topk ${k}: latent side only`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, lat]]) });
    report(`topk ${k}: both sides`, { vec: base.vec, sim: mixOf([[0.3, lex], [0.7, lat]]) });
    report(`topk ${k}: served + 0.2 × topk lexical`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [0.2, lex]]) });
  }
}

// ---- lm: Dirichlet-smoothed query likelihood, z-normalised over each query's candidates -----------
if (only.has('lm')) {
  const total = new Float64Array(model.featureCount);
  for (const fc of featureCounts) for (const [f, c] of fc) total[f] += c;
  const mass = total.reduce((a, b) => a + b, 0);
  const len = featureCounts.map((fc) => fc.reduce((a, [, c]) => a + c, 0));
  const maps = featureCounts.map((fc) => new Map(fc));
  const lmRaw = (mu: number, wordsOnly: boolean): Sim =>
    memo((q, c) => {
      let s = 0;
      let qn = 0;
      for (const [f, n] of featureCounts[q]) {
        if (wordsOnly && model.featureName(f).includes(' ')) continue;
        const pc = total[f] / mass;
        s += n * Math.log((((maps[c].get(f) ?? 0) + mu * pc) / (len[c] + mu)) / pc);
        qn += n;
      }
      return s / (qn || 1);
    });
  /** Each query's scores z-normalised over its candidates (the served candidates). */
  const znorm = (f: Sim): Sim => {
    const stats = new Map<number, [number, number]>();
    return (q, c) => {
      let st = stats.get(q);
      if (!st) {
        const xs = candidates(base.vec, ids[q]).map((x) => f(q, x));
        const m = mean(xs);
        stats.set(q, (st = [m, Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) || 1]));
      }
      return (f(q, c) - st[0]) / st[1];
    };
  };
  const zLex = znorm(base.lexical);
  const zLat = znorm(base.latent);
  report('z-normalised served mix (0.3 / 0.7; the z baseline)', { vec: base.vec, sim: mixOf([[0.3, zLex], [0.7, zLat]]) });
  for (const mu of [100, 500, 2000]) {
    for (const wordsOnly of [false, true]) {
      const lm = znorm(lmRaw(mu, wordsOnly));
      const name = `lm μ ${mu}${wordsOnly ? ' words only' : ''}`;
      report(`${name}: alone`, { vec: base.vec, sim: lm });
      report(`${name}: z 0.3 lm + 0.7 latent (for TF-IDF)`, { vec: base.vec, sim: mixOf([[0.3, lm], [0.7, zLat]]) });
      for (const g of [0.1, 0.2]) report(`${name}: z served + ${g} × lm`, { vec: base.vec, sim: mixOf([[0.3, zLex], [0.7, zLat], [g, lm]]) });
    }
  }
}

// ---- mp: mutual proximity over the collection ------------------------------------------------------
if (only.has('mp')) {
  const t0 = performance.now();
  // Each paper's served-mix similarity to every other paper: its mean and standard deviation.
  const mu = new Float64Array(N);
  const sd = new Float64Array(N);
  const row = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) row[j] = i === j ? NaN : 0.3 * termCosine(base.terms[i], base.terms[j]) + 0.7 * dot(base.vec[i], base.vec[j]);
    let s = 0;
    let s2 = 0;
    for (let j = 0; j < N; j++) if (j !== i) (s += row[j]), (s2 += row[j] * row[j]);
    mu[i] = s / (N - 1);
    sd[i] = Math.sqrt(Math.max(s2 / (N - 1) - mu[i] ** 2, 1e-12));
  }
  console.log(`mp: moments of ${N} papers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // Φ by the Abramowitz–Stegun erf.
  const erf = (x: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  };
  const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
  const mp: Sim = (q, c) => {
    const s = served.sim(q, c);
    return phi((s - mu[q]) / sd[q]) * phi((s - mu[c]) / sd[c]);
  };
  // The candidate's own z-score alone (the query's is the same for every candidate of it).
  const zc: Sim = (q, c) => (served.sim(q, c) - mu[c]) / sd[c];
  report('mp: mutual proximity of the served mix', { vec: base.vec, sim: mp });
  report("mp: the candidate's z-score of the served mix", { vec: base.vec, sim: zc });
  for (const g of [0.25, 0.5]) report(`mp: served − ${g} × the candidate's mean similarity`, { vec: base.vec, sim: (q, c) => served.sim(q, c) - g * mu[c] });
}
// ---- svd: the latent space itself — a closer SVD, the σ exponent, an ensemble of seeds ---------------
// All retrained in-process on the store's texts (in the collection's order), against the default
// options retrained the same way: the randomized SVD (1 power iteration, oversample 16) is an
// approximation, and the store's model moves ± 0.008 with the training order alone.
if (only.has('svd')) {
  const train = (o: Partial<Parameters<typeof LocalEmbedder.train>[1]> = {}) => LocalEmbedder.train(docs, o);
  const t0 = performance.now();
  const def = spaceOf(train(), texts);
  console.log(`svd: default retrained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const defScores = report('svd: default options retrained (baseline of the svd rows)', { vec: def.vec, sim: mixOf([[0.3, def.lexical], [0.7, def.latent]]) });
  const rows: Array<[string, Partial<Parameters<typeof LocalEmbedder.train>[1]>]> = [
    ['power iterations 3', { powerIterations: 3 }],
    ['power iterations 6, oversample 64', { powerIterations: 6, oversample: 64 }],
    ['σ^0', { sigmaExponent: 0 }],
    ['σ^1', { sigmaExponent: 1 }],
    ['seed 2', { seed: 2 }],
    ['seed 3', { seed: 3 }],
  ];
  const spaces = new Map<string, ReturnType<typeof spaceOf>>();
  for (const [name, o] of rows) {
    const t1 = performance.now();
    const sp = spaceOf(train(o), texts);
    spaces.set(name, sp);
    report(`svd: ${name} (${((performance.now() - t1) / 1000).toFixed(1)} s)`, { vec: sp.vec, sim: mixOf([[0.3, sp.lexical], [0.7, sp.latent]]) }, defScores);
  }
  // Seeds 1–3 concatenated (each unit, ÷ √3): the dot is the mean of the three latent cosines.
  const ens = (names: ReturnType<typeof spaceOf>[]) => texts.map((_, i) => {
    const out = new Float32Array(names.length * model.dimensions);
    names.forEach((sp, k) => sp.vec[i].forEach((x, j) => (out[k * model.dimensions + j] = x / Math.sqrt(names.length))));
    return out;
  });
  const e3 = ens([def, spaces.get('seed 2')!, spaces.get('seed 3')!]);
  report('svd: ensemble of seeds 1–3 (mean latent cosine)', { vec: e3, sim: mixOf([[0.3, def.lexical], [0.7, memo((q, c) => dot(e3[q], e3[c]))]]) }, defScores);
  const e2 = ens([def, spaces.get('σ^0')!]);
  report('svd: σ^0.5 and σ^0 together (mean latent cosine)', { vec: e2, sim: mixOf([[0.3, def.lexical], [0.7, memo((q, c) => dot(e2[q], e2[c]))]]) }, defScores);
}

// ---- align: word-level soft matching through the model's latent rows (BERTScore-like) -------------
// Each of the query paper's projected features, weighted by its TF-IDF weight, is matched to the
// candidate's most similar feature (cosine of latent rows; the same feature counts 1); the weighted
// mean of those best matches, paper → candidate (recall) and both ways (F1-like mean).
if (only.has('align')) {
  const D = model.dimensions;
  const P = inner.projected;
  const rows = unitRows();
  const feats = base.terms.map((tv) => projectedFeatures(tv, P));
  const oneWay = (a: number, b: number) => alignOneWay(rows, D, feats[a], feats[b]);
  const t0 = performance.now();
  const rec: Sim = memo((q, c) => oneWay(q, c));
  const both: Sim = memo((q, c) => (rec(q, c) + oneWay(c, q)) / 2);
  report('align: paper → candidate alone', { vec: base.vec, sim: rec });
  console.log(`align: one way for every candidate in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  report('align: both ways alone', { vec: base.vec, sim: both });
  for (const g of [0.2, 0.5, 1]) {
    report(`align: served + ${g} × paper → candidate`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [g, rec]]) });
    report(`align: served + ${g} × both ways`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [g, both]]) });
  }
  report('align: 0.3 both ways + 0.7 latent (for TF-IDF)', { vec: base.vec, sim: mixOf([[0.3, both], [0.7, base.latent]]) });
}
// ---- lsa-weights: the SVD of a differently weighted matrix (BM25), the served features ------------
// The served model's SVD factors sublinear TF-IDF rows of unit length. Here the same randomized SVD
// (same features, 128 d, oversample 16, one power iteration, σ^0.5) factors rows weighted otherwise,
// and papers are embedded with the same weights. The 'tf-idf' row redoes the served weighting (a check
// that this re-implementation lands where the served model does).
if (only.has('lsaw')) {
  const D = model.dimensions;
  const P = inner.projected;
  const len = featureCounts.map((fc) => fc.reduce((a, [, c]) => a + c, 0));
  const avg = mean(len);
  type W = (f: number, c: number, doc: number) => number;
  const weightings: Array<[string, W, boolean]> = [
    ['tf-idf (the served weighting)', (f, c) => (1 + Math.log(c)) * inner.idf[f], true],
    ['bm25 k1 1.2 b 0.75, unit rows', (f, c, d) => ((c * 2.2) / (c + 1.2 * (0.25 + (0.75 * len[d]) / avg))) * inner.idf[f], true],
    ['bm25 k1 1.2 b 0.75, raw rows', (f, c, d) => ((c * 2.2) / (c + 1.2 * (0.25 + (0.75 * len[d]) / avg))) * inner.idf[f], false],
    ['bm25 k1 0.6 b 0.75, unit rows', (f, c, d) => ((c * 1.6) / (c + 0.6 * (0.25 + (0.75 * len[d]) / avg))) * inner.idf[f], true],
    ['binary × idf, unit rows', (f) => inner.idf[f], true],
  ];
  for (const [name, w, unit] of weightings) {
    const t0 = performance.now();
    const rowsOf = featureCounts.map((fc, d) => {
      const r = fc.filter(([f]) => f < P).map(([f, c]) => [f, w(f, c, d)] as [number, number]).sort((a, b) => a[0] - b[0]);
      if (unit) {
        const n = Math.sqrt(r.reduce((a, [, x]) => a + x * x, 0)) || 1;
        for (const e of r) e[1] /= n;
      }
      return r;
    });
    const indptr = new Uint32Array(N + 1);
    rowsOf.forEach((r, i) => (indptr[i + 1] = indptr[i] + r.length));
    const a: Csr = { rows: N, cols: P, indptr, indices: Uint32Array.from(rowsOf.flatMap((r) => r.map((e) => e[0]))), values: Float32Array.from(rowsOf.flatMap((r) => r.map((e) => e[1]))) };
    const at = transposeCsr(a);
    const l = D + 16;
    const random = seededRandom(1);
    const omega = new Float64Array(P * l);
    for (let i = 0; i < omega.length; i++) omega[i] = gaussian(random);
    let y = csrTimesDense(a, omega, l);
    orthonormalizeColumns(y, N, l, 1);
    const z = csrTimesDense(at, y, l);
    y = csrTimesDense(a, z, l);
    orthonormalizeColumns(y, N, l);
    const bt = csrTimesDense(at, y, l);
    const { values: ev, vectors } = symmetricEigen(gram(bt, P, l), l);
    const proj = new Float64Array(P * D);
    for (let c = 0; c < D; c++) {
      const sc = Math.pow(Math.sqrt(Math.max(ev[c], 1e-12)), 0.5 - 1);
      for (let f = 0; f < P; f++) {
        let s2 = 0;
        for (let j = 0; j < l; j++) s2 += bt[f * l + j] * vectors[j * l + c];
        proj[f * D + c] = s2 * sc;
      }
    }
    const vec = rowsOf.map((r) => {
      const out = new Float64Array(D);
      for (const [f, x] of r) for (let c = 0; c < D; c++) out[c] += x * proj[f * D + c];
      const n = Math.sqrt(dot(out, out)) || 1;
      return out.map((v) => v / n);
    });
    const lat: Sim = memo((q, c) => dot(vec[q], vec[c]));
    report(`lsaw ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s): latent alone`, { vec, sim: lat });
    report(`lsaw ${name}: 0.3 lexical + 0.7 it`, { vec, sim: mixOf([[0.3, base.lexical], [0.7, lat]]) });
    report(`lsaw ${name}: served + 0.35 × it`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [0.35, lat]]) });
  }
}

// ---- chargrams: character n-gram TF-IDF (3–5 grams of each word, fastText-style boundaries) -------
if (only.has('chargrams')) {
  const t0 = performance.now();
  const gramsOf = (t: string, lo: number, hi: number) => {
    const m = new Map<string, number>();
    for (const w of t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      if (STOPWORDS.has(w)) continue;
      const x = `<${w}>`;
      for (let n = lo; n <= hi; n++) for (let i = 0; i + n <= x.length; i++) m.set(x.slice(i, i + n), (m.get(x.slice(i, i + n)) ?? 0) + 1);
    }
    return m;
  };
  for (const [lo, hi] of [[3, 5], [4, 4]] as const) {
    const gs = texts.map((t) => gramsOf(t, lo, hi));
    const df = new Map<string, number>();
    for (const g of gs) for (const k of g.keys()) df.set(k, (df.get(k) ?? 0) + 1);
    const idOf = new Map([...df.keys()].map((k, i) => [k, i]));
    const tv: TermVector[] = gs.map((g) => {
      const e = [...g].filter(([k]) => df.get(k)! >= 2 && df.get(k)! < N).map(([k, c]) => [idOf.get(k)!, (1 + Math.log(c)) * Math.log(N / df.get(k)!)] as [number, number]).sort((a, b) => a[0] - b[0]);
      const n = Math.sqrt(e.reduce((a, [, x]) => a + x * x, 0)) || 1;
      return { ids: Uint32Array.from(e, (x) => x[0]), weights: Float32Array.from(e, (x) => x[1] / n) };
    });
    const cg: Sim = memo((q, c) => termCosine(tv[q], tv[c]));
    console.log(`chargrams ${lo}–${hi}: ${idOf.size} grams, ${mean(tv.map((t) => t.ids.length)).toFixed(0)} a paper, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    report(`chargrams ${lo}–${hi}: alone`, { vec: base.vec, sim: cg });
    report(`chargrams ${lo}–${hi}: 0.3 it + 0.7 latent (for TF-IDF)`, { vec: base.vec, sim: mixOf([[0.3, cg], [0.7, base.latent]]) });
    for (const g of [0.15, 0.3]) report(`chargrams ${lo}–${hi}: served + ${g} × it`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [g, cg]]) });
  }
}
// ---- recip: reciprocal neighbours — where the query paper ranks among the candidate's own neighbours --
// (latent cosine over the whole collection, what the ANN index gives a reindex cheaply). A candidate
// that also has the query paper among its nearest is a mutual neighbour (Jégou et al.; Zhong et al.
// 2017's k-reciprocal sets); a hub near everything ranks the query paper low.
if (only.has('recip')) {
  const t0 = performance.now();
  const rev = new Map<number, number>(); // q * N + c → rank of q among c's latent neighbours
  const rankOf = (q: number, c: number) => {
    const k = q * N + c;
    let r = rev.get(k);
    if (r === undefined) {
      const s = dot(base.vec[c], base.vec[q]);
      r = 0;
      for (let j = 0; j < N; j++) if (j !== c && j !== q && dot(base.vec[c], base.vec[j]) > s) r++;
      rev.set(k, r);
    }
    return r;
  };
  for (const qid of queries) for (const c of candidates(base.vec, qid)) rankOf(at.get(qid)!, c);
  console.log(`recip: reverse ranks of ${rev.size} candidates in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const K of [10, 25, 50]) for (const g of [0.02, 0.05]) report(`recip: served + ${g} if the paper is in the candidate's top ${K}`, { vec: base.vec, sim: (q, c) => served.sim(q, c) + (rankOf(q, c) < K ? g : 0) });
  for (const g of [0.01, 0.02, 0.04]) report(`recip: served − ${g} × ln(1 + reverse rank)`, { vec: base.vec, sim: (q, c) => served.sim(q, c) - g * Math.log(1 + rankOf(q, c)) });
}
// ---- align2: cheaper forms of the alignment, to see whether one keeps its dev gain ---------------------
// A served form could not do |paper| × |candidate| dot products of 128 for ~280 candidates a list
// (≈ 0.4 s a list). Cheaper shapes: (τ) only matches with cosine ≥ τ count — what a precomputed sparse
// table of each feature's nearest features would give (a thresholded soft match); (k) only the k
// heaviest features of each side; (uni) single words only, no word pairs. Each as served + 0.2 × both ways.
if (only.has('align2')) {
  const D = model.dimensions;
  const P = inner.projected;
  const rows = unitRows();
  type Feats = { ids: number[]; w: number[] };
  const featsOf = (filter: (f: number) => boolean, k: number): Feats[] =>
    base.terms.map((tv) => {
      const keep = Array.from(tv.ids.keys()).filter((x) => tv.ids[x] < P && filter(tv.ids[x])).sort((a, b) => tv.weights[b] - tv.weights[a]).slice(0, k);
      return { ids: keep.map((x) => tv.ids[x]), w: keep.map((x) => tv.weights[x]) };
    });
  /** Each of a's features' best cosine among b's (1 for the same feature). */
  const bests = (fa: Feats, fb: Feats) =>
    fa.ids.map((f) => {
      let best = -1;
      for (const g of fb.ids) {
        if (g === f) return 1;
        let d = 0;
        const o1 = f * D;
        const o2 = g * D;
        for (let j = 0; j < D; j++) d += rows[o1 + j] * rows[o2 + j];
        if (d > best) best = d;
      }
      return best;
    });
  const shapes: Array<[string, Feats[], number[]]> = [
    ['all features', featsOf(() => true, 1e9), [-1, 0.3, 0.4, 0.5, 0.6, 0.7]],
    ['single words only', featsOf((f) => !model.featureName(f).includes(' '), 1e9), [-1, 0.5]],
    ['heaviest 30 a side', featsOf(() => true, 30), [-1, 0.5]],
    ['heaviest 50 a side', featsOf(() => true, 50), [-1, 0.5]],
  ];
  for (const [name, feats, taus] of shapes) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const cache = new Map<number, [number[], number[]]>();
    const pairOf = (q: number, c: number) => {
      const k = q * N + c;
      let v = cache.get(k);
      if (!v) cache.set(k, (v = [bests(feats[q], feats[c]), bests(feats[c], feats[q])]));
      return v;
    };
    for (const qid of queries) for (const c of candidates(base.vec, qid)) pairOf(at.get(qid)!, c);
    const secs = (performance.now() - t0) / 1000;
    const cpuUsed = process.cpuUsage(c0);
    const cpuSecs = (cpuUsed.user + cpuUsed.system) / 1e6;
    console.log(`align2 ${name}: ${mean(feats.map((f) => f.ids.length)).toFixed(0)} features a paper; both ways for ${cache.size} pairs in ${secs.toFixed(1)} s wall, ${cpuSecs.toFixed(1)} s CPU (${((1000 * cpuSecs) / cache.size).toFixed(2)} ms CPU a pair; load ${loadavg()[0].toFixed(1)})`);
    for (const tau of taus) {
      const side = (b: number[], f: Feats) => {
        let s2 = 0;
        let ws = 0;
        b.forEach((x, i) => ((s2 += f.w[i] * (x >= tau ? x : 0)), (ws += f.w[i])));
        return ws ? s2 / ws : 0;
      };
      const both: Sim = (q, c) => {
        const [a, b] = pairOf(q, c);
        return (side(a, feats[q]) + side(b, feats[c])) / 2;
      };
      report(`align2 ${name}${tau > 0 ? `, τ ${tau}` : ''}: served + 0.2 × both ways`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [0.2, both]]) });
    }
  }
}
// ---- concepts: bag of concepts — the model's feature rows clustered (spherical k-means), a paper's
// TF-IDF weights summed per cluster, cosine of those vectors (Kim et al. 2017). A cheap relative of the
// alignment above: a feature matches another of its cluster, and a list scores it like the TF-IDF side.
if (only.has('concepts')) {
  const D = model.dimensions;
  const P = inner.projected;
  const rows = unitRows();
  for (const K of [256, 1024]) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const cent = new Float64Array(K * D);
    for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) cent[k * D + j] = rows[Math.floor((k * P) / K) * D + j];
    const assign = new Int32Array(P);
    for (let it = 0; it < 8; it++) {
      for (let f = 0; f < P; f++) {
        let best = -Infinity;
        for (let k = 0; k < K; k++) {
          let d = 0;
          for (let j = 0; j < D; j++) d += rows[f * D + j] * cent[k * D + j];
          if (d > best) (best = d), (assign[f] = k);
        }
      }
      cent.fill(0);
      for (let f = 0; f < P; f++) for (let j = 0; j < D; j++) cent[assign[f] * D + j] += rows[f * D + j];
      for (let k = 0; k < K; k++) {
        let n = 0;
        for (let j = 0; j < D; j++) n += cent[k * D + j] ** 2;
        n = Math.sqrt(n) || 1;
        for (let j = 0; j < D; j++) cent[k * D + j] /= n;
      }
    }
    const cv = base.terms.map((tv) => {
      const m = new Map<number, number>();
      tv.ids.forEach((f, x) => { if (f < P) m.set(assign[f], (m.get(assign[f]) ?? 0) + tv.weights[x]); });
      const e = [...m].sort((a, b) => a[0] - b[0]);
      const n = Math.sqrt(e.reduce((a, [, w]) => a + w * w, 0)) || 1;
      return { ids: Uint32Array.from(e, (x) => x[0]), weights: Float32Array.from(e, (x) => x[1] / n) };
    });
    const used = process.cpuUsage(c0);
    console.log(`concepts K ${K}: ${P} features clustered in ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU`);
    const con: Sim = memo((q, c) => termCosine(cv[q], cv[c]));
    report(`concepts K ${K}: alone`, { vec: base.vec, sim: con });
    for (const g of [0.1, 0.2, 0.3]) report(`concepts K ${K}: served + ${g} × it`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [g, con]]) });
    report(`concepts K ${K}: 0.3 it + 0.7 latent (for TF-IDF)`, { vec: base.vec, sim: mixOf([[0.3, con], [0.7, base.latent]]) });
  }
}
// ---- soft: the alignment's linear relative — each feature against the other paper's whole vector -----
// Σ_f w_f cos(row_f, v_other) over a paper's features is u · v_other with u = Σ_f w_f row_f / |row_f|
// (÷ Σ w_f): one more vector a paper, a dot product a pair (round 14 tried the query-word form for search).
if (only.has('soft')) {
  const D = model.dimensions;
  const P = inner.projected;
  const u = base.terms.map((tv) => {
    const out = new Float64Array(D);
    let ws = 0;
    tv.ids.forEach((f, x) => {
      if (f >= P) return;
      let n = 0;
      for (let j = 0; j < D; j++) n += inner.projection[f * D + j] ** 2;
      n = Math.sqrt(n) || 1;
      for (let j = 0; j < D; j++) out[j] += (tv.weights[x] * inner.projection[f * D + j]) / n;
      ws += tv.weights[x];
    });
    return out.map((v) => v / (ws || 1));
  });
  const uu = u.map((x) => { const n = Math.sqrt(dot(x, x)) || 1; return x.map((v) => v / n); });
  const soft: Sim = memo((q, c) => (dot(u[q], base.vec[c]) + dot(u[c], base.vec[q])) / 2);
  const softOne: Sim = memo((q, c) => dot(u[q], base.vec[c]));
  const unitRows: Sim = memo((q, c) => dot(uu[q], uu[c]));
  report('soft: both ways alone', { vec: base.vec, sim: soft });
  report('soft: unit-row mean, cosine, alone', { vec: uu, sim: unitRows });
  for (const g of [0.2, 0.5, 1]) {
    report(`soft: served + ${g} × both ways`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [g, soft]]) });
    report(`soft: served + ${g} × paper → candidate`, { vec: base.vec, sim: mixOf([[0.3, base.lexical], [0.7, base.latent], [g, softOne]]) });
  }
  report('soft: 0.3 lexical + 0.7 unit-row cosine', { vec: uu, sim: mixOf([[0.3, base.lexical], [0.7, unitRows]]) });
}
const cpu = process.cpuUsage(cpu0);
console.log(`load average ${load()}; process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
await opened.close();
