/**
 * Round-24 probe for similar papers on CSFCube: round 23's word-level alignment (BERTScore-like,
 * through the model's latent rows; `csfcube-r23.ts --only align`) computed by `WordAligner`
 * (bench/search-quality/word-alignment.ts) — one paper against all its candidates at once — to see what it
 * costs that way, and which served shape of it keeps its dev-fold gain.
 *
 * On the store `csfcube.ts --keep DIR` made (the real import and reindex), each query paper's list
 * is built as `SearchService.similar(id, 120)` builds it — the keyword neighbours of its first 64
 * words (top 150) and its 150 nearest vectors, every candidate scored by the served mix, the best
 * 120 kept (checked against the service on every run, as in rounds 21 and 23). Rows:
 *  - served + g × alignment (both ways), for every candidate;
 *  - top N: only the served mix's best N candidates get the alignment term (the rest follow in
 *    served order) — what a list costs if it aligns N candidates, not ~280;
 *  - shapes of the alignment: one way, sharpened matches (max(0, cos)^p), the mix's weights.
 * Each row prints its per-facet difference from the served row with the paired standard error, and
 * the CPU of the alignment per list (process CPU over the 34 query papers' lists, three passes).
 * The alignment's values are checked against round 23's pair-by-pair form on three query papers.
 *
 * fold1_dev is what a choice may be made on; fold1_test is printed only for rows named in --heldout.
 *
 *   node --import tsx bench/search-quality/csfcube-align.ts ../shared/data/eval/csfcube --db DIR/paperboy.db [--heldout 'name;name']
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { termCosine, type TermVector } from '../../src/search/local-embedder.ts';
import { SIMILAR_WEIGHTS } from '../../src/search/fusion.ts';
import { WordAligner, alignOneWay, projectedFeatures, type Features } from './word-alignment.ts';
import { openCsfcubeProbe, servedCandidates, checkEmulation, ndcgOfPositions, mean, dot } from './csfcube-probe.ts';
import { tfidfBaselineLine, type CsfcubeFacet } from './csfcube-data.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, heldout: { type: 'string' } } });
const dir = positionals[0];
if (!dir || !values.db) {
  console.error('usage: csfcube-align.ts <csfcube dir> --db <store made by csfcube.ts --keep> [--heldout names]');
  process.exit(2);
}
const heldout = new Set((values.heldout ?? '').split(';').map((s) => s.trim()).filter(Boolean));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
console.log(`load average ${load()}`);
const { papers, facets, config, logger, opened, model, engine, ids, at, texts } = await openCsfcubeProbe(dir, values.db);
const inner = model as unknown as { projection: Float32Array; projected: number };
const D = model.dimensions;
const P = inner.projected;
console.log(`${model.featureCount} features, ${P} projected`);
const vec = texts.map((t) => model.embedOne(t));
const terms = texts.map((t) => model.termVector(t));
const queries = [...new Set(facets.map((f) => f.qid))];
const cand = await servedCandidates(engine, texts, vec, at, queries);
const lexical = (q: number, c: number) => termCosine(terms[q], terms[c]);
const latent = (q: number, c: number) => dot(vec[q], vec[c]);
const servedScore = (q: number, c: number) => SIMILAR_WEIGHTS.lexical * lexical(q, c) + SIMILAR_WEIGHTS.semantic * latent(q, c);

/** A ranker gives a query paper's candidates (indexes) their scores, best first after sorting. */
type Ranker = (q: number, cands: number[]) => number[];
const byScore = (cands: number[], s: number[]) => cands.map((c, k) => ({ c, s: s[k] })).sort((a, b) => b.s - a.s || (ids[a.c] < ids[b.c] ? -1 : 1)).map((o) => o.c);
const ndcgOf = (f: CsfcubeFacet, pos: Map<number, number>) => ndcgOfPositions(f, pos, at);
type Scored = CsfcubeFacet & { v: number };
function scores(r: Ranker): Scored[] {
  const lists = new Map(queries.map((qid) => {
    const q = at.get(qid)!;
    const cs = cand.get(qid)!;
    return [qid, new Map(byScore(cs, r(q, cs)).slice(0, 120).map((c, i) => [c, i]))];
  }));
  return facets.map((f) => ({ ...f, v: ndcgOf(f, lists.get(f.qid)!) }));
}
let servedScores: Scored[] | null = null;
function paired(s: Scored[], split: 'dev' | 'test'): string {
  const d = s.flatMap((f, i) => (f.split === split ? [f.v - servedScores![i].v] : []));
  const m = mean(d);
  const se = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (d.length - 1) / d.length);
  return `${m >= 0 ? '+' : ''}${m.toFixed(3)} ± ${se.toFixed(3)}`;
}
function report(name: string, r: Ranker): void {
  const s = scores(r);
  servedScores ??= s;
  const of = (p: (f: Scored) => boolean) => mean(s.filter(p).map((f) => f.v)).toFixed(3);
  const test = heldout.has(name) ? `  fold1_test ${of((f) => f.split === 'test')}  all ${of(() => true)}  (test bg ${of((f) => f.split === 'test' && f.facet === 'background')} me ${of((f) => f.split === 'test' && f.facet === 'method')} re ${of((f) => f.split === 'test' && f.facet === 'result')}; per facet against served: test ${paired(s, 'test')})` : '';
  console.log(`${name.padEnd(60)} fold1_dev ${of((f) => f.split === 'dev')} (bg ${of((f) => f.split === 'dev' && f.facet === 'background')} me ${of((f) => f.split === 'dev' && f.facet === 'method')} re ${of((f) => f.split === 'dev' && f.facet === 'result')}; Δ ${paired(s, 'dev')})${test}`);
}

const served: Ranker = (q, cs) => cs.map((c) => servedScore(q, c));
await checkEmulation({ config, logger, store: opened.store, at, facets, queries }, (qid) => byScore(cand.get(qid)!, served(at.get(qid)!, cand.get(qid)!)).slice(0, 120));
report('served', served);
console.log(tfidfBaselineLine(papers, facets, heldout.size > 0, 60));

// ---- the aligner against round 23's pair-by-pair form ------------------------------------------
const c0 = cpuNow();
const aligner = new WordAligner(inner.projection, P, D);
console.log(`aligner: unit rows of ${P} features built in ${(cpuNow() - c0).toFixed(0)} ms CPU`);
{
  const rows = new Float32Array(P * D);
  for (let f = 0; f < P; f++) {
    let n = 0;
    for (let j = 0; j < D; j++) n += inner.projection[f * D + j] ** 2;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < D; j++) rows[f * D + j] = inner.projection[f * D + j] / n;
  }
  const feats = (tv: TermVector) => projectedFeatures(tv, P);
  // Round 23's loop as it was (csfcube-r23.ts, `align`), timed: the same-run baseline of the cost.
  const oneWay = (fa: Features, fb: Features) => alignOneWay(rows, D, fa, fb);
  let worst = 0;
  let pairs = 0;
  let slowCpu = 0;
  let fastCpu = 0;
  for (const qid of queries.slice(0, 3)) {
    const q = at.get(qid)!;
    const cs = cand.get(qid)!;
    let t = cpuNow();
    const fast = aligner.align(terms[q], cs.map((c) => terms[c]));
    fastCpu += cpuNow() - t;
    const fq = feats(terms[q]);
    const fcs = cs.map((c) => feats(terms[c]));
    t = cpuNow();
    const slow = fcs.map((fc) => (oneWay(fq, fc) + oneWay(fc, fq)) / 2);
    slowCpu += cpuNow() - t;
    cs.forEach((_, k) => { worst = Math.max(worst, Math.abs(fast[k] - slow[k])); pairs++; });
  }
  console.log(`same pairs, CPU: round 23's pair-by-pair loop ${(slowCpu / pairs).toFixed(2)} ms a pair, the aligner ${((1000 * fastCpu) / pairs).toFixed(0)} µs a pair (${(slowCpu / fastCpu).toFixed(1)}×; load ${loadavg()[0].toFixed(1)})`);
  console.log(`aligner against round 23's pair-by-pair alignment: ${pairs} pairs, largest difference ${worst.toExponential(2)}`);
  if (worst > 1e-5) throw new Error('the aligner does not compute round 23\'s alignment');
}

// ---- CPU per list: every candidate, or the served mix's best N --------------------------------
const topBy = (q: number, cs: number[], n: number) => byScore(cs, served(q, cs)).slice(0, n);
for (const n of [Infinity, 120, 60, 40]) {
  let cpu = 0;
  let aligned = 0;
  let unionSize = 0;
  const passes = 3;
  for (let pass = 0; pass < passes; pass++) {
    for (const qid of queries) {
      const q = at.get(qid)!;
      const cs = topBy(q, cand.get(qid)!, n).map((c) => terms[c]);
      const t = cpuNow();
      aligner.align(terms[q], cs);
      cpu += cpuNow() - t;
      aligned += cs.length;
      unionSize += new Set(cs.flatMap((tv) => [...tv.ids].filter((f) => f < P))).size;
    }
  }
  const lists = passes * queries.length;
  console.log(`aligner CPU, ${Number.isFinite(n) ? `the best ${n}` : 'every candidate'}: ${(cpu / lists).toFixed(1)} ms a list (${(aligned / lists).toFixed(0)} candidates, ${(unionSize / lists).toFixed(0)} distinct features, ${mean(queries.map((qid) => terms[at.get(qid)!].ids.filter((f) => f < P).length)).toFixed(0)} the paper's; ${((1000 * cpu) / aligned).toFixed(0)} µs a pair; load ${loadavg()[0].toFixed(1)})`);
}

// ---- quality on fold1_dev --------------------------------------------------------------------------
const alignments = new Map<number, Map<number, number>>();
for (const qid of queries) {
  const q = at.get(qid)!;
  const cs = cand.get(qid)!;
  const a = aligner.align(terms[q], cs.map((c) => terms[c]));
  alignments.set(q, new Map(cs.map((c, k) => [c, a[k]])));
}
const al = (q: number, c: number) => alignments.get(q)!.get(c)!;
/** served + g × alignment for the served mix's best `n` candidates; the rest below them, in served order. */
const withAlignment = (g: number, n = Infinity, lex = SIMILAR_WEIGHTS.lexical, sem = SIMILAR_WEIGHTS.semantic): Ranker => (q, cs) => {
  const top = new Set(topBy(q, cs, n));
  return cs.map((c) => {
    const s = lex * lexical(q, c) + sem * latent(q, c) + g * al(q, c);
    return top.has(c) ? 10 + s : s;
  });
};
for (const g of [0.1, 0.15, 0.2, 0.25, 0.3, 0.4]) report(`served + ${g} × alignment`, withAlignment(g));
for (const n of [120, 80, 60, 40, 30]) report(`served + 0.2 × alignment (the best ${n} only)`, withAlignment(0.2, n));
for (const [lex, sem] of [[0.2, 0.8], [0.25, 0.75], [0.35, 0.65], [0.4, 0.6]]) report(`${lex} lexical + ${sem} latent + 0.2 × alignment`, withAlignment(0.2, Infinity, lex, sem));

// ---- shapes of the alignment ------------------------------------------------------------------------
{
  const sidesOf = (a: WordAligner, power = 1) => {
    const m = new Map<number, Map<number, [number, number]>>();
    for (const qid of queries) {
      const q = at.get(qid)!;
      const cs = cand.get(qid)!;
      const { there, back } = a.alignSides(terms[q], cs.map((c) => terms[c]), power);
      m.set(q, new Map(cs.map((c, k) => [c, [there[k], back[k]]])));
    }
    return m;
  };
  const mixWith = (sides: Map<number, Map<number, [number, number]>>, g: number, f: (t: number, b: number) => number): Ranker => (q, cs) =>
    cs.map((c) => { const [t, b] = sides.get(q)!.get(c)!; return servedScore(q, c) + g * f(t, b); });
  const plain = sidesOf(aligner);
  for (const g of [0.2, 0.4]) report(`served + ${g} × paper → candidate only`, mixWith(plain, g, (t) => t));
  for (const g of [0.2, 0.4]) report(`served + ${g} × candidate → paper only`, mixWith(plain, g, (_, b) => b));
  for (const g of [0.2, 0.3]) report(`served + ${g} × harmonic mean of the sides`, mixWith(plain, g, (t, b) => (t > 0 && b > 0 ? (2 * t * b) / (t + b) : 0)));
  for (const p of [2, 3]) {
    const s = sidesOf(aligner, p);
    for (const g of [0.2, 0.3, 0.5]) report(`served + ${g} × alignment, matches max(0, cos)^${p}`, mixWith(s, g, (t, b) => (t + b) / 2));
  }
  // Column norms of the projection are σ^e of the SVD's dimensions (V's columns are unit): rescaling
  // column c by norm^α moves the rows to another σ exponent; the first k columns are the top of the spectrum.
  const norms = new Float64Array(D);
  for (let f = 0; f < P; f++) for (let j = 0; j < D; j++) norms[j] += inner.projection[f * D + j] ** 2;
  for (let j = 0; j < D; j++) norms[j] = Math.sqrt(norms[j]);
  console.log(`projection column norms: first ${norms[0].toFixed(3)}, 32nd ${norms[31].toFixed(3)}, 64th ${norms[63].toFixed(3)}, last ${norms[D - 1].toFixed(3)}`);
  for (const alpha of [-1, 1, 2]) {
    const proj = new Float32Array(P * D);
    for (let f = 0; f < P; f++) for (let j = 0; j < D; j++) proj[f * D + j] = inner.projection[f * D + j] * norms[j] ** alpha;
    const s = sidesOf(new WordAligner(proj, P, D));
    for (const g of [0.2, 0.3]) report(`served + ${g} × alignment, rows' columns × norm^${alpha}`, mixWith(s, g, (t, b) => (t + b) / 2));
  }
  for (const k of [32, 64]) {
    const proj = new Float32Array(P * k);
    for (let f = 0; f < P; f++) for (let j = 0; j < k; j++) proj[f * k + j] = inner.projection[f * D + j];
    const a = new WordAligner(proj, P, k);
    const s = sidesOf(a);
    report(`served + 0.2 × alignment, first ${k} dimensions`, mixWith(s, 0.2, (t, b) => (t + b) / 2));
    let cpu = 0;
    for (const qid of queries) {
      const q = at.get(qid)!;
      const cs = topBy(q, cand.get(qid)!, 60).map((c) => terms[c]);
      const t = cpuNow();
      a.align(terms[q], cs);
      cpu += cpuNow() - t;
    }
    console.log(`  CPU, first ${k} dimensions, the best 60: ${(cpu / queries.length).toFixed(1)} ms a list (load ${loadavg()[0].toFixed(1)})`);
  }
}
const cpu = process.cpuUsage();
console.log(`load average ${load()}; process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
await opened.close();
