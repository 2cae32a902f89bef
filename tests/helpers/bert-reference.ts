import { LAYER_NORM_EPS, type BertShape, type BertWeights } from '../../src/search/onnx/bert-builder.ts';

/**
 * A plain-TypeScript forward pass of the BERT the builder makes, for one unpadded input: an
 * independent computation to hold the ONNX graph and onnxruntime's output against.
 * Returns last_hidden_state as rows of `hidden` numbers.
 */
export function bertForward(w: BertWeights, shape: BertShape, ids: number[]): number[][] {
  const H = shape.hidden;
  const get = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`no weight ${n}`);
    return t.data;
  };
  const layerNorm = (x: number[], p: string) => {
    const g = get(`${p}.weight`);
    const b = get(`${p}.bias`);
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
    return x.map((v, i) => ((v - mean) / Math.sqrt(variance + LAYER_NORM_EPS)) * g[i] + b[i]);
  };
  const linear = (x: number[], p: string, outDim: number) => {
    const W = get(`${p}.weight`);
    const b = get(`${p}.bias`);
    const out = Array.from(b.subarray(0, outDim));
    for (let i = 0; i < x.length; i++) for (let j = 0; j < outDim; j++) out[j] += x[i] * W[i * outDim + j];
    return out;
  };
  const word = get('embeddings.word');
  const pos = get('embeddings.position');
  const type = shape.typeVocab ? get('embeddings.token_type') : undefined;
  let xs = ids.map((id, t) => layerNorm(Array.from({ length: H }, (_, d) => word[id * H + d] + pos[t * H + d] + (type ? type[d] : 0)), 'embeddings.norm'));
  const heads = shape.heads;
  const hd = H / heads;
  for (let l = 0; l < shape.layers; l++) {
    const p = `layer${l}`;
    const q = xs.map((x) => linear(x, `${p}.query`, H));
    const k = xs.map((x) => linear(x, `${p}.key`, H));
    const v = xs.map((x) => linear(x, `${p}.value`, H));
    const context = xs.map(() => new Array<number>(H).fill(0));
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < xs.length; i++) {
        const scores = xs.map((_, j) => {
          let s = 0;
          for (let d = 0; d < hd; d++) s += q[i][h * hd + d] * k[j][h * hd + d];
          return s / Math.sqrt(hd);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < xs.length; j++) for (let d = 0; d < hd; d++) context[i][h * hd + d] += (e[j] / sum) * v[j][h * hd + d];
      }
    }
    xs = xs.map((x, i) => layerNorm(linear(context[i], `${p}.attention_out`, H).map((a, d) => a + x[d]), `${p}.attention_norm`));
    xs = xs.map((x) => {
      const inner = linear(x, `${p}.intermediate`, shape.intermediate).map((a) => 0.5 * a * (1 + erf(a / Math.SQRT2)));
      return layerNorm(linear(inner, `${p}.output`, H).map((a, d) => a + x[d]), `${p}.output_norm`);
    });
  }
  return xs;
}

/** Abramowitz–Stegun 7.1.26 (error below 1.5e-7). */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
