import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LocalEmbedder, TooLittleTextError, type TrainingText } from '../../src/search/local-embedder.ts';
import { LocalEmbedderThreads, trainOnThread } from '../../src/search/local-embedder-threads.ts';

/** Four topics in different words, enough for a small model. */
const ABSTRACTS = [
  'Graph neural networks predict molecular properties from atoms and bonds.',
  'Message passing networks on molecule graphs estimate solubility and toxicity of compounds.',
  'We learn representations of molecules with graph convolution for drug discovery.',
  'Dark matter halos in galaxy clusters measured with weak gravitational lensing.',
  'We simulate the growth of dark matter halos and the galaxies that form inside them.',
  'Galaxy cluster masses from X-ray observations constrain cosmological parameters.',
  'Reinforcement learning from human feedback aligns language models with preferences.',
  'A reward model trained on human preference comparisons guides policy optimization of chatbots.',
  'Direct preference optimization aligns language models without a separate reward model.',
  'Pruning large language models removes redundant weights to reduce memory and latency.',
  'Structured sparsity compresses transformer language models with little accuracy loss.',
  'Quantization and pruning make language models smaller and faster at inference.',
];
const CORPUS: TrainingText[] = ABSTRACTS.map((a) => ({ title: a.split(' ').slice(0, 5).join(' '), abstract: a }));
const OPTIONS = { dimensions: 6, minDf: 1, minBigramDf: 2, oversample: 4, powerIterations: 1 };
const model = LocalEmbedder.train(CORPUS, OPTIONS);
const pools: LocalEmbedderThreads[] = [];
after(async () => {
  for (const p of pools) await p.close();
});

test('worker threads give exactly the vectors the main thread gives, in order, for any batch size', async () => {
  const threads = new LocalEmbedderThreads(model, 2);
  pools.push(threads);
  assert.equal(threads.id, model.id);
  assert.equal(threads.dimensions, model.dimensions);
  // More texts than threads, an odd count (uneven split), unknown words, and an empty text.
  const texts = [...ABSTRACTS, 'zebra quokka', '', 'language models', ...ABSTRACTS.slice(0, 4).map((a) => a.toUpperCase())];
  const serial = await model.embed(texts);
  for (const batch of [texts, texts.slice(0, 1), texts.slice(0, 3)]) {
    const parallel = await threads.embed(batch);
    assert.equal(parallel.length, batch.length);
    parallel.forEach((v, i) => assert.deepEqual([...v], [...serial[i]], `text ${i}`));
  }
  assert.deepEqual(await threads.embed([]), []);
  // Concurrent batches (the reindex reads ahead) each get their own vectors back.
  const [a, b] = await Promise.all([threads.embed(texts.slice(0, 5)), threads.embed(texts.slice(5, 9))]);
  assert.deepEqual(a.map((v) => [...v]), serial.slice(0, 5).map((v) => [...v]));
  assert.deepEqual(b.map((v) => [...v]), serial.slice(5, 9).map((v) => [...v]));
});

test('a closed pool fails its callers instead of leaving them waiting', async () => {
  const threads = new LocalEmbedderThreads(model, 1);
  await threads.close();
  await assert.rejects(threads.embed(['graph networks']), /worker|terminated|exited/i);
});

test('training on a worker thread gives the model training on the main thread gives', async () => {
  const phases = new Set<string>();
  const onThread = await trainOnThread(CORPUS, OPTIONS, (phase, done, total) => {
    assert.ok(done <= total);
    phases.add(phase);
  });
  assert.equal(onThread.id, model.id);
  assert.deepEqual([...phases], ['analyse', 'svd']);
  assert.deepEqual([...(await onThread.embed(['pruning language models']))[0]], [...(await model.embed(['pruning language models']))[0]]);
});

test('too little text on the worker is the same TooLittleTextError', async () => {
  await assert.rejects(trainOnThread([{ title: 'one', abstract: 'paper' }], OPTIONS), TooLittleTextError);
});
