import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from '../../domain/random.ts';
import { DataType, encodeModel, type Node, type Tensor } from './onnx-proto.ts';

/**
 * Builds a BERT-shaped sentence-embedding model with seeded random weights, in the layout a model
 * pulled from the hub has (onnx/model.onnx, config.json, tokenizer.json, vocab.txt,
 * tokenizer_config.json, 1_Pooling/config.json, sentence_bert_config.json). Model weights cannot be
 * downloaded where Paperboy is built and tested, so the tests run the real loading and inference
 * code on a tiny one, and `bench/onnx` measures speed on models of the recommended models' shapes
 * (a random model of the same shape costs the same to run).
 */
export interface BertShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
  /** Token-type vocabulary; 0 leaves the `token_type_ids` input out (as some exported models do). */
  typeVocab: number;
}

export interface BertBuildOptions extends BertShape {
  /** The WordPiece vocabulary, special tokens included ([PAD], [UNK], [CLS], [SEP], [MASK]). */
  vocab: string[];
  seed: number;
  pooling: 'mean' | 'cls';
  lowercase: boolean;
  /** `max_seq_length` of sentence_bert_config.json; defaults to maxPositions. */
  maxSeqLength?: number;
  /** Which files to write (all by default): tests leave one out to check the error. */
  skip?: string[];
}

export const LAYER_NORM_EPS = 1e-12;

/** The weights by name, for an independent forward pass in tests. */
export type BertWeights = Map<string, { dims: number[]; data: Float32Array }>;

function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** The ONNX graph of a BERT encoder and its weights: `last_hidden_state` = encoder(input_ids, attention_mask[, token_type_ids]). */
export function bertGraph(o: BertShape & { vocabSize: number; seed: number }): { model: Uint8Array; weights: BertWeights } {
  const { hidden: H, heads, intermediate: I } = o;
  if (H % heads) throw new Error('hidden size must be a multiple of the head count');
  const headDim = H / heads;
  const normal = gaussian(seededRandom(o.seed));
  const weights: BertWeights = new Map();
  const initializers: Tensor[] = [];
  const nodes: Node[] = [];
  const param = (name: string, dims: number[], std: number, mean = 0): string => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = mean + (std ? std * normal() : 0);
    weights.set(name, { dims, data });
    initializers.push({ name, dims, type: DataType.FLOAT, data });
    return name;
  };
  const ints = (name: string, values: number[]): string => {
    initializers.push({ name, dims: [values.length], type: DataType.INT64, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  };
  const scalar = (name: string, v: number): string => {
    initializers.push({ name, dims: [], type: DataType.FLOAT, data: Float32Array.of(v) });
    return name;
  };
  let n = 0;
  const op = (type: string, inputs: string[], attributes?: Node['attributes']): string => {
    const out = `${type.toLowerCase()}_${n++}`;
    nodes.push({ op: type, inputs, outputs: [out], attributes });
    return out;
  };
  const layerNorm = (x: string, prefix: string) =>
    op('LayerNormalization', [x, param(`${prefix}.weight`, [H], 0.02, 1), param(`${prefix}.bias`, [H], 0.02)], [
      { name: 'axis', i: -1 },
      { name: 'epsilon', f: LAYER_NORM_EPS },
    ]);
  const linear = (x: string, prefix: string, inDim: number, outDim: number) =>
    op('Add', [op('MatMul', [x, param(`${prefix}.weight`, [inDim, outDim], 0.05)]), param(`${prefix}.bias`, [outDim], 0.02)]);

  // Embeddings: word + position (the first S rows) + token type, then LayerNorm.
  const words = op('Gather', [param('embeddings.word', [o.vocabSize, H], 0.5), 'input_ids'], [{ name: 'axis', i: 0 }]);
  const seqLen = op('Slice', [op('Shape', ['input_ids']), ints('c_one', [1]), ints('c_two', [2]), ints('c_zero', [0])]);
  const positions = op('Slice', [param('embeddings.position', [o.maxPositions, H], 0.1), ints('c_zero_start', [0]), seqLen, ints('c_axis0', [0])]);
  let x = op('Add', [words, positions]);
  if (o.typeVocab > 0) x = op('Add', [x, op('Gather', [param('embeddings.token_type', [o.typeVocab, H], 0.1), 'token_type_ids'], [{ name: 'axis', i: 0 }])]);
  x = layerNorm(x, 'embeddings.norm');

  // Additive attention mask: 0 where attended, -10000 on padding, shaped [B, 1, 1, S].
  const maskF = op('Cast', ['attention_mask'], [{ name: 'to', i: DataType.FLOAT }]);
  const bias = op('Unsqueeze', [op('Mul', [op('Sub', [scalar('c_1f', 1), maskF]), scalar('c_neg', -10000)]), ints('c_axes12', [1, 2])]);
  const splitHeads = ints('c_split', [0, 0, heads, headDim]);
  const mergeHeads = ints('c_merge', [0, 0, H]);
  const scale = scalar('c_scale', 1 / Math.sqrt(headDim));

  for (let l = 0; l < o.layers; l++) {
    const p = `layer${l}`;
    const heads4 = (name: string, perm: number[]) => op('Transpose', [op('Reshape', [linear(x, `${p}.${name}`, H, H), splitHeads])], [{ name: 'perm', ints: perm }]);
    const q = heads4('query', [0, 2, 1, 3]);
    const k = heads4('key', [0, 2, 3, 1]);
    const v = heads4('value', [0, 2, 1, 3]);
    const scores = op('Add', [op('Mul', [op('MatMul', [q, k]), scale]), bias]);
    const probs = op('Softmax', [scores], [{ name: 'axis', i: -1 }]);
    const context = op('Reshape', [op('Transpose', [op('MatMul', [probs, v])], [{ name: 'perm', ints: [0, 2, 1, 3] }]), mergeHeads]);
    x = layerNorm(op('Add', [linear(context, `${p}.attention_out`, H, H), x]), `${p}.attention_norm`);
    // GELU (erf form, as BERT uses): 0.5 · h · (1 + erf(h / √2)).
    const h = linear(x, `${p}.intermediate`, H, I);
    const gelu = op('Mul', [op('Mul', [h, scalar(`${p}.c_half`, 0.5)]), op('Add', [op('Erf', [op('Mul', [h, scalar(`${p}.c_rsqrt2`, Math.SQRT1_2)])]), scalar(`${p}.c_onef`, 1)])]);
    x = layerNorm(op('Add', [linear(gelu, `${p}.output`, I, H), x]), `${p}.output_norm`);
  }
  nodes.push({ op: 'Identity', inputs: [x], outputs: ['last_hidden_state'] });

  const inputs = [
    { name: 'input_ids', type: DataType.INT64, shape: ['batch', 'sequence'] },
    { name: 'attention_mask', type: DataType.INT64, shape: ['batch', 'sequence'] },
    ...(o.typeVocab > 0 ? [{ name: 'token_type_ids', type: DataType.INT64, shape: ['batch', 'sequence'] }] : []),
  ];
  const model = encodeModel(
    { name: 'bert', nodes, initializers, inputs, outputs: [{ name: 'last_hidden_state', type: DataType.FLOAT, shape: ['batch', 'sequence', H] }] },
    { opset: 17, producer: 'paperboy-bert-builder' },
  );
  return { model, weights };
}

/** The tokenizer.json a Hugging Face BERT tokenizer saves (BertNormalizer, BertPreTokenizer, WordPiece, [CLS] $A [SEP]). */
export function bertTokenizerJson(vocab: string[], lowercase: boolean, maxLength: number): object {
  const id = (t: string) => vocab.indexOf(t);
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: maxLength, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => ({ id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
  };
}

/** Writes a complete model directory; returns the weights (for a reference computation in tests). */
export async function buildBertModel(dir: string, o: BertBuildOptions): Promise<BertWeights> {
  const { model, weights } = bertGraph({ ...o, vocabSize: o.vocab.length });
  const maxSeqLength = o.maxSeqLength ?? o.maxPositions;
  const files: Record<string, string | Uint8Array> = {
    'onnx/model.onnx': model,
    'config.json': JSON.stringify({
      architectures: ['BertModel'],
      model_type: 'bert',
      hidden_size: o.hidden,
      num_hidden_layers: o.layers,
      num_attention_heads: o.heads,
      intermediate_size: o.intermediate,
      max_position_embeddings: o.maxPositions,
      type_vocab_size: o.typeVocab,
      vocab_size: o.vocab.length,
      layer_norm_eps: LAYER_NORM_EPS,
      hidden_act: 'gelu',
      pad_token_id: 0,
    }, null, 2),
    'tokenizer.json': JSON.stringify(bertTokenizerJson(o.vocab, o.lowercase, maxSeqLength)),
    'vocab.txt': o.vocab.join('\n') + '\n',
    'tokenizer_config.json': JSON.stringify({ do_lower_case: o.lowercase, model_max_length: o.maxPositions, tokenizer_class: 'BertTokenizer', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]' }, null, 2),
    'special_tokens_map.json': JSON.stringify({ unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' }),
    '1_Pooling/config.json': JSON.stringify({ word_embedding_dimension: o.hidden, pooling_mode_cls_token: o.pooling === 'cls', pooling_mode_mean_tokens: o.pooling === 'mean', pooling_mode_max_tokens: false, pooling_mode_mean_sqrt_len_tokens: false }, null, 2),
    'sentence_bert_config.json': JSON.stringify({ max_seq_length: maxSeqLength, do_lower_case: false }),
    'modules.json': JSON.stringify([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]),
  };
  for (const [name, content] of Object.entries(files)) {
    if (o.skip?.includes(name)) continue;
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return weights;
}

/**
 * A WordPiece vocabulary from a text sample: the special tokens, every character alone and as a
 * `##` continuation, then the most frequent words and word endings until `size` entries.
 */
export function vocabFromTexts(texts: Iterable<string>, size: number): string[] {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const chars = new Set<string>();
  const words = new Map<string, number>();
  const endings = new Map<string, number>();
  for (const t of texts) {
    for (const w of t.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '').match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []) {
      for (const c of w) chars.add(c);
      words.set(w, (words.get(w) ?? 0) + 1);
      for (const cut of [3, 4, 5]) if (w.length > cut + 2) endings.set(`##${w.slice(-cut)}`, (endings.get(`##${w.slice(-cut)}`) ?? 0) + 1);
    }
  }
  const sortedChars = [...chars].sort();
  const base = [...specials, ...sortedChars, ...sortedChars.filter((c) => /[\p{L}\p{N}]/u.test(c)).map((c) => `##${c}`)];
  const seen = new Set(base);
  const ranked = [...[...words].filter(([w]) => w.length > 1), ...[...endings].map(([e, c]) => [e, c / 2] as [string, number])].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out = [...base];
  for (const [w] of ranked) {
    if (out.length >= size) break;
    if (!seen.has(w)) {
      seen.add(w);
      out.push(w);
    }
  }
  return out;
}
