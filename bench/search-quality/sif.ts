import { isStopword, scanWords } from '../../src/search/tokenize.ts';
import type { WordVectors } from './glove.ts';

/**
 * Text vectors from pretrained word vectors, for the word-vector probes: a weighted mean of a
 * text's word vectors (stopwords dropped), unit length, optionally with the corpus's common
 * component removed — SIF (Arora, Liang & Ma 2017: weight a / (a + p(word)), p the word's share of
 * the corpus's tokens; then the first principal component of the papers' vectors subtracted) or
 * idf weights. Word statistics come from the corpus the texts are ranked in; a query word the corpus
 * never uses counts as the rarest (full weight), since those lay words are why the probe exists.
 */
export interface SifOptions {
  weighting: 'sif' | 'idf';
  /** SIF's smoothing: smaller weighs frequent words down harder. */
  a: number;
  removeComponent: boolean;
}

export class SifSpace {
  readonly dims: number;
  /** One unit vector per corpus text, in the order given. */
  readonly docs: Float32Array;
  private readonly count = new Map<string, number>();
  private readonly df = new Map<string, number>();
  private total = 0;
  private readonly n: number;
  private component: Float32Array | null = null;

  constructor(
    private readonly wv: WordVectors,
    texts: readonly string[],
    private readonly opts: SifOptions,
  ) {
    this.dims = wv.dims;
    this.n = texts.length;
    for (const t of texts) {
      const seen = new Set<string>();
      scanWords(t, (w) => {
        if (isStopword(w)) return;
        this.count.set(w, (this.count.get(w) ?? 0) + 1);
        this.total++;
        if (!seen.has(w)) (seen.add(w), this.df.set(w, (this.df.get(w) ?? 0) + 1));
      });
    }
    const D = this.dims;
    this.docs = new Float32Array(texts.length * D);
    texts.forEach((t, i) => this.docs.set(this.raw(t), i * D));
    if (opts.removeComponent) {
      this.component = firstComponent(this.docs, D);
      for (let i = 0; i < texts.length; i++) this.docs.set(this.finish(this.docs.subarray(i * D, (i + 1) * D)), i * D);
    }
  }

  /** Documents in the corpus with this (lower-case, unstemmed) word: 0 for words it never uses. */
  docFrequency(word: string): number {
    return this.df.get(word) ?? 0;
  }

  weight(word: string): number {
    if (this.opts.weighting === 'idf') return Math.log((this.n + 1) / ((this.df.get(word) ?? 0) + 1));
    const p = (this.count.get(word) ?? 0) / (this.total || 1);
    return this.opts.a / (this.opts.a + p);
  }

  /** The weighted mean of the text's word vectors, unit length (zero when no word has a vector). */
  private raw(text: string): Float32Array {
    const D = this.dims;
    const out = new Float32Array(D);
    scanWords(text, (w) => {
      if (isStopword(w)) return;
      const r = this.wv.row.get(w);
      if (r === undefined) return;
      const k = this.weight(w);
      for (let d = 0, o = r * D; d < D; d++) out[d] += k * this.wv.vectors[o + d];
    });
    return unit(out);
  }

  private finish(v: Float32Array): Float32Array {
    const out = Float32Array.from(v);
    const u = this.component;
    if (u) {
      let p = 0;
      for (let d = 0; d < this.dims; d++) p += out[d] * u[d];
      for (let d = 0; d < this.dims; d++) out[d] -= p * u[d];
    }
    return unit(out);
  }

  embed(text: string): Float32Array {
    return this.finish(this.raw(text));
  }
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  if (s > 0) {
    const k = 1 / Math.sqrt(s);
    for (let d = 0; d < v.length; d++) v[d] *= k;
  }
  return v;
}

/** The leading eigenvector of Σ vvᵀ over the rows (power iteration on the D × D matrix). */
function firstComponent(rows: Float32Array, D: number): Float32Array {
  const c = new Float64Array(D * D);
  for (let o = 0; o < rows.length; o += D) {
    for (let i = 0; i < D; i++) {
      const x = rows[o + i];
      if (x === 0) continue;
      for (let j = 0; j < D; j++) c[i * D + j] += x * rows[o + j];
    }
  }
  let u = new Float64Array(D).fill(1 / Math.sqrt(D));
  for (let it = 0; it < 200; it++) {
    const next = new Float64Array(D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) next[i] += c[i * D + j] * u[j];
    const norm = Math.sqrt(next.reduce((s, x) => s + x * x, 0)) || 1;
    u = next.map((x) => x / norm);
  }
  return Float32Array.from(u);
}
