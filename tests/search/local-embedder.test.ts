import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalEmbedder, TooLittleTextError, termCosine, termVectorFromBytes, termVectorToBytes, type TrainingText } from '../../src/search/local-embedder.ts';
import { LocalEmbedderThreads } from '../../src/search/local-embedder-threads.ts';
import { cosine, embedderContract } from '../helpers/embedder-contract.ts';

/** A small corpus in five topics; within a topic, papers say the same things in different words. */
const TOPICS: Record<string, string[]> = {
  molecules: [
    'Graph neural networks predict molecular properties from atoms and bonds.',
    'Message passing networks on molecule graphs estimate solubility and toxicity of compounds.',
    'We learn representations of molecules with graph convolution for drug discovery.',
    'Predicting quantum chemical properties of small molecules using equivariant graph networks.',
    'Molecular property prediction benchmarks for graph neural networks and chemical compounds.',
    'Self-supervised pretraining of graph networks on millions of unlabeled molecules improves drug property prediction.',
  ],
  cosmology: [
    'Dark matter halos in galaxy clusters measured with weak gravitational lensing.',
    'We simulate the growth of dark matter halos and the galaxies that form inside them.',
    'Galaxy cluster masses from X-ray observations constrain cosmological parameters.',
    'Weak lensing surveys map the dark matter distribution across the sky.',
    'The halo mass function of galaxy clusters as a probe of cosmology.',
    'Gravitational lensing by galaxy clusters reveals the dark matter profile of their halos.',
  ],
  rlhf: [
    'Reinforcement learning from human feedback aligns language models with preferences.',
    'A reward model trained on human preference comparisons guides policy optimization of chatbots.',
    'Direct preference optimization aligns language models without a separate reward model.',
    'Human feedback on model outputs is used to fine-tune assistants with reinforcement learning.',
    'Preference learning and reward modeling for aligning large language models with human values.',
    'Policy optimization with a learned reward from human preferences makes assistants more helpful.',
  ],
  pruning: [
    'Pruning large language models removes redundant weights to reduce memory and latency.',
    'Structured sparsity compresses transformer language models with little accuracy loss.',
    'Quantization and pruning make language models smaller and faster at inference.',
    'We remove attention heads and neurons from large language models to compress them.',
    'Sparse large language models: one-shot pruning without retraining.',
    'Compressing transformer models by pruning weights and distilling knowledge into smaller networks.',
  ],
  segmentation: [
    'Medical image segmentation of tumors in MRI scans with convolutional networks.',
    'A U-Net segments organs in computed tomography images of the abdomen.',
    'Segmenting lesions in brain MRI with deep learning and limited annotations.',
    'Semi-supervised medical image segmentation with few labeled CT scans.',
    'Deep networks delineate tumors and organs in medical images for radiotherapy planning.',
    'Cardiac MRI segmentation of the heart ventricles with convolutional neural networks.',
  ],
};
const CORPUS: TrainingText[] = Object.values(TOPICS).flatMap((abstracts) =>
  abstracts.map((a) => ({ title: a.split(' ').slice(0, 6).join(' '), abstract: a })),
);
let trained: LocalEmbedder | undefined;
const model = () => (trained ??= LocalEmbedder.train(CORPUS, { dimensions: 8, minDf: 1, minBigramDf: 2, oversample: 8, powerIterations: 2 }));

embedderContract('local (LSA trained on a small corpus)', async () => model());

test('papers of one topic are nearer each other than papers of other topics', async () => {
  const e = model();
  const names = Object.keys(TOPICS);
  const vecs = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await e.embed(TOPICS[n])] as const)));
  for (const n of names) {
    for (let i = 0; i < vecs[n].length; i++) {
      const own = vecs[n].filter((_, j) => j !== i).reduce((s, v) => s + cosine(vecs[n][i], v), 0) / (vecs[n].length - 1);
      for (const m of names.filter((x) => x !== n)) {
        const other = vecs[m].reduce((s, v) => s + cosine(vecs[n][i], v), 0) / vecs[m].length;
        assert.ok(own > other, `${n}[${i}]: own topic ${own.toFixed(3)} vs ${m} ${other.toFixed(3)}`);
      }
    }
  }
});

test('a query in other words finds its topic (shared latent dimensions, not only shared words)', async () => {
  const e = model();
  const [q] = await e.embed(['compress a chatbot by cutting weights']);
  const ranked = CORPUS.map((p, i) => ({ i, s: cosine(q, e.embedOne(`${p.title}. ${p.abstract}`)) })).sort((a, b) => b.s - a.s);
  const pruning = new Set(TOPICS.pruning);
  assert.ok(pruning.has(CORPUS[ranked[0].i].abstract), `best: ${CORPUS[ranked[0].i].abstract}`);
});

test('a saved model loads with the same id and the same vectors; a corrupt one is refused', async () => {
  const e = model();
  const buf = e.toBuffer();
  const again = LocalEmbedder.fromBuffer(buf);
  assert.equal(again.id, e.id);
  assert.equal(again.dimensions, e.dimensions);
  const text = 'weak lensing of galaxy clusters';
  assert.deepEqual(Array.from(again.embedOne(text)), Array.from(e.embedOne(text)));
  assert.throws(() => LocalEmbedder.fromBuffer(buf.subarray(0, buf.length - 4)), /truncated or corrupt/);
  assert.throws(() => LocalEmbedder.fromBuffer(Buffer.from('hello world')), /not a Paperboy local embedder model/);
});

test('training is deterministic, a different corpus gives a different id, and too little text is refused', () => {
  const a = LocalEmbedder.train(CORPUS, { dimensions: 8, minDf: 1, oversample: 8 });
  const b = LocalEmbedder.train(CORPUS, { dimensions: 8, minDf: 1, oversample: 8 });
  assert.equal(a.id, b.id);
  const c = LocalEmbedder.train(CORPUS.slice(0, 18), { dimensions: 8, minDf: 1, oversample: 8 });
  assert.notEqual(a.id, c.id);
  assert.throws(() => LocalEmbedder.train([{ title: 'one', abstract: 'paper' }]), (e) => e instanceof TooLittleTextError && /at least 2 papers/.test(e.message));
  // Three papers sharing no word: a new instance's reindex warns and stays keyword-only (the provider catches this).
  assert.throws(
    () => LocalEmbedder.train([{ title: 'alpha', abstract: 'beta' }, { title: 'gamma', abstract: 'delta' }, { title: 'epsilon', abstract: 'zeta' }]),
    (e) => e instanceof TooLittleTextError,
  );
});

test('term vectors: unit TF-IDF over words and word pairs, cosine 1 for the same text, higher within a topic', () => {
  const e = model();
  const t = e.termVector('weak gravitational lensing of dark matter halos');
  assert.ok(t.ids.length > 0);
  assert.ok(Math.abs(t.weights.reduce((s, w) => s + w * w, 0) - 1) < 1e-5);
  assert.ok(Math.abs(termCosine(t, e.termVector('weak gravitational lensing of dark matter halos')) - 1) < 1e-5);
  const sameTopic = termCosine(t, e.termVector(TOPICS.cosmology[3]));
  const otherTopic = termCosine(t, e.termVector(TOPICS.pruning[0]));
  assert.ok(sameTopic > otherTopic, `${sameTopic} vs ${otherTopic}`);
  // A pair ("dark matter") is a feature of its own next to its words.
  const pairs = LocalEmbedder.train(CORPUS, { dimensions: 8, minDf: 1, minBigramDf: 2, oversample: 8 });
  assert.ok(pairs.termVector('dark matter').ids.length >= 3);
});

test('a vector and term vector from one analysis of a text are the ones embedOne and termVector give; stored bytes give them back exactly', async () => {
  const e = model();
  const texts = [...Object.values(TOPICS).flat(), '', 'the of and', 'dark matter dark matter dark matter'];
  for (const t of texts) {
    const both = e.embedOneWithTerms(t);
    assert.deepEqual([...both.vector], [...e.embedOne(t)], t);
    const alone = e.termVector(t);
    assert.deepEqual([...both.terms.ids], [...alone.ids], t);
    assert.deepEqual([...both.terms.weights], [...alone.weights], t);
    const bytes = termVectorToBytes(alone);
    assert.equal(bytes.byteLength, 8 * alone.ids.length);
    // At an odd offset of a larger buffer, as a driver may hand a row's bytes over.
    const shifted = new Uint8Array(bytes.byteLength + 3);
    shifted.set(bytes, 3);
    const back = termVectorFromBytes(shifted.subarray(3));
    assert.ok(back);
    assert.deepEqual([...back.ids], [...alone.ids]);
    assert.deepEqual([...back.weights], [...alone.weights]);
  }
  assert.equal(termVectorFromBytes(new Uint8Array(7)), null, 'not a whole number of features');
  const twice = termVectorToBytes({ ids: Uint32Array.from([5, 5]), weights: Float32Array.from([0.5, 0.5]) });
  assert.equal(termVectorFromBytes(twice), null, 'ids not ascending');
  // The worker threads (reindex) give the same vectors and term vectors as this thread.
  const threads = new LocalEmbedderThreads(e, 2);
  try {
    const [here, there] = [await e.embedWithTerms(texts), await threads.embedWithTerms(texts)];
    assert.deepEqual(there.vectors.map((v) => [...v]), here.vectors.map((v) => [...v]));
    assert.deepEqual(there.terms.map((b) => Buffer.from(b).toString('hex')), here.terms.map((b) => Buffer.from(b).toString('hex')));
  } finally {
    await threads.close();
  }
});

test('a model of the older format is refused with a message that says to reindex', () => {
  assert.throws(() => LocalEmbedder.fromBuffer(Buffer.from('PBLSA1\n\0\0\0\0')), /older format.*paperboy reindex/);
});

/** Two different lower-case words with the same 32-bit FNV-1a hash (the word table's key), found by search. */
function collidingWords(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    let w = '';
    for (let x = i, k = 0; k < 6; k++, x = Math.floor(x / 26)) w += String.fromCharCode(97 + (x % 26));
    let h = 0x811c9dc5;
    for (let k = 0; k < w.length; k++) h = Math.imul(h ^ w.charCodeAt(k), 0x01000193);
    const other = seen.get(h);
    if (other !== undefined) return [other, w];
    seen.set(h, w);
  }
}

test('a word with the same hash as a vocabulary word is not counted as it, and many distinct words do not change a vector', () => {
  const [known, stranger] = collidingWords();
  const corpus = [...CORPUS, { title: known, abstract: `${known} appears in two papers` }, { title: known, abstract: `again ${known}` }];
  const e = LocalEmbedder.train(corpus, { dimensions: 8, minDf: 1, minBigramDf: 2, oversample: 8 });
  const own = e.termVector(known);
  assert.equal(own.ids.length, 1, `${known} is a feature`);
  assert.deepEqual(Array.from(e.termVector(stranger).ids), [], `${stranger} shares ${known}'s hash but is another word`);
  // Seen after the first: the look-up finds the entry, not a hash match.
  assert.deepEqual(Array.from(e.termVector(known).ids), Array.from(own.ids));
  // Enough distinct words to grow the table several times: earlier words are still found.
  const before = Array.from(e.embedOne(TOPICS.cosmology[0]));
  for (let i = 0; i < 40; i++) e.embedOne(Array.from({ length: 1000 }, (_, j) => `w${i}x${j}`).join(' '));
  assert.deepEqual(Array.from(e.embedOne(TOPICS.cosmology[0])), before);
  assert.deepEqual(Array.from(e.termVector(stranger).ids), []);
});
