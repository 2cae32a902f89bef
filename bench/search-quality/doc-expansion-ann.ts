/**
 * Round 19: what document-side expansion would cost a reindex done with an ANN index instead of
 * doc-expansion.ts's exhaustive scan. The centred score of a word for a paper is its unit latent
 * row's dot product with (paper vector − mean paper vector), i.e. a cosine search with that query,
 * so a usearch index over the 12,610 word rows gives each paper's nearest words in one k-NN query.
 * Prints the time (wall and this process's CPU) and how many of the exhaustive lists' 20 words
 * (doc-expansion.ts --centre's cache) the ANN lists keep.
 *
 *   node --max-old-space-size=8000 --import tsx bench/search-quality/doc-expansion-ann.ts ../shared/data/arxiv-listings --cache /tmp/meaning-r19/cache [--k 60 --ef 256]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import usearch from 'usearch';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { loadCorpus } from './corpus.ts';
import { surfaceWords } from './surface-words.ts';

const { Index, MetricKind, ScalarKind } = usearch;
const { values, positionals } = parseArgs({ allowPositionals: true, options: { cache: { type: 'string' }, k: { type: 'string' }, ef: { type: 'string' } } });
const corpus = loadCorpus(positionals[0]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const N = corpus.length;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`load average ${load()}; ${N} papers`);
const model = LocalEmbedder.fromBuffer(readFileSync(join(values.cache!, 'model-default.bin')));
const D = model.dimensions;
const vectors = new Float32Array(new Uint8Array(readFileSync(join(values.cache!, `vectors-${model.id}.f32`))).buffer);
const exact = JSON.parse(readFileSync(join(values.cache!, `docexp-${model.id}-M20-df0.05-centre.json`), 'utf8')) as string[][];

// The same candidate words as doc-expansion.ts (so the lists compare).
const plain = InvertedIndex.build(corpus);
const surface = surfaceWords(corpus);
const cands: string[] = [];
for (let f = 0; f < model.featureCount; f++) {
  const name = model.featureName(f);
  if (name.includes(' ') || !surface.has(name)) continue;
  const w = [...surface.get(name)!].sort((a, b) => b[1] - a[1])[0][0];
  if (tokenize(w)[0] !== name) continue;
  const df = plain.docFrequency(name);
  if (df >= 5 && df <= 0.05 * N) cands.push(name);
}
console.log(`${cands.length} candidate words`);

const k = Number(values.k ?? 60);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const index = new Index({ dimensions: D, metric: MetricKind.Cos, quantization: ScalarKind.F32, connectivity: 16, expansion_add: 64, expansion_search: Number(values.ef ?? Math.max(64, k)), multi: false });
const rows = new Float32Array(cands.length * D);
cands.forEach((f, i) => rows.set(model.embedOne(f), i * D));
index.add(BigUint64Array.from(cands.map((_, i) => BigInt(i))), rows);
const mean = new Float64Array(D);
for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mean[d] += vectors[i * D + d] / N;
const queries = new Float32Array(N * D);
for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) queries[i * D + d] = vectors[i * D + d] - mean[d];
const t1 = performance.now();
const found = index.search(queries, k, 1);
const t2 = performance.now();
let kept = 0;
let total = 0;
for (let i = 0; i < N; i++) {
  const own = new Set(tokenize(paperText(corpus[i])));
  const out: string[] = [];
  for (let j = 0; j < k && out.length < 20; j++) {
    const key = found.keys[i * k + j];
    if (!Number.isFinite(found.distances[i * k + j])) continue;
    const w = cands[Number(key)];
    if (!own.has(w)) out.push(w);
  }
  const want = new Set(exact[i].map((e) => e.split(':')[0]));
  kept += out.filter((w) => want.has(w)).length;
  total += want.size;
}
const t3 = performance.now();
const cpu = process.cpuUsage(cpu0);
console.log(
  `word index ${((t1 - t0) / 1000).toFixed(1)} s; ${N} k-NN queries (k ${k}, one thread) ${((t2 - t1) / 1000).toFixed(1)} s; own-word filtering ${((t3 - t2) / 1000).toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
);
console.log(`the exhaustive lists' words kept: ${kept} of ${total} (${((100 * kept) / total).toFixed(1)} %); load average ${load()}`);
