/**
 * Search by meaning, in-process, on the scoring the served hybrid uses (BM25 with spelling
 * variants, convex 0.7 × BM25/best + 0.3 × exact LSA cosine over BM25's top 100 and the top 100 by
 * cosine): its "bm25" and "served" rows reproduce served.ts's keyword and hybrid figures. Three
 * families of issue 14 not measured before:
 *
 *   - fusion: how the two scores are normalised and weighed (min-max of each side over the pool,
 *     a vector weight that grows when BM25 is unsure — the best hit far below what the query's
 *     words could score — and larger pools);
 *   - the offline model's training recipe (`--models`): each variant of `LocalEmbedderOptions` is
 *     trained here on the sample `paperboy reindex` takes (papers by id, an even step), and every
 *     paper embedded with it (cached under --cache);
 *   - expansion from the model's own term space at low weights (`--expansion`, see `Expansion`);
 *   - query-side term weights (`--termweights`, round 18, see `termWeighter`): residual idf (how much
 *     more a word clusters in few papers than chance would put it), or how close each query word is
 *     to the whole query in the model's space, so generic words of a paraphrase count less; and
 *     (`--sentences 'w λ'`) the cosine side mixing in the candidate's best-matching sentence.
 *
 * Tuning data only by default (meaning-set tuning, tuning2 and tuning3, the older descriptive set and 200 exact
 * titles as guards); `--heldout` runs the meaning held-out half, once, for the configurations named.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/fusion-explore.ts ../shared/data/arxiv-listings \
 *     --cache /tmp/quality/cache --models 'default;projectedFeatures=80000' [--expansion 'word 0.1 3;query 0.05 5']
 *     [--heldout 'default:served,default:minmax 0.4']
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { DEFAULT_LOCAL_EMBEDDER, LocalEmbedder, paperText, type LocalEmbedderOptions } from '../../src/search/local-embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { queryTermsWithVariants } from '../../src/search/spelling-variants.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { loadCorpus } from './corpus.ts';
import { exploreSets } from './explore-sets.ts';
import { rankOf, score } from './metrics.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { cache: { type: 'string' }, models: { type: 'string' }, heldout: { type: 'string' }, only: { type: 'string' }, expansion: { type: 'string' }, termweights: { type: 'string' }, sentences: { type: 'string' } } });
if (!positionals[0] || !values.cache) {
  console.error('usage: fusion-explore.ts <arxiv-listings dir> --cache DIR [--models "default;dimensions=256"] [--heldout "model:config,…"]');
  process.exit(2);
}
mkdirSync(values.cache, { recursive: true });
const corpus = loadCorpus(positionals[0]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const byId = new Map(corpus.map((p) => [p.id, p]));
const row = new Map(corpus.map((p, i) => [p.id, i]));
const N = corpus.length;
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${N} papers`);
let t = performance.now();
const index = InvertedIndex.build(corpus);
const parts = index.toParts();
const termId = new Map(parts.terms.map((s, i) => [s, i]));
console.log(`index built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const heldoutPicks = values.heldout?.split(',').map((s) => s.trim());
const sets = exploreSets((id) => byId.get(id)!.title, heldoutPicks !== undefined);

/** The sample `localEmbedderProvider.train` reads: papers by id, every `step`-th. */
function trainingSample(maxDocs: number) {
  const step = Math.max(1, N / maxDocs);
  const out = [];
  let next = 0;
  for (let i = 0; i < N; i++) if (i >= next) (out.push({ title: corpus[i].title, abstract: corpus[i].abstract }), (next += step));
  return out;
}

function parseModel(spec: string): Partial<LocalEmbedderOptions> {
  if (spec === 'default') return {};
  const o: Record<string, number | boolean | string> = {};
  for (const kv of spec.split(',')) {
    const [k, v] = kv.split('=');
    if (!(k in DEFAULT_LOCAL_EMBEDDER)) throw new Error(`unknown option ${k}`);
    o[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
  }
  return o as Partial<LocalEmbedderOptions>;
}

function modelFor(spec: string): { model: LocalEmbedder; vectors: Float32Array } {
  const key = spec.replace(/[^a-zA-Z0-9=,.]/g, '_');
  const modelFile = join(values.cache!, `model-${key}.bin`);
  let model: LocalEmbedder;
  t = performance.now();
  if (existsSync(modelFile)) model = LocalEmbedder.fromBuffer(readFileSync(modelFile));
  else {
    const o = { ...DEFAULT_LOCAL_EMBEDDER, ...parseModel(spec) };
    model = LocalEmbedder.train(trainingSample(o.maxTrainingDocs), o);
    writeFileSync(modelFile, model.toBuffer());
    console.log(`trained ${spec} (${model.id}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const vecFile = join(values.cache!, `vectors-${model.id}.f32`);
  const D = model.dimensions;
  let vectors: Float32Array;
  if (existsSync(vecFile)) vectors = new Float32Array(new Uint8Array(readFileSync(vecFile)).buffer);
  else {
    t = performance.now();
    vectors = new Float32Array(N * D);
    corpus.forEach((p, i) => vectors.set(model.embedOne(paperText(p)), i * D));
    writeFileSync(vecFile, new Uint8Array(vectors.buffer));
    console.log(`embedded ${N} papers with ${spec} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return { model, vectors };
}

/** What one query needs for every fusion variant: BM25's top 1000, its upper bound, every cosine. */
interface Prepared {
  bm: Array<{ i: number; s: number }>;
  /** The most this query's words could score in one paper (sum of each term's largest impact). */
  upper: number;
  cos: Float32Array;
  vecTop: number[];
}

function prepare(text: string, model: LocalEmbedder, vectors: Float32Array): Prepared {
  const terms = queryTermsWithVariants(text, (s) => index.docFrequency(s));
  const bm = index.searchTerms(terms, 1000).map((h) => ({ i: row.get(h.id)!, s: h.score }));
  const w = new Map<string, number>();
  for (const s of terms) w.set(s, (w.get(s) ?? 0) + 1);
  let upper = 0;
  const ubs = [...w].map(([s, c]) => (termId.has(s) ? parts.maxImpact[termId.get(s)!] * c : 0)).sort((a, b) => b - a);
  for (const u of ubs.slice(0, 16)) upper += u;
  const q = model.embedOne(text);
  const D = model.dimensions;
  const cos = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let c = 0, o = i * D; c < D; c++) s += q[c] * vectors[o + c];
    cos[i] = s;
  }
  const vecTop = Array.from({ length: N }, (_, i) => i).sort((a, b) => cos[b] - cos[a]).slice(0, 300);
  return { bm, upper, cos, vecTop };
}

type Fusion = (p: Prepared) => number[];
/** The served convex mix, generalised: `cand` from each list, each side optionally min-max normalised over the pool. */
function convex(vw: number, o: { cand?: number; minmax?: boolean; adaptive?: { lo: number; hi: number } } = {}): Fusion {
  return (p) => {
    const cand = o.cand ?? 100;
    const kw = p.bm.slice(0, cand);
    const vec = vw > 0 || o.adaptive ? p.vecTop.slice(0, cand) : [];
    const best = kw[0]?.s || 1;
    let w = vw;
    if (o.adaptive) {
      // Unsure BM25 (best hit scores a small share of what the words could): lean on the model.
      const conf = Math.min(1, best / (p.upper || 1));
      w = o.adaptive.hi - (o.adaptive.hi - o.adaptive.lo) * conf;
    }
    const pool = new Set([...kw.map((h) => h.i), ...vec]);
    const bmOf = new Map(kw.map((h) => [h.i, h.s]));
    let cmin = Infinity;
    let cmax = -Infinity;
    for (const i of pool) (cmin = Math.min(cmin, p.cos[i])), (cmax = Math.max(cmax, p.cos[i]));
    const bmin = o.minmax ? (kw[kw.length - 1]?.s ?? 0) : 0;
    const out: Array<[number, number]> = [];
    for (const i of pool) {
      const b = bmOf.get(i);
      const bs = b === undefined ? 0 : o.minmax ? (b - bmin) / (best - bmin || 1) : b / best;
      const cs = o.minmax ? (p.cos[i] - cmin) / (cmax - cmin || 1) : p.cos[i];
      out.push([i, (1 - w) * bs + w * cs]);
    }
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([i]) => i);
  };
}

/**
 * Round 24: reciprocal-rank fusion of BM25's top `cand` and the cosine's top `cand` (each paper
 * (1 − vw) / (k + BM25 rank) + vw / (k + cosine rank), ranks from 1; absent from a list adds 0).
 */
function rrf(k: number, vw: number, cand = 100): Fusion {
  return (p) => {
    const s = new Map<number, number>();
    p.bm.slice(0, cand).forEach((h, r) => s.set(h.i, (s.get(h.i) ?? 0) + (1 - vw) / (k + r + 1)));
    p.vecTop.slice(0, cand).forEach((i, r) => s.set(i, (s.get(i) ?? 0) + vw / (k + r + 1)));
    return [...s].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([i]) => i);
  };
}

const fusions: Array<[string, Fusion]> = [
  ['bm25', (p) => p.bm.map((h) => h.i)],
  ['served', convex(0.3)],
  ['vector', (p) => p.vecTop],
];
for (const vw of [0.2, 0.4, 0.5]) fusions.push([`convex ${vw}`, convex(vw)]);
for (const vw of [0.2, 0.3, 0.4, 0.5]) fusions.push([`minmax ${vw}`, convex(vw, { minmax: true })]);
for (const [lo, hi] of [[0.2, 0.5], [0.3, 0.6], [0.3, 0.8], [0.2, 0.7]]) fusions.push([`adaptive ${lo}-${hi}`, convex(0, { adaptive: { lo, hi } })]);
for (const cand of [200, 300]) fusions.push([`convex 0.3 cand${cand}`, convex(0.3, { cand })]);
for (const cand of [200, 300]) fusions.push([`minmax 0.3 cand${cand}`, convex(0.3, { cand, minmax: true })]);
for (const [k, vw] of [[60, 0.5], [60, 0.3], [20, 0.3], [20, 0.4]]) fusions.push([`rrf ${k} ${vw}`, rrf(k, vw)]);

/**
 * Query expansion from the model's own term space (issue 14 idea 1, at low weights, which the
 * earlier round's ×2–3 original-word runs did not try): `per` nearest unigram features, by the
 * cosine of their latent rows, either to each rare query word (`word`: df < 0.5 % of papers) or to
 * the whole query's vector (`query`), added at `alpha`, the idf capped at the source word's.
 */
interface Expansion {
  alpha: number;
  per: number;
  from: 'word' | 'query';
  minCos: number;
}
function expansionRunner(model: LocalEmbedder) {
  const D = model.dimensions;
  const feats: string[] = [];
  for (let f = 0; f < Math.min(model.featureCount, DEFAULT_LOCAL_EMBEDDER.projectedFeatures); f++) {
    const name = model.featureName(f);
    if (!name.includes(' ') && /^[a-z]{3,}$/.test(name) && index.docFrequency(name) > 0) feats.push(name);
  }
  const rows = new Float32Array(feats.length * D);
  feats.forEach((f, i) => rows.set(model.embedOne(f), i * D));
  const nearest = (v: Float32Array, k: number, minCos: number) => {
    const out: Array<{ f: string; c: number }> = [];
    for (let i = 0; i < feats.length; i++) {
      let c = 0;
      for (let d = 0, o = i * D; d < D; d++) c += v[d] * rows[o + d];
      if (c >= minCos) out.push({ f: feats[i], c });
    }
    return out.sort((a, b) => b.c - a.c).slice(0, k);
  };
  const idfOf = (stem: string) => {
    const df = index.docFrequency(stem);
    return Math.log(1 + (N - df + 0.5) / (df + 0.5));
  };
  return (text: string, x: Expansion, p: Prepared): Prepared => {
    const terms = queryTermsWithVariants(text, (s) => index.docFrequency(s));
    const w = new Map<string, number>();
    for (const s of terms) w.set(s, (w.get(s) ?? 0) + 1);
    const added = new Map<string, number>();
    const sources = x.from === 'word' ? [...new Set(terms)].filter((s) => index.docFrequency(s) < 0.005 * N) : [text];
    for (const src of sources) {
      const cap = x.from === 'word' ? idfOf(src) : Infinity;
      for (const { f } of nearest(model.embedOne(src), x.per + 1, x.minCos)) {
        if (w.has(f)) continue;
        const weight = x.alpha * Math.min(1, cap / idfOf(f));
        added.set(f, Math.max(added.get(f) ?? 0, weight));
      }
    }
    for (const [f, v] of added) w.set(f, v);
    return { ...p, bm: index.searchTerms(w, 1000).map((h) => ({ i: row.get(h.id)!, s: h.score })) };
  };
}

/**
 * Round 18: reweights the query's words before BM25 (the cosine side is unchanged). `ridf a`: weight
 * (residual idf ÷ the query's mean)^a, residual idf = observed idf − the idf a Poisson spread of
 * the word's occurrences would give (content words cluster in few papers; generic ones do not);
 * `central a f`: weight max(f, cosine of the word's latent vector to the query's)^a.
 */
function termWeighter(model: LocalEmbedder) {
  const cf = new Map<string, number>();
  for (const p of corpus) for (const s of tokenize(`${p.title} ${p.abstract}`)) cf.set(s, (cf.get(s) ?? 0) + 1);
  const ridf = (s: string) => {
    const df = index.docFrequency(s);
    const c = cf.get(s) ?? 0;
    if (!df || !c) return 1;
    return Math.max(0.05, -Math.log2(df / N) + Math.log2(1 - Math.exp(-c / N)));
  };
  return (text: string, spec: string, p: Prepared): Prepared => {
    const [kind, a, floor] = spec.split(' ');
    const terms = queryTermsWithVariants(text, (s) => index.docFrequency(s));
    const counts = new Map<string, number>();
    for (const s of terms) counts.set(s, (counts.get(s) ?? 0) + 1);
    const raw = new Map<string, number>();
    if (kind === 'ridf') for (const s of counts.keys()) raw.set(s, ridf(s));
    else {
      const qv = model.embedOne(text);
      for (const s of counts.keys()) {
        const v = model.embedOne(s);
        let c = 0;
        for (let d = 0; d < v.length; d++) c += v[d] * qv[d];
        raw.set(s, Math.max(Number(floor ?? 0.1), c));
      }
    }
    const m = [...raw.values()].reduce((x, y) => x + y, 0) / (raw.size || 1);
    const w = new Map<string, number>();
    for (const [s, c] of counts) w.set(s, c * (raw.get(s)! / m) ** Number(a));
    return { ...p, bm: index.searchTerms(w, 1000).map((h) => ({ i: row.get(h.id)!, s: h.score })) };
  };
}

const only = values.only?.split(',').map((s) => s.trim());
const servedRanks: Record<string, Array<number | null> | undefined> = {};
for (const spec of (values.models ?? 'default').split(';').map((s) => s.trim())) {
  const { model, vectors } = modelFor(spec);
  t = performance.now();
  const prepared: Record<string, Array<{ id: string; p: Prepared }>> = {};
  for (const [set, qs] of Object.entries(sets)) prepared[set] = qs.map((q) => ({ id: q.id, p: prepare(parseQuery(q.query).terms.join(' '), model, vectors) }));
  console.log(`model ${spec} (${model.id}, ${model.dimensions} d, ${model.featureCount} features): queries prepared in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  for (const [name, f] of fusions) {
    if (heldoutPicks && !heldoutPicks.includes(`${spec}:${name}`) && !['bm25', 'served'].includes(name)) continue;
    if (only && !only.includes(name) && !['bm25', 'served'].includes(name)) continue;
    const cols = Object.entries(prepared).map(([set, qs]) => {
      const ranks = qs.map(({ id, p }) => rankOf(f(p).slice(0, 10).map((i) => corpus[i].id), id));
      const s = score(ranks);
      // Round 24: per query against the first model's served row (the same run's baseline): how many rank better / worse.
      const base = (servedRanks[set] ??= name === 'served' ? ranks : undefined);
      const rr = (r: number | null) => (r === null ? 0 : 1 / r);
      const paired = base && base !== ranks ? ` [vs served: ${ranks.filter((r, q) => rr(r) > rr(base[q])).length} better, ${ranks.filter((r, q) => rr(r) < rr(base[q])).length} worse]` : '';
      return `${set} ${s.mrrAt10.toFixed(3)}${heldoutPicks ? ` (R@1 ${s.recallAt1.toFixed(3)} R@10 ${s.recallAt10.toFixed(3)})${paired}` : ''}`;
    });
    console.log(`  ${`${spec}: ${name}`.padEnd(44)} ${cols.join('  ')}`);
  }
  if (values.sentences) {
    // Round 18: the cosine side also looks at the candidate's best-matching sentence (title one of
    // them): w × (λ × whole-paper cosine + (1 − λ) × best sentence cosine), sentences embedded on demand.
    const sentVecs = new Map<number, Float32Array[]>();
    const sentencesOf = (i: number) => {
      let v = sentVecs.get(i);
      if (!v) {
        const parts = corpus[i].abstract.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).filter((x) => x.trim().length > 20);
        sentVecs.set(i, (v = [corpus[i].title, ...parts].map((x) => model.embedOne(x))));
      }
      return v;
    };
    const texts: Record<string, string[]> = Object.fromEntries(Object.entries(sets).map(([set, qs]) => [set, qs.map((q) => parseQuery(q.query).terms.join(' '))]));
    for (const sv of values.sentences.split(';')) {
      const [w, lambda] = sv.split(' ').map(Number);
      const name = `sentences ${sv}`;
      if (heldoutPicks && !heldoutPicks.includes(`${spec}:${name}`)) continue;
      const cols = Object.entries(prepared).map(([set, qs]) => {
        const s = score(qs.map(({ id, p }, k) => {
          const qv = model.embedOne(texts[set][k]);
          const kw = p.bm.slice(0, 100);
          const best = kw[0]?.s || 1;
          const bmOf = new Map(kw.map((h) => [h.i, h.s]));
          const pool = new Set([...kw.map((h) => h.i), ...p.vecTop.slice(0, 100)]);
          const out: Array<[number, number]> = [];
          for (const i of pool) {
            let top = -1;
            for (const v of sentencesOf(i)) {
              let c = 0;
              for (let d = 0; d < v.length; d++) c += v[d] * qv[d];
              top = Math.max(top, c);
            }
            out.push([i, (1 - w) * ((bmOf.get(i) ?? 0) / best) + w * (lambda * p.cos[i] + (1 - lambda) * top)]);
          }
          out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
          return rankOf(out.slice(0, 10).map(([i]) => corpus[i].id), id);
        }));
        return `${set} ${s.mrrAt10.toFixed(3)}${heldoutPicks ? ` (R@1 ${s.recallAt1.toFixed(3)} R@10 ${s.recallAt10.toFixed(3)})` : ''}`;
      });
      console.log(`  ${`${spec}: ${name}`.padEnd(44)} ${cols.join('  ')}`);
    }
  }
  if (values.termweights) {
    const weigh = termWeighter(model);
    const texts: Record<string, string[]> = Object.fromEntries(Object.entries(sets).map(([set, qs]) => [set, qs.map((q) => parseQuery(q.query).terms.join(' '))]));
    const served = fusions.find(([n]) => n === 'served')![1];
    for (const tw of values.termweights.split(';')) {
      const name = `weights ${tw}`;
      if (heldoutPicks && !heldoutPicks.includes(`${spec}:${name}`)) continue;
      for (const [fname, f] of [['served', served], ['bm25', fusions[0][1]]] as const) {
        const cols = Object.entries(prepared).map(([set, qs]) => {
          const s = score(qs.map(({ id, p }, k) => rankOf(f(weigh(texts[set][k], tw, p)).slice(0, 10).map((i) => corpus[i].id), id)));
          return `${set} ${s.mrrAt10.toFixed(3)}${heldoutPicks ? ` (R@1 ${s.recallAt1.toFixed(3)} R@10 ${s.recallAt10.toFixed(3)})` : ''}`;
        });
        console.log(`  ${`${spec}: ${name} (${fname})`.padEnd(44)} ${cols.join('  ')}`);
      }
    }
  }
  if (!values.expansion) continue;
  const expand = expansionRunner(model);
  const texts: Record<string, string[]> = Object.fromEntries(Object.entries(sets).map(([set, qs]) => [set, qs.map((q) => parseQuery(q.query).terms.join(' '))]));
  for (const spec2 of values.expansion.split(';')) {
    const [from, alpha, per, minCos] = spec2.split(' ');
    const x: Expansion = { from: from as 'word' | 'query', alpha: Number(alpha), per: Number(per), minCos: Number(minCos ?? 0) };
    const name = `expand ${spec2}`;
    if (heldoutPicks && !heldoutPicks.includes(`${spec}:${name}`)) continue;
    const served = fusions.find(([n]) => n === 'served')![1];
    const cols = Object.entries(prepared).map(([set, qs]) => {
      const s = score(qs.map(({ id, p }, k) => rankOf(served(expand(texts[set][k], x, p)).slice(0, 10).map((i) => corpus[i].id), id)));
      return `${set} ${s.mrrAt10.toFixed(3)}${heldoutPicks ? ` (R@1 ${s.recallAt1.toFixed(3)} R@10 ${s.recallAt10.toFixed(3)})` : ''}`;
    });
    console.log(`  ${`${spec}: ${name}`.padEnd(44)} ${cols.join('  ')}`);
  }
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
