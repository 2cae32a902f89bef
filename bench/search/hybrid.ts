/**
 * Hybrid search latency over the real corpus: query embedding (offline LSA model) + usearch HNSW
 * search (the service's VectorIndex) + the in-memory keyword index + fusion, for the same 200
 * queries as run.ts; the keyword part alone is the baseline in the same run.
 *
 *   node --max-old-space-size=8000 --import tsx bench/search/hybrid.ts ../shared/data/arxiv-listings \
 *     ../shared/data/eval/search-queries --model /tmp/lsa-default.bin [--vectors /tmp/vec75k]
 *
 * --model is a model saved by bench/search-quality/run.ts --model (or trained here when missing);
 * --vectors caches the papers' vectors between runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FUSION, fuse } from '../../src/search/fusion.ts';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { VectorIndex, vectorKey } from '../../src/search/vector-index.ts';
import { loadCorpus, rng } from '../search-quality/corpus.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: 'string' }, vectors: { type: 'string' } } });
const [corpusDir, queriesDir] = positionals;
if (!corpusDir || !queriesDir) {
  console.error('usage: bench/search/hybrid.ts <arxiv-listings dir> <search-queries dir> [--model file] [--vectors file]');
  process.exit(2);
}
const corpus = loadCorpus(corpusDir);
const queries = (['computer_science_ai_search_queries.json', 'computer_science_non_ai_search_queries.json'] as const).flatMap((file, f) => {
  const all = Object.values(JSON.parse(readFileSync(join(queriesDir, file), 'utf8')) as Record<string, { search_query: string }>).map((q) => q.search_query);
  const r = rng(f + 1);
  const out: string[] = [];
  while (out.length < 100 && all.length) out.push(all.splice(Math.floor(r() * all.length), 1)[0]);
  return out;
});
let t = performance.now();
const embedder = values.model && existsSync(values.model) ? LocalEmbedder.fromBuffer(readFileSync(values.model)) : LocalEmbedder.train(corpus);
if (values.model && !existsSync(values.model)) writeFileSync(values.model, embedder.toBuffer());
const dims = embedder.dimensions;
const cache = values.vectors ? `${values.vectors}.${embedder.id}` : undefined;
let matrix: Float32Array;
if (cache && existsSync(cache)) {
  const b = readFileSync(cache);
  matrix = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
} else {
  matrix = new Float32Array(corpus.length * dims);
  corpus.forEach((p, i) => matrix.set(embedder.embedOne(paperText(p)), i * dims));
  if (cache) writeFileSync(cache, Buffer.from(matrix.buffer));
}
console.log(`model and ${corpus.length} vectors ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);

t = performance.now();
const ann = new VectorIndex(embedder.id, dims);
const BATCH = 5000;
for (let i = 0; i < corpus.length; i += BATCH) {
  ann.upsert(corpus.slice(i, i + BATCH).map((p, j) => ({ key: vectorKey(p.id), vector: matrix.subarray((i + j) * dims, (i + j + 1) * dims) })));
}
const annS = (performance.now() - t) / 1000;
const idOfKey = new Map(corpus.map((p) => [vectorKey(p.id), p.id]));
t = performance.now();
const index = InvertedIndex.build(corpus);
console.log(`usearch HNSW (${dims} d, f32) built in ${annS.toFixed(1)} s; keyword index in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const pct = (ms: number[]) => {
  const s = ms.slice().sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return `p50 ${at(0.5).toFixed(2)} ms  p99 ${at(0.99).toFixed(2)} ms`;
};
const kwMs: number[] = [];
const embedMs: number[] = [];
const annMs: number[] = [];
const totalMs: number[] = [];
for (const q of queries.slice(0, 20)) fuse(index.search(q, 100), ann.search(embedder.embedOne(q), 100).map((m) => ({ id: idOfKey.get(m.key)!, score: m.similarity })));
for (const q of queries) {
  const t0 = performance.now();
  const kw = index.search(q, DEFAULT_FUSION.candidates);
  const t1 = performance.now();
  const v = embedder.embedOne(q);
  const t2 = performance.now();
  const near = ann.search(v, DEFAULT_FUSION.candidates).map((m) => ({ id: idOfKey.get(m.key)!, score: m.similarity }));
  const t3 = performance.now();
  fuse(kw, near).slice(0, 20);
  const t4 = performance.now();
  kwMs.push(t1 - t0);
  embedMs.push(t2 - t1);
  annMs.push(t3 - t2);
  totalMs.push(t4 - t0);
}
console.log(`keyword top ${DEFAULT_FUSION.candidates} (baseline): ${pct(kwMs)}`);
console.log(`query embedding:            ${pct(embedMs)}`);
console.log(`usearch top ${DEFAULT_FUSION.candidates}:             ${pct(annMs)}`);
console.log(`hybrid total (+ fusion):    ${pct(totalMs)}`);
