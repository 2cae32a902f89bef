import { createHash } from 'node:crypto';
import type { Embedder } from './embedder.ts';
import { csrTimesDense, csrTransposeTimesDense, gaussian, orthonormalizeColumns, symmetricEigen, gram, type Csr } from './linalg.ts';
import { tokenize } from './tokenize.ts';

/**
 * The offline default embedder: latent semantic analysis trained on the instance's own papers.
 * No download and no GPU: TF-IDF over stemmed words and word pairs, reduced by a randomized SVD
 * (Halko–Martinsson–Tropp) to a few hundred dimensions, so papers that use different words for the
 * same idea ("pruning" / "sparsification", "LLM" / "language model") land near each other.
 * Embedding a text is one sparse × dense product: tens of microseconds per paper.
 *
 * `paperboy reindex` trains it (`LocalEmbedder.train`) and stores it (`toBuffer`); servers load it
 * (`fromBuffer`). Its `id` changes with every training, so vectors of an older model are recognised
 * as stale.
 */

export interface LocalEmbedderOptions {
  dimensions: number;
  /** Word pairs (adjacent after stopword removal) as features next to single words. */
  bigrams: boolean;
  /** Features must occur in at least this many training papers. */
  minDf: number;
  minBigramDf: number;
  /** The most frequent features are kept, up to this many. */
  maxFeatures: number;
  /** Training uses at most this many papers (an even sample), to bound time and memory. */
  maxTrainingDocs: number;
  oversample: number;
  powerIterations: number;
  /**
   * Scales latent dimension i by σᵢ^e: e = 1 is classic LSA (document coordinates UΣ), e = 0
   * weighs every dimension alike.
   */
  sigmaExponent: number;
  seed: number;
}

/** Chosen on the dev set of bench/search-quality (see BENCHMARKS.md). */
export const DEFAULT_LOCAL_EMBEDDER: LocalEmbedderOptions = {
  dimensions: 256,
  bigrams: true,
  minDf: 2,
  minBigramDf: 4,
  maxFeatures: 120_000,
  maxTrainingDocs: 120_000,
  oversample: 24,
  powerIterations: 1,
  sigmaExponent: 0.5,
  seed: 1,
};

export interface TrainingText {
  title: string;
  abstract: string;
}

const MAGIC = 'PBLSA1\n';

/** The text a paper is embedded from. */
export function paperText(p: TrainingText): string {
  return `${p.title}. ${p.abstract}`;
}

function features(text: string, bigrams: boolean): Map<string, number> {
  const terms = tokenize(text);
  const counts = new Map<string, number>();
  for (let i = 0; i < terms.length; i++) {
    counts.set(terms[i], (counts.get(terms[i]) ?? 0) + 1);
    if (bigrams && i + 1 < terms.length) {
      const b = `${terms[i]} ${terms[i + 1]}`;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
  }
  return counts;
}

function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LocalEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly featureIds: Map<string, number>;

  private constructor(
    private readonly featureList: string[],
    /** idf per feature. */
    private readonly idf: Float32Array,
    /** Feature → latent space, featureList.length × dimensions, row-major. */
    private readonly projection: Float32Array,
    dimensions: number,
    private readonly bigrams: boolean,
    id?: string,
  ) {
    this.dimensions = dimensions;
    this.featureIds = new Map(featureList.map((f, i) => [f, i]));
    this.id = id ?? `local-lsa-v1-${dimensions}-${createHash('sha256').update(featureList.join('\n')).update(new Uint8Array(projection.buffer, projection.byteOffset, Math.min(projection.byteLength, 1 << 16))).digest('hex').slice(0, 12)}`;
  }

  get featureCount(): number {
    return this.featureList.length;
  }

  /** Trains a model on the given papers (at most `maxTrainingDocs` of them, evenly sampled). */
  static train(papers: readonly TrainingText[], options: Partial<LocalEmbedderOptions> = {}): LocalEmbedder {
    const o = { ...DEFAULT_LOCAL_EMBEDDER, ...options };
    const step = Math.max(1, papers.length / o.maxTrainingDocs);
    const docs: Array<Map<string, number>> = [];
    for (let x = 0; x < papers.length && docs.length < o.maxTrainingDocs; x += step) docs.push(features(paperText(papers[Math.floor(x)]), o.bigrams));
    const n = docs.length;
    if (n < 2) throw new Error('the local embedder needs at least 2 papers to train on');

    const df = new Map<string, number>();
    for (const d of docs) for (const f of d.keys()) df.set(f, (df.get(f) ?? 0) + 1);
    const kept = [...df.entries()]
      .filter(([f, c]) => c >= (f.includes(' ') ? o.minBigramDf : o.minDf) && c < n)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, o.maxFeatures);
    df.clear();
    const featureList = kept.map(([f]) => f);
    const featureIds = new Map(featureList.map((f, i) => [f, i]));
    const idf = new Float32Array(kept.map(([, c]) => Math.log((n + 1) / (c + 1)) + 1));

    // TF-IDF rows (sublinear tf), unit length.
    const indptr = new Uint32Array(n + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = idx.length;
      let norm = 0;
      for (const [f, tf] of docs[i]) {
        const j = featureIds.get(f);
        if (j === undefined) continue;
        const w = (1 + Math.log(tf)) * idf[j];
        idx.push(j);
        val.push(w);
        norm += w * w;
      }
      norm = Math.sqrt(norm) || 1;
      for (let p = start; p < idx.length; p++) val[p] /= norm;
      indptr[i + 1] = idx.length;
    }
    docs.length = 0;
    const a: Csr = { rows: n, cols: featureList.length, indptr, indices: Uint32Array.from(idx), values: Float32Array.from(val) };

    const k = Math.min(o.dimensions, n - 1, featureList.length - 1);
    if (k < 1) throw new Error('the local embedder found too few shared words to train on');
    const l = Math.min(k + o.oversample, n, featureList.length);
    const random = seededRandom(o.seed);
    const omega = new Float64Array(a.cols * l);
    for (let i = 0; i < omega.length; i++) omega[i] = gaussian(random);
    // Range finder: Q spans the top of A's column space; power iterations sharpen the spectrum.
    let y = csrTimesDense(a, omega, l);
    orthonormalizeColumns(y, n, l);
    for (let it = 0; it < o.powerIterations; it++) {
      const z = csrTransposeTimesDense(a, y, l);
      orthonormalizeColumns(z, a.cols, l);
      y = csrTimesDense(a, z, l);
      orthonormalizeColumns(y, n, l);
    }
    // Bᵀ = AᵀQ (cols × l); B Bᵀ = U_B Λ U_Bᵀ gives A ≈ Q U_B Σ Vᵀ with V = Bᵀ U_B Σ⁻¹.
    const bt = csrTransposeTimesDense(a, y, l);
    const { values, vectors } = symmetricEigen(gram(bt, a.cols, l), l);
    // projection = V_k Σ_k^e = Bᵀ U_B[:, :k] Σ_k^(e-1)
    const scale = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const sigma = Math.sqrt(Math.max(values[c], 1e-12));
      scale[c] = Math.pow(sigma, o.sigmaExponent - 1);
    }
    const projection = new Float32Array(a.cols * k);
    for (let f = 0; f < a.cols; f++) {
      const row = f * l;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < l; j++) s += bt[row + j] * vectors[j * l + c];
        projection[f * k + c] = s * scale[c];
      }
    }
    return new LocalEmbedder(featureList, idf, projection, k, o.bigrams);
  }

  /** One unit-length vector; a text sharing no word with the training corpus gets the same fixed one. */
  embedOne(text: string): Float32Array {
    const d = this.dimensions;
    const acc = new Float64Array(d);
    const proj = this.projection;
    const feats: number[] = [];
    const weights: number[] = [];
    let norm = 0;
    for (const [f, tf] of features(text, this.bigrams)) {
      const j = this.featureIds.get(f);
      if (j === undefined) continue;
      const w = (1 + Math.log(tf)) * this.idf[j];
      feats.push(j);
      weights.push(w);
      norm += w * w;
    }
    for (let x = 0; x < feats.length; x++) {
      const w = weights[x];
      const o = feats[x] * d;
      for (let c = 0; c < d; c++) acc[c] += w * proj[o + c];
    }
    let len = 0;
    for (let c = 0; c < d; c++) len += acc[c] * acc[c];
    len = Math.sqrt(len);
    const out = new Float32Array(d);
    if (len > 0 && norm > 0) for (let c = 0; c < d; c++) out[c] = acc[c] / len;
    else out.fill(1 / Math.sqrt(d));
    return out;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  /** The model as one buffer: a header (JSON) and the idf and projection arrays. */
  toBuffer(): Buffer {
    const header = Buffer.from(JSON.stringify({ id: this.id, dimensions: this.dimensions, bigrams: this.bigrams, features: this.featureList }), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    return Buffer.concat([
      Buffer.from(MAGIC, 'latin1'),
      len,
      header,
      Buffer.from(this.idf.buffer, this.idf.byteOffset, this.idf.byteLength),
      Buffer.from(this.projection.buffer, this.projection.byteOffset, this.projection.byteLength),
    ]);
  }

  static fromBuffer(buf: Uint8Array): LocalEmbedder {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (b.length < MAGIC.length + 4 || b.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not a Paperboy local embedder model');
    const headerLen = b.readUInt32LE(MAGIC.length);
    let at = MAGIC.length + 4;
    const header = JSON.parse(b.toString('utf8', at, at + headerLen)) as { id: string; dimensions: number; bigrams: boolean; features: string[] };
    at += headerLen;
    const nf = header.features.length;
    const expected = at + 4 * nf + 4 * nf * header.dimensions;
    if (b.length !== expected) throw new Error(`local embedder model is truncated or corrupt (${b.length} bytes, expected ${expected})`);
    // Copies: the buffer's offset need not be 4-byte aligned.
    const idf = new Float32Array(nf);
    new Uint8Array(idf.buffer).set(b.subarray(at, at + 4 * nf));
    at += 4 * nf;
    const projection = new Float32Array(nf * header.dimensions);
    new Uint8Array(projection.buffer).set(b.subarray(at, at + projection.byteLength));
    return new LocalEmbedder(header.features, idf, projection, header.dimensions, header.bigrams, header.id);
  }
}
