/**
 * Search quality on the arXiv listings corpus: Recall@1, Recall@10 and MRR@10 of keyword only
 * (in-memory BM25F at several title:abstract weights), vector only (the offline LSA embedder) and
 * hybrid (several fusion rules), on the hand-written dev set in dev-set.json.
 *
 *   node --import tsx bench/search-quality/run.ts ../shared/data/arxiv-listings [--dims 256] [--sigma 0.5]
 *     [--no-bigrams] [--field-weights 1:1,2:1,10:1] [--model /tmp/lsa.bin (cache: load if present, else train and save)]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fuse, type FusionWeights, type RankedHit } from '../../src/search/fusion.ts';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { LocalEmbedder, paperText, type LocalEmbedderOptions } from '../../src/search/local-embedder.ts';
import { loadCorpus } from './corpus.ts';
import { fmt, rankOf, score, type QualityScores } from './metrics.ts';
import { topByDot } from './vector-scan.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dims: { type: 'string' },
    sigma: { type: 'string' },
    'no-bigrams': { type: 'boolean' },
    'field-weights': { type: 'string', default: '1:1,2:1,3:1,10:1' },
    model: { type: 'string' },
    'max-features': { type: 'string' },
    'power-iterations': { type: 'string' },
    json: { type: 'string' },
    'keyword-only': { type: 'boolean' },
    'max-terms': { type: 'string' },
    vectors: { type: 'string' },
  },
});
const dir = positionals[0];
if (!dir) {
  console.error('usage: bench/search-quality/run.ts <arxiv-listings dir> [options]');
  process.exit(2);
}

interface DevSet {
  descriptive: Array<{ id: string; query: string }>;
  paraphrase: Array<{ id: string; query: string }>;
  exactTitle: string[];
}
const dev = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'dev-set.json'), 'utf8')) as DevSet;
const t0 = performance.now();
const corpus = loadCorpus(dir);
const byId = new Map(corpus.map((p, i) => [p.id, i]));
for (const id of [...dev.descriptive.map((d) => d.id), ...dev.paraphrase.map((d) => d.id), ...dev.exactTitle]) if (!byId.has(id)) throw new Error(`dev-set paper ${id} is not in the corpus`);
const sets = {
  descriptive: dev.descriptive.map((d) => ({ id: d.id, query: d.query })),
  paraphrase: dev.paraphrase.map((d) => ({ id: d.id, query: d.query })),
  exactTitle: dev.exactTitle.map((id) => ({ id, query: corpus[byId.get(id)!].title })),
};
console.log(`corpus: ${corpus.length} papers (${((performance.now() - t0) / 1000).toFixed(1)} s); dev set: ${sets.descriptive.length} descriptive, ${sets.paraphrase.length} paraphrase, ${sets.exactTitle.length} exact-title queries`);

type SetName = keyof typeof sets;
const results: Record<string, Record<SetName, QualityScores>> = {};
function report(name: string, ranksBySet: Record<SetName, Array<number | null>>): void {
  results[name] = { descriptive: score(ranksBySet.descriptive), paraphrase: score(ranksBySet.paraphrase), exactTitle: score(ranksBySet.exactTitle) };
  console.log(`${name.padEnd(34)} descriptive: ${fmt(results[name].descriptive)}`);
  console.log(`${''.padEnd(34)} paraphrase:  ${fmt(results[name].paraphrase)}`);
  console.log(`${''.padEnd(34)} exact title: ${fmt(results[name].exactTitle)}`);
}

// Keyword: one index per field weighting; the first weighting's lists feed the hybrid runs.
const CANDIDATES = 100;
const keywordLists: Record<string, Record<SetName, RankedHit[][]>> = {};
for (const fw of values['field-weights']!.split(',')) {
  const [tw, aw] = fw.split(':').map(Number);
  const tb = performance.now();
  const index = InvertedIndex.build(corpus, { titleWeight: tw, abstractWeight: aw, ...(values['max-terms'] ? { maxQueryTerms: Number(values['max-terms']) } : {}) });
  const buildS = (performance.now() - tb) / 1000;
  const lists = {} as Record<SetName, RankedHit[][]>;
  const ranks = {} as Record<SetName, Array<number | null>>;
  for (const s of Object.keys(sets) as SetName[]) {
    lists[s] = sets[s].map((q) => index.search(q.query, CANDIDATES));
    ranks[s] = sets[s].map((q, i) => rankOf(lists[s][i].map((h) => h.id), q.id));
  }
  keywordLists[fw] = lists;
  report(`keyword BM25F title:abstract ${fw}`, ranks);
  console.log(`${''.padEnd(34)} (index built in ${buildS.toFixed(1)} s)`);
}

if (values['keyword-only']) process.exit(0);

// Vector: train (or load) the offline model, embed every paper, exact scan.
const opts: Partial<LocalEmbedderOptions> = {};
if (values.dims) opts.dimensions = Number(values.dims);
if (values.sigma) opts.sigmaExponent = Number(values.sigma);
if (values['no-bigrams']) opts.bigrams = false;
if (values['max-features']) opts.maxFeatures = Number(values['max-features']);
if (values['power-iterations']) opts.powerIterations = Number(values['power-iterations']);
let embedder: LocalEmbedder;
const tt = performance.now();
if (values.model && existsSync(values.model)) {
  embedder = LocalEmbedder.fromBuffer(readFileSync(values.model));
  console.log(`embedder: loaded ${values.model}`);
} else {
  embedder = LocalEmbedder.train(corpus, opts);
  console.log(`embedder: trained ${embedder.id} (${embedder.featureCount} features, ${embedder.dimensions} dims) in ${((performance.now() - tt) / 1000).toFixed(1)} s, options ${JSON.stringify(opts)}`);
  if (values.model) writeFileSync(values.model, embedder.toBuffer());
}
const dims = embedder.dimensions;
const te = performance.now();
let matrix = new Float32Array(corpus.length * dims);
const vectorsCache = values.vectors ? `${values.vectors}.${embedder.id}` : undefined;
if (vectorsCache && existsSync(vectorsCache)) {
  const b = readFileSync(vectorsCache);
  matrix = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
} else {
  corpus.forEach((p, i) => matrix.set(embedder.embedOne(paperText(p)), i * dims));
  if (vectorsCache) writeFileSync(vectorsCache, Buffer.from(matrix.buffer));
}
const embedMs = performance.now() - te;
console.log(`embedded ${corpus.length} papers in ${(embedMs / 1000).toFixed(1)} s (${((embedMs * 1000) / corpus.length).toFixed(0)} µs each); model ${(embedder.toBuffer().length / 1e6).toFixed(1)} MB`);
const vectorLists = {} as Record<SetName, RankedHit[][]>;
const vranks = {} as Record<SetName, Array<number | null>>;
for (const s of Object.keys(sets) as SetName[]) {
  vectorLists[s] = sets[s].map((q) => topByDot(matrix, dims, embedder.embedOne(q.query), CANDIDATES).map((h) => ({ id: corpus[h.doc].id, score: h.score })));
  vranks[s] = sets[s].map((q, i) => rankOf(vectorLists[s][i].map((h) => h.id), q.id));
}
report(`vector (offline LSA, ${dims} d)`, vranks);

// Hybrid: each fusion rule over the same two candidate lists.
function cosine(id: string, q: Float32Array): number {
  const o = byId.get(id)! * dims;
  let s = 0;
  for (let c = 0; c < dims; c++) s += matrix[o + c] * q[c];
  return s;
}
/** Convex mix of max-normalised BM25 and cosine; a candidate's missing score is computed exactly. */
function convex(kw: RankedHit[], vec: RankedHit[], q: Float32Array, alpha: number): RankedHit[] {
  const max = kw[0]?.score ?? 1;
  const kwScore = new Map(kw.map((h) => [h.id, h.score / max]));
  const ids = new Set([...kw.map((h) => h.id), ...vec.map((h) => h.id)]);
  return [...ids].map((id) => ({ id, score: alpha * (kwScore.get(id) ?? 0) + (1 - alpha) * cosine(id, q) })).sort((a, b) => b.score - a.score);
}
/** The same mix from the two lists alone (what the service has): a paper missing from the vector list gets that list's lowest cosine. */
function convexLists(kw: RankedHit[], vec: RankedHit[], alpha: number): RankedHit[] {
  return fuse(kw, vec, { keyword: alpha, vector: 1 - alpha, k: 0, candidates: CANDIDATES, minSimilarity: -1, mode: 'convex' });
}
const baseFw = values['field-weights']!.split(',')[0];
const hybridConfigs: Array<{ name: string; run: (kw: RankedHit[], vec: RankedHit[], query: string) => RankedHit[] }> = [];
for (const fw of Object.keys(keywordLists)) {
  for (const v of [0.35, 1]) {
    const w: FusionWeights = { keyword: 1, vector: v, k: 60, candidates: CANDIDATES, minSimilarity: 0, mode: 'rrf' };
    hybridConfigs.push({ name: `${fw} rrf vec=${v}`, run: (kw, vec) => fuse(kw, vec, w) });
  }
  for (const alpha of [0.4, 0.5, 0.55, 0.6, 0.65, 0.7]) {
    hybridConfigs.push({ name: `${fw} convex alpha=${alpha}`, run: (kw, vec, query) => convex(kw, vec, embedder.embedOne(query), alpha) });
    hybridConfigs.push({ name: `${fw} convex-lists alpha=${alpha}`, run: (kw, vec) => convexLists(kw, vec, alpha) });
  }
}
for (const cfg of hybridConfigs) {
  const fw = cfg.name.split(' ')[0] ?? baseFw;
  const ranks = {} as Record<SetName, Array<number | null>>;
  for (const s of Object.keys(sets) as SetName[]) {
    ranks[s] = sets[s].map((q, i) => rankOf(cfg.run(keywordLists[fw][s][i], vectorLists[s][i], q.query).map((h) => h.id), q.id));
  }
  report(`hybrid ${cfg.name}`, ranks);
}
if (values.json) writeFileSync(values.json, JSON.stringify({ embedder: embedder.id, options: opts, results }, null, 1));
