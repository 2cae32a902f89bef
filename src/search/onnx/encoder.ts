import ort from 'onnxruntime-node';
import { loadModelDir, type ModelDir, type Pooling } from './model-dir.ts';
import { tokenizerFrom, type TextTokenizer } from './tokenizer.ts';

export interface EncoderInfo {
  id: string;
  dimensions: number;
  maxLength: number;
  pooling: Pooling;
}

/** Texts run through the model together; sorted by length first so little of a batch is padding. */
const BATCH = 16;

/** Pools one text's token vectors (`hidden` is [seq, dim] row-major) into a unit-length vector. */
export function poolAndNormalize(hidden: Float32Array, offset: number, seq: number, dim: number, tokens: number, pooling: Pooling): Float32Array {
  const v = new Float32Array(dim);
  if (pooling === 'cls') v.set(hidden.subarray(offset, offset + dim));
  else if (pooling === 'max') {
    v.fill(-Infinity);
    for (let t = 0; t < tokens; t++) for (let d = 0; d < dim; d++) v[d] = Math.max(v[d], hidden[offset + t * dim + d]);
  } else {
    for (let t = 0; t < tokens; t++) for (let d = 0; d < dim; d++) v[d] += hidden[offset + t * dim + d];
    for (let d = 0; d < dim; d++) v[d] /= tokens;
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += v[d] * v[d];
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dim; d++) v[d] /= norm;
  return v;
}

/**
 * A sentence-embedding model run by onnxruntime in this thread: WordPiece tokens, the encoder,
 * pooling per the model's sentence-transformers config, L2 normalisation. `OnnxEmbedder` runs one
 * inside a worker thread so that inference never blocks the server's event loop.
 */
export class OnnxEncoder {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: TextTokenizer,
    private readonly model: ModelDir,
    readonly info: EncoderInfo,
  ) {}

  static async open(dir: string, opts: { name?: string; threads?: number } = {}): Promise<OnnxEncoder> {
    const model = await loadModelDir(dir, opts.name);
    const tokenizer = tokenizerFrom(model);
    const session = await ort.InferenceSession.create(model.weightsFile, {
      intraOpNumThreads: opts.threads ?? 0,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    for (const input of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(input)) throw new Error(`${model.weightsFile}: the model has no ${input} input (inputs: ${session.inputNames.join(', ')})`);
    }
    const hidden = model.config.hidden_size;
    if (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden < 1) throw new Error(`${model.dir}/config.json: no hidden_size`);
    const info: EncoderInfo = { id: `onnx:${model.name}@${model.contentHash}`, dimensions: hidden, maxLength: model.maxLength, pooling: model.pooling };
    return new OnnxEncoder(session, tokenizer, model, info);
  }

  /** Token ids of one text, [CLS] … [SEP], cut at the model's window. */
  tokenize(text: string): number[] {
    return this.tokenizer.encode(text, this.info.maxLength).ids;
  }

  async encode(texts: string[]): Promise<Float32Array[]> {
    const encoded = texts.map((t, i) => ({ i, ids: this.tokenize(t) }));
    encoded.sort((a, b) => a.ids.length - b.ids.length);
    const out = new Array<Float32Array>(texts.length);
    for (let at = 0; at < encoded.length; at += BATCH) {
      const batch = encoded.slice(at, at + BATCH);
      const vectors = await this.run(batch.map((b) => b.ids));
      batch.forEach((b, k) => (out[b.i] = vectors[k]));
    }
    return out;
  }

  private async run(batch: number[][]): Promise<Float32Array[]> {
    const seq = Math.max(...batch.map((ids) => ids.length));
    const ids = new BigInt64Array(batch.length * seq).fill(BigInt(this.tokenizer.padId));
    const mask = new BigInt64Array(batch.length * seq);
    batch.forEach((row, b) => row.forEach((id, t) => ((ids[b * seq + t] = BigInt(id)), (mask[b * seq + t] = 1n))));
    const dims = [batch.length, seq];
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims) };
    // Only models trained with segment ids have this input; all-zero for a single text.
    if (this.session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(batch.length * seq), dims);
    const result = await this.session.run(feeds);
    const name = this.session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : this.session.outputNames[0];
    const output = result[name];
    const data = output.data as Float32Array;
    const dim = this.info.dimensions;
    if (output.dims.length === 2) {
      // Already pooled (a sentence_embedding output): normalise only.
      if (output.dims[1] !== dim) throw new Error(`${this.model.weightsFile}: output has ${output.dims[1]} dimensions, config.json says ${dim}`);
      return batch.map((_, b) => poolAndNormalize(data, b * dim, 1, dim, 1, 'cls'));
    }
    if (output.dims.length !== 3 || output.dims[2] !== dim) throw new Error(`${this.model.weightsFile}: output ${name} has shape [${output.dims.join(', ')}], expected [batch, sequence, ${dim}]`);
    return batch.map((row, b) => poolAndNormalize(data, b * seq * dim, seq, dim, row.length, this.info.pooling));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
