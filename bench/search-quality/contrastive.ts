/**
 * Round 19: fine-tunes the cached default model (fusion-explore.ts's `model-default.bin`) by
 * contrastive-tune.ts on the reindex's training sample and writes it next to it as
 * `model-<tag>.bin`, so that `fusion-explore.ts --models 'default;<tag>'` measures it on the served
 * scoring. Prints the fine-tune's time (the reindex would pay it) and title → abstract in-batch
 * accuracy on papers outside the sample, before and after. `--all` trains on every paper (round 24:
 * with `--temperature 0.1 --sentences 2` and fusion-explore.ts's `adaptive 0.2-0.7`, 0.566 held out
 * against the served 0.513; BENCHMARKS "Round 24 (branch `meaning-contrast`)"). The trainer is the
 * served one (`refineModel`); options not given are the served recipe's (DEFAULT_REFINE; since
 * round 26 — round 19's runs had temperature 0.05 and one sentence pair by default).
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/contrastive.ts ../shared/data/arxiv-listings \
 *     --cache /tmp/meaning-r19/cache --tag ctr1 [--all] [--epochs 1 --lr 0.002 --temperature 0.1 --sentences 2 --batch 128]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_EMBEDDER, LocalEmbedder } from '../../src/search/local-embedder.ts';
import { fineTune, titleToAbstractAccuracy } from './contrastive-tune.ts';
import { loadCorpus } from './corpus.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cache: { type: 'string' },
    tag: { type: 'string' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    temperature: { type: 'string' },
    sentences: { type: 'string' },
    batch: { type: 'string' },
    all: { type: 'boolean' },
  },
});
if (!positionals[0] || !values.cache || !values.tag) {
  console.error('usage: contrastive.ts <arxiv-listings dir> --cache DIR --tag NAME [options]');
  process.exit(2);
}
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const corpus = loadCorpus(positionals[0]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const N = corpus.length;
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${N} papers`);
const model = LocalEmbedder.fromBuffer(readFileSync(join(values.cache, 'model-default.bin')));
// The sample paperboy reindex trains on (every step-th paper by id), or every paper with --all.
const step = values.all ? 1 : Math.max(1, N / DEFAULT_LOCAL_EMBEDDER.maxTrainingDocs);
const inSample = new Uint8Array(N);
const sample = [];
for (let i = 0, next = 0; i < N; i++) if (i >= next) (sample.push(corpus[i]), (inSample[i] = 1), (next += step));
const outside = corpus.filter((_, i) => !inSample[i]).slice(0, 2560);
const check = outside.length ? outside : corpus.slice(0, 2560);
console.log(`title → abstract accuracy (batches of 128, ${check.length} papers${outside.length ? ' outside the sample' : ''}): before ${titleToAbstractAccuracy(model, check).toFixed(3)}`);
const opts = { epochs: num(values.epochs), lr: num(values.lr), temperature: num(values.temperature), sentencePairs: num(values.sentences), batch: num(values.batch) };
const cpu0 = process.cpuUsage();
const tuned = fineTune(model, sample, Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)), values.tag);
const cpu = process.cpuUsage(cpu0);
console.log(`fine-tuned on ${sample.length} papers (${tuned.batches} batches) in ${tuned.seconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; ${JSON.stringify(opts)}`);
console.log(`title → abstract accuracy after: ${titleToAbstractAccuracy(tuned.model, check).toFixed(3)}`);
writeFileSync(join(values.cache, `model-${values.tag}.bin`), tuned.model.toBuffer());
console.log(`wrote model-${values.tag}.bin (${tuned.model.id}); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
