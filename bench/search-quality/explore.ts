/**
 * Exploration for search by meaning, on the TUNING half of meaning-set.json only (plus the older
 * dev-set.json as a guard for known-item queries): BM25 from an in-memory index of the corpus and
 * the store's trained offline model, combined in ways the served path could afford. Used to choose
 * what to build; the served figures come from served.ts.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/explore.ts ../shared/data/arxiv-listings --db /tmp/pb-full/paperboy.db
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/index.ts';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { loadCorpus } from './corpus.ts';
import { rankOf, score } from './metrics.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' } } });
const here = dirname(fileURLToPath(import.meta.url));
const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<'tuning' | 'tuning2', Array<{ paperId: string; query: string }>>;
const dev = JSON.parse(readFileSync(join(here, 'dev-set.json'), 'utf8')) as { descriptive: Array<{ id: string; query: string }>; paraphrase: Array<{ id: string; query: string }>; exactTitle: string[] };
const corpus = loadCorpus(positionals[0]);
const byId = new Map(corpus.map((p) => [p.id, p]));
console.log(`load ${loadavg()[0].toFixed(2)}; ${corpus.length} papers`);
let t = performance.now();
const index = InvertedIndex.build(corpus);
console.log(`index ${((performance.now() - t) / 1000).toFixed(1)} s`);
const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db: values.db });
const opened = await openStore(config.db);
const m = await opened.store.search.loadModel('local-embedder');
const model = LocalEmbedder.fromBuffer(m!.data);
t = performance.now();
const vec = new Map<string, Float32Array>();
const cacheFile = `/tmp/explore-vectors-${model.id}.f32`;
if (existsSync(cacheFile)) {
  const all = new Float32Array(new Uint8Array(readFileSync(cacheFile)).buffer);
  corpus.forEach((p, i) => vec.set(p.id, all.subarray(i * model.dimensions, (i + 1) * model.dimensions)));
} else {
  const all = new Float32Array(corpus.length * model.dimensions);
  corpus.forEach((p, i) => all.set(model.embedOne(paperText(p)), i * model.dimensions));
  writeFileSync(cacheFile, new Uint8Array(all.buffer));
  corpus.forEach((p, i) => vec.set(p.id, all.subarray(i * model.dimensions, (i + 1) * model.dimensions)));
}
console.log(`embed ${((performance.now() - t) / 1000).toFixed(1)} s, ${model.dimensions} d`);
const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

const sets: Record<string, Array<{ id: string; query: string }>> = {
  tuning: meaning.tuning.map((q) => ({ id: q.paperId, query: q.query })),
  tuning2: meaning.tuning2.map((q) => ({ id: q.paperId, query: q.query })),
  descriptive: dev.descriptive,
  paraphrase: dev.paraphrase,
  title200: dev.exactTitle.slice(0, 200).map((id) => ({ id, query: byId.get(id)!.title })),
};

type Ranker = (query: string) => string[];
const bm25: Ranker = (query) => index.searchTerms(tokenize(parseQuery(query).terms.join(' ')), 10).map((h) => h.id);

/** Where the target sits in BM25's top 1000. */
for (const [name, qs] of Object.entries(sets)) {
  const buckets = { 1: 0, 10: 0, 100: 0, 1000: 0, miss: 0 };
  for (const q of qs) {
    const r = rankOf(index.searchTerms(tokenize(parseQuery(q.query).terms.join(' ')), 1000).map((h) => h.id), q.id);
    if (r === null) buckets.miss++;
    else if (r <= 1) buckets[1]++;
    else if (r <= 10) buckets[10]++;
    else if (r <= 100) buckets[100]++;
    else buckets[1000]++;
  }
  console.log(`${name}: BM25 rank buckets ${JSON.stringify(buckets)}`);
}

function convexExact(w: number, cands = 100, vecCands = 0): Ranker {
  return (query) => {
    const q = parseQuery(query);
    const hits = index.searchTerms(tokenize(q.terms.join(' ')), cands);
    const qv = model.embedOne(q.terms.join(' '));
    const best = hits[0]?.score || 1;
    const scored = hits.map((h) => ({ id: h.id, s: (1 - w) * (h.score / best) + w * dot(qv, vec.get(h.id)!) }));
    if (vecCands) {
      const seen = new Set(hits.map((h) => h.id));
      const all = corpus.map((p) => ({ id: p.id, c: dot(qv, vec.get(p.id)!) })).sort((a, b) => b.c - a.c).slice(0, vecCands);
      for (const a of all) if (!seen.has(a.id)) scored.push({ id: a.id, s: w * a.c });
    }
    return scored.sort((a, b) => b.s - a.s).slice(0, 10).map((x) => x.id);
  };
}

/** Rocchio in the latent space: the query vector moved towards the top BM25 hits' vectors. */
function rocchio(w: number, docs: number, beta: number, cands = 100): Ranker {
  return (query) => {
    const q = parseQuery(query);
    const hits = index.searchTerms(tokenize(q.terms.join(' ')), cands);
    const qv = Float32Array.from(model.embedOne(q.terms.join(' ')));
    const best = hits[0]?.score || 1;
    const fb = new Float32Array(qv.length);
    hits.slice(0, docs).forEach((h) => {
      const v = vec.get(h.id)!;
      const wt = h.score / best;
      for (let i = 0; i < v.length; i++) fb[i] += wt * v[i];
    });
    let len = 0;
    for (let i = 0; i < qv.length; i++) (qv[i] = qv[i] + beta * fb[i] / docs), (len += qv[i] * qv[i]);
    len = Math.sqrt(len) || 1;
    for (let i = 0; i < qv.length; i++) qv[i] /= len;
    return hits.map((h) => ({ id: h.id, s: (1 - w) * (h.score / best) + w * dot(qv, vec.get(h.id)!) })).sort((a, b) => b.s - a.s).slice(0, 10).map((x) => x.id);
  };
}

function run(name: string, r: Ranker, only?: string[]) {
  const cols: string[] = [];
  for (const [set, qs] of Object.entries(sets)) {
    if (only && !only.includes(set)) continue;
    const s = score(qs.map((q) => rankOf(r(q.query), q.id)));
    cols.push(`${set} ${s.mrrAt10.toFixed(3)}`);
  }
  console.log(`${name.padEnd(44)} ${cols.join('  ')}`);
}

const proj = (model as unknown as { projection: Float32Array }).projection;
const projected = (model as unknown as { projected: number }).projected;
const D = model.dimensions;
/** Unit latent vector of a projected feature. */
function termEmb(f: number): Float32Array | null {
  if (f >= projected) return null;
  const v = proj.slice(f * D, (f + 1) * D);
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < D; i++) v[i] /= n;
  return v;
}
const N = corpus.length;
const idfOf = (stem: string) => {
  const df = index.docFrequency(stem);
  return Math.log(1 + (N - df + 0.5) / (df + 0.5));
};
const docTerms = new Map<string, Set<string>>();
const termsOf = (id: string) => {
  let s = docTerms.get(id);
  if (!s) docTerms.set(id, (s = new Set(tokenize(paperText(byId.get(id)!)))));
  return s;
};
interface QTerm { stem: string; idf: number; emb: Float32Array | null }
function qterms(terms: string[]): QTerm[] {
  const out: QTerm[] = [];
  const seen = new Set<string>();
  for (const w of terms) {
    const st = tokenize(w)[0];
    if (!st || seen.has(st)) continue;
    seen.add(st);
    const ids = model.termVector(w).ids;
    out.push({ stem: st, idf: idfOf(st), emb: ids.length ? termEmb(ids[0]) : null });
  }
  return out;
}
function features(query: string, cands: number) {
  const q = parseQuery(query);
  const hits = index.searchTerms(tokenize(q.terms.join(' ')), cands);
  const qv = model.embedOne(q.terms.join(' '));
  const qt = qterms(q.terms);
  const best = hits[0]?.score || 1;
  const sumIdf = qt.reduce((a, t) => a + t.idf, 0) || 1;
  return hits.map((h) => {
    const v = vec.get(h.id)!;
    const ts = termsOf(h.id);
    let cov = 0;
    let hard = 0;
    let soft = 0;
    for (const t of qt) {
      const s = t.emb ? dot(t.emb, v) : 0;
      const has = ts.has(t.stem);
      if (has) hard += t.idf;
      cov += t.idf * (has ? 1 : Math.max(0, s));
      soft += t.idf * Math.max(0, s);
    }
    return { id: h.id, bm: h.score / best, cos: dot(qv, v), cov: cov / sumIdf, hard: hard / sumIdf, soft: soft / sumIdf };
  });
}
type F = ReturnType<typeof features>[number];
const featCache = new Map<string, F[]>();
function linear(wb: number, wc: number, wv: number, wh: number, ws: number, cands = 100): Ranker {
  return (query) => {
    const key = `${cands}\n${query}`;
    let fs = featCache.get(key);
    if (!fs) featCache.set(key, (fs = features(query, cands)));
    return fs.map((f) => ({ id: f.id, s: wb * f.bm + wc * f.cos + wv * f.cov + wh * f.hard + ws * f.soft })).sort((a, b) => b.s - a.s).slice(0, 10).map((x) => x.id);
  };
}
/** Expansion by the features nearest the query's latent vector (unigrams), added once each; original words x `ow`. */
function nearTerms(n: number, ow: number, w = 0): Ranker {
  const embs: Array<Float32Array | null> = [];
  for (let f = 0; f < projected; f++) embs.push(model.featureName(f).includes(' ') ? null : termEmb(f));
  return (query) => {
    const q = parseQuery(query);
    const own = new Set(tokenize(q.terms.join(' ')));
    const qv = model.embedOne(q.terms.join(' '));
    const near: Array<{ f: number; s: number }> = [];
    embs.forEach((e, f) => {
      if (e && !own.has(model.featureName(f))) near.push({ f, s: dot(e, qv) });
    });
    near.sort((a, b) => b.s - a.s);
    const extra = near.slice(0, n).map((x) => model.featureName(x.f));
    const terms = [...Array.from({ length: ow }, () => [...own]).flat(), ...extra];
    const hits = index.searchTerms(terms, 100);
    const best = hits[0]?.score || 1;
    return hits.map((h) => ({ id: h.id, s: (1 - w) * (h.score / best) + w * dot(qv, vec.get(h.id)!) })).sort((a, b) => b.s - a.s).slice(0, 10).map((x) => x.id);
  };
}

run('bm25', bm25);
for (const mq of [24, 32]) {
  (index.options as { maxQueryTerms: number }).maxQueryTerms = mq;
  run(`bm25 maxQueryTerms ${mq}`, bm25);
  run(`convex exact 0.3 maxQueryTerms ${mq}`, convexExact(0.3));
}
(index.options as { maxQueryTerms: number }).maxQueryTerms = 16;
for (const [wb, wc, wv, wh, ws] of [
  [1, 0.43, 0, 0, 0],
  [1, 0, 0.3, 0, 0],
  [1, 0, 0.6, 0, 0],
  [1, 0, 1, 0, 0],
  [1, 0, 0, 0.3, 0],
  [1, 0, 0, 0.6, 0],
  [1, 0, 0, 0, 0.5],
  [1, 0, 0, 0, 1],
  [1, 0.3, 0.3, 0, 0],
  [1, 0.3, 0, 0.3, 0],
  [1, 0.3, 0, 0, 0.5],
  [1, 0.5, 0.5, 0, 0],
]) run(`linear bm ${wb} cos ${wc} cov ${wv} hard ${wh} soft ${ws}`, linear(wb, wc, wv, wh, ws));
for (const [n, ow, w] of [[5, 3, 0], [10, 3, 0], [10, 2, 0], [5, 3, 0.3], [10, 3, 0.3]]) run(`near-terms ${n} x${ow} convex ${w}`, nearTerms(n, ow, w), ['tuning', 'tuning2', 'descriptive', 'title200']);
await opened.close();
