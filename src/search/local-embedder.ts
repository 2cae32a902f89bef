import { createHash } from 'node:crypto';
import type { EmbedOptions, Embedder } from './embedder.ts';
import { csrTimesDense, transposeCsr, gaussian, orthonormalizeColumns, symmetricEigen, gram, type Csr } from './linalg.ts';
import { analyseWord, scanWordSpans } from './tokenize.ts';
import { WordTable } from './word-table.ts';
import { seededRandom } from '../domain/random.ts';
import { drain, drainSliced } from '../slices.ts';

/**
 * The offline default embedder: latent semantic analysis trained on the instance's own papers.
 * No download and no GPU: TF-IDF over stemmed words and word pairs, reduced by a randomized SVD
 * (Halko–Martinsson–Tropp) to a few hundred dimensions, so papers that use different words for the
 * same idea ("pruning" / "sparsification", "LLM" / "language model") land near each other.
 * Embedding a text is one sparse × dense product: tens of microseconds per paper.
 *
 * The model also keeps a wider vocabulary than it projects (`vocabulary` ≥ `projected` features):
 * its idf weights give the sparse TF-IDF vector of a text (`termVector`), which similar papers mix
 * with the latent cosine — the exact-word signal LSA smooths away.
 *
 * What training costs (profiled over the 74,728-paper corpus, see BENCHMARKS "Meaning"): the SVD's
 * dense work grows with features × (dimensions + oversample)², so the latent space is trained on an
 * even sample of papers and the most frequent features only; a text is analysed once per word
 * (a cache from word to feature id) and word pairs are looked up by a numeric key, not a string.
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
  /** The vocabulary (features with an idf, for TF-IDF vectors): the most frequent, up to this many. */
  maxFeatures: number;
  /** Of those, the most frequent this many get a latent row (the SVD's width). */
  projectedFeatures: number;
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

/** Chosen by measurement (bench/search-quality and bench/reindex; BENCHMARKS.md "Meaning"). */
export const DEFAULT_LOCAL_EMBEDDER: LocalEmbedderOptions = {
  dimensions: 128,
  bigrams: true,
  minDf: 2,
  minBigramDf: 4,
  maxFeatures: 200_000,
  projectedFeatures: 40_000,
  maxTrainingDocs: 25_000,
  oversample: 16,
  powerIterations: 1,
  sigmaExponent: 0.5,
  seed: 1,
};

export interface TrainingText {
  title: string;
  abstract: string;
}

/** Training found too little text to learn from (a new instance with a handful of papers): not a failure of the reindex. */
export class TooLittleTextError extends Error {}

/** Phases of training, for progress output: `done` of `total` units of that phase. */
export type TrainingProgress = (phase: 'analyse' | 'svd', done: number, total: number) => void;

const MAGIC = 'PBLSA2\n';
/** How long `embed` runs before it hands the event loop back (a few texts' worth). */
const EMBED_SLICE_MS = 8;
/**
 * Word-pair keys: first × 2¹⁵ + second id, a small integer (V8 keeps it unboxed, so map look-ups stay
 * fast). Pairs are therefore formed among the 32,768 most frequent words only.
 */
const PAIR = 2 ** 15;

/** The text a paper is embedded from. */
export function paperText(p: TrainingText): string {
  return `${p.title}. ${p.abstract}`;
}

/** A sparse unit-length TF-IDF vector: feature ids ascending, weights alongside. */
export interface TermVector {
  ids: Uint32Array;
  weights: Float32Array;
}

/** Vectors of texts and their term vectors as stored (`termVectorToBytes`), in order. */
export interface EmbeddedWithTerms {
  vectors: Float32Array[];
  terms: Uint8Array[];
}

/** An embedder that also gives each text's term vector, for storing beside its vector (the local model, on this thread or on workers). */
export interface TermEmbedder extends Embedder {
  embedWithTerms(texts: string[], options?: EmbedOptions): Promise<EmbeddedWithTerms>;
}

export function givesTermVectors(e: Embedder): e is TermEmbedder {
  return typeof (e as Partial<TermEmbedder>).embedWithTerms === 'function';
}

/** Whether an embedder also gives TF-IDF term vectors (the local model does). */
export function hasTermVectors(e: Embedder): e is LocalEmbedder {
  return e instanceof LocalEmbedder;
}

/** Cosine of two unit-length term vectors (a merge of their sorted ids). */
export function termCosine(a: TermVector, b: TermVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i];
    const y = b.ids[j];
    if (x === y) s += a.weights[i++] * b.weights[j++];
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/**
 * A term vector as stored beside its paper's vector (`paper_embeddings.terms`): the ids as
 * little-endian uint32, then the weights as little-endian float32 — exactly the values
 * `termVector` gives, so similar papers score the same from it (8 bytes a feature, ~1.35 KB a paper).
 */
export function termVectorToBytes(tv: TermVector): Uint8Array {
  const n = tv.ids.length;
  const out = Buffer.alloc(8 * n);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(tv.ids.buffer, tv.ids.byteOffset, 4 * n), 0);
    out.set(new Uint8Array(tv.weights.buffer, tv.weights.byteOffset, 4 * n), 4 * n);
  } else {
    for (let i = 0; i < n; i++) {
      out.writeUInt32LE(tv.ids[i], 4 * i);
      out.writeFloatLE(tv.weights[i], 4 * (n + i));
    }
  }
  return out;
}

/** The term vector `termVectorToBytes` wrote; null for bytes that cannot be one (a length not a multiple of 8, ids not ascending). */
export function termVectorFromBytes(b: Uint8Array): TermVector | null {
  if (b.byteLength % 8 !== 0) return null;
  const n = b.byteLength / 8;
  const ids = new Uint32Array(n);
  const weights = new Float32Array(n);
  if (LITTLE_ENDIAN) {
    // Copied: a row's bytes need not sit at a 4-byte boundary of their buffer.
    new Uint8Array(ids.buffer).set(b.subarray(0, 4 * n));
    new Uint8Array(weights.buffer).set(b.subarray(4 * n));
  } else {
    const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < n; i++) {
      ids[i] = buf.readUInt32LE(4 * i);
      weights[i] = buf.readFloatLE(4 * (n + i));
    }
  }
  for (let i = 1; i < n; i++) if (ids[i] <= ids[i - 1]) return null;
  return { ids, weights };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Word → stem id, each distinct word analysed once; -1 for stopwords. Grows while training. Words
 * are looked up by their span of the text (`WordTable`): a Map of sliced words cost 1.6 s of the
 * training thread's CPU on the corpus (BENCHMARKS round 17).
 */
class StemIds {
  private readonly words = new WordTable();
  readonly stems: string[] = [];
  private readonly ids = new Map<string, number>();
  /** The current text's stem ids, `out[0..n)`: one buffer reused from text to text, copied out once per text. */
  private out = new Int32Array(1024);
  private n = 0;
  private readonly onWord = (lower: string, start: number, end: number, hash: number): void => {
    let id = this.words.get(lower, start, end, hash);
    if (id === WordTable.MISSING) {
      const stem = analyseWord(lower.slice(start, end));
      if (stem === null) id = -1;
      else {
        const known = this.ids.get(stem);
        if (known !== undefined) id = known;
        else {
          id = this.stems.length;
          this.stems.push(stem);
          this.ids.set(stem, id);
        }
      }
      this.words.set(lower, start, end, hash, id);
    }
    if (id >= 0) {
      if (this.n === this.out.length) {
        const grown = new Int32Array(2 * this.n);
        grown.set(this.out);
        this.out = grown;
      }
      this.out[this.n++] = id;
    }
  };

  /**
   * The stem ids of a text in order, stopwords removed. Into a reused typed array, then one native
   * copy: a new JS array per text, then `Int32Array.from` iterating it, was a third of analysing the
   * 25,000-paper sample (profiled, round 25).
   */
  stream(text: string): Int32Array {
    this.n = 0;
    scanWordSpans(text, this.onWord);
    return this.out.slice(0, this.n);
  }
}

/**
 * Non-negative int32 key → int32 value, open addressing: the word-pair look-up runs once per word
 * of every text embedded, and a Map<number, number> cost several times more. Each slot's key and
 * value sit side by side in one array (`slots[2i]`, `slots[2i + 1]`): a hit reads one cache line,
 * where two arrays missed the cache twice (the look-up was a third of the embedder's feature
 * counting, profiled in round 21).
 */
class IntTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** Room for `capacity` keys, kept at most half full; its slots are not yet marked empty (`clearSteps`). */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
  }

  /** A table of `entries`, made at once (training). */
  static from(entries: ReadonlyMap<number, number>): IntTable {
    const t = new IntTable(entries.size);
    drain(t.clearSteps());
    for (const [k, v] of entries) t.set(k, v);
    return t;
  }

  /**
   * Marks every slot empty, a `yield` per 65,536 slots: a model's 140,612 word pairs at 75k papers
   * take 2^19 slots of two numbers, and marking them, then copying a `Map` of the pairs into them,
   * was one stretch of 10-20 ms of the request thread at the end of a sliced open (round 26). A table
   * made with `new` is used only after this has run to its end.
   */
  *clearSteps(): Generator<void, void> {
    for (let i = 0; i < this.slots.length; i += 1 << 16) {
      this.slots.fill(-1, i, i + (1 << 16));
      yield;
    }
  }

  /** Sets `k` to `v` (a key set again takes the later value, as a `Map` does). */
  set(k: number, v: number): void {
    const slots = this.slots;
    let i = this.slot(k);
    while (slots[2 * i] !== -1 && slots[2 * i] !== k) i = (i + 1) & this.mask;
    slots[2 * i] = k;
    slots[2 * i + 1] = v;
  }

  private slot(k: number): number {
    return (Math.imul(k, 0x9e3779b1) >>> 0) & this.mask;
  }

  /** The value under `k`, or -1. */
  get(k: number): number {
    const slots = this.slots;
    let i = this.slot(k);
    for (;;) {
      const at = slots[2 * i];
      if (at === k) return slots[2 * i + 1];
      if (at === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }
}

/**
 * Non-negative int32 key → number of documents it occurs in, open addressing over one typed array
 * that doubles when half full: training counts the word pairs of 25,000 papers (millions of
 * look-ups, a million distinct pairs), which a Map and a per-document Set made 2 s of CPU. Each
 * slot's key, count and last document sit side by side (`slots[3i..3i+2]`): a look-up reads one
 * cache line, where three arrays missed the cache three times (0.7 s of training's CPU, round 25).
 * Exported for its test.
 */
export class KeyCounts {
  /** Per slot: key (-1 empty), count, the last document the key was counted for. */
  private slots = KeyCounts.empty(1 << 16);
  private size = 0;

  private static empty(n: number): Int32Array {
    const slots = new Int32Array(3 * n);
    for (let i = 0; i < slots.length; i += 3) slots[i] = -1;
    return slots;
  }

  /** Counts `key` for document `doc`, once however often it occurs there (documents come in order). */
  addOnce(key: number, doc: number): void {
    const slots = this.slots;
    const mask = slots.length / 3 - 1;
    let i = (Math.imul(key, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const at = slots[3 * i];
      if (at === key) {
        if (slots[3 * i + 2] !== doc) {
          slots[3 * i + 2] = doc;
          slots[3 * i + 1]++;
        }
        return;
      }
      if (at === -1) break;
      i = (i + 1) & mask;
    }
    slots[3 * i] = key;
    slots[3 * i + 1] = 1;
    slots[3 * i + 2] = doc;
    if (++this.size * 2 > mask + 1) this.grow();
  }

  forEach(fn: (key: number, count: number) => void): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i += 3) if (slots[i] !== -1) fn(slots[i], slots[i + 1]);
  }

  private grow(): void {
    const old = this.slots;
    const slots = KeyCounts.empty((2 * old.length) / 3);
    const mask = slots.length / 3 - 1;
    for (let j = 0; j < old.length; j += 3) {
      if (old[j] === -1) continue;
      let i = (Math.imul(old[j], 0x9e3779b1) >>> 0) & mask;
      while (slots[3 * i] !== -1) i = (i + 1) & mask;
      slots[3 * i] = old[j];
      slots[3 * i + 1] = old[j + 1];
      slots[3 * i + 2] = old[j + 2];
    }
    this.slots = slots;
  }
}

/**
 * A trained model's analyser: text → counts per feature id (words and known word pairs). The counts
 * go into arrays it reuses from text to text (`count`, then `features`/`tf`, then `reset`), not a new
 * Map per text: at 75k papers the Map's allocation and hashing were a third of embedding's CPU.
 */
class FeatureCounter {
  /** Word → feature id; -1 stopword, -2 outside the vocabulary. */
  private readonly words = new WordTable(1_000_000);
  /** Count of each feature in the current text (0 for features it does not have). */
  readonly tf: Uint16Array;
  /** The current text's features, in first-seen order: `features[0..n)`. */
  features = new Int32Array(256);
  private n = 0;
  private prev = -1;
  private readonly onWord = (lower: string, start: number, end: number, hash: number) => {
    let t = this.words.get(lower, start, end, hash);
    if (t === WordTable.MISSING) {
      const stem = analyseWord(lower.slice(start, end));
      t = stem === null ? -1 : (this.unigrams.get(stem) ?? -2);
      this.words.set(lower, start, end, hash, t);
    }
    if (t === -1) return; // a stopword: pairs span it, as over the stopword-free token stream
    this.word(t);
  };

  /** A word that is not a stopword: its feature id `t` (-2 outside the vocabulary) counted, with the pair it ends. */
  private word(t: number): void {
    if (t >= 0) {
      this.add(t);
      const prev = this.prev;
      if (this.pairs && prev >= 0 && prev < PAIR && t < PAIR) {
        const f = this.pairs.get(prev * PAIR + t);
        if (f >= 0) this.add(f);
      }
    }
    this.prev = t;
  }

  constructor(
    private readonly unigrams: ReadonlyMap<string, number>,
    /** Pair key (first × PAIR + second feature id, both below PAIR) → feature id. */
    private readonly pairs: IntTable | null,
    featureCount: number,
  ) {
    this.tf = new Uint16Array(featureCount);
  }

  private add(f: number): void {
    // Saturates rather than wraps (a text repeating one word 65,535 times).
    if (this.tf[f] === 0) {
      if (this.n === this.features.length) {
        const grown = new Int32Array(this.n * 2);
        grown.set(this.features);
        this.features = grown;
      }
      this.features[this.n++] = f;
      this.tf[f] = 1;
    } else if (this.tf[f] < 0xffff) this.tf[f]++;
  }

  /** Counts the features of `text`; returns how many distinct ones (`features[0..n)`, counts in `tf`). Call `reset` when done with them. */
  count(text: string): number {
    this.n = 0;
    this.prev = -1;
    scanWordSpans(text, this.onWord);
    return this.n;
  }

  /**
   * `count` from a text's words as the keyword build analysed them (`AnalysedTexts`): `stems[start..end)`
   * are stem ids, stopwords already left out, and `stemFeature` gives each stem id's feature id
   * (`stemFeatures`). The same features in the same order as `count` of the text, without scanning it.
   */
  countStems(stems: Uint32Array, start: number, end: number, stemFeature: Int32Array): number {
    this.n = 0;
    this.prev = -1;
    for (let i = start; i < end; i++) this.word(stemFeature[stems[i]]);
    return this.n;
  }

  /** Each stem's feature id (-2 outside the vocabulary); a stopword is never one. */
  stemFeatures(stems: readonly string[]): Int32Array {
    const out = new Int32Array(stems.length);
    for (let i = 0; i < stems.length; i++) out[i] = this.unigrams.get(stems[i]) ?? -2;
    return out;
  }

  /** Clears the counts of the last text. */
  reset(): void {
    for (let i = 0; i < this.n; i++) this.tf[this.features[i]] = 0;
    this.n = 0;
  }
}

/** Σ a[i+j]·b[t+j] for j < n, added one term at a time in order (the same bits as the plain loop), four per iteration. */
function dot(a: Float64Array, i: number, b: Float64Array, t: number, n: number): number {
  let s = 0;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    s += a[i + j] * b[t + j];
    s += a[i + j + 1] * b[t + j + 1];
    s += a[i + j + 2] * b[t + j + 2];
    s += a[i + j + 3] * b[t + j + 3];
  }
  for (; j < n; j++) s += a[i + j] * b[t + j];
  return s;
}

interface FeatureTables {
  /** A single stem → its feature id. */
  unigrams: Map<string, number>;
  /** Pair key (first × PAIR + second feature id, both below PAIR) → feature id. */
  pairs: IntTable;
}

/**
 * Builds the look-up tables of a feature list, pausing (a `yield`) every 1,024 features. The pairs go
 * straight into their open-addressing table, sized from the features with a space (at least as many
 * as the pairs), not into a `Map` copied into one at the end: that `Map` grew by rehashing its
 * 140,612 entries at once (75k papers) and its copy ran after the last `yield` (round 26).
 */
function* featureTables(featureList: readonly string[]): Generator<void, FeatureTables> {
  const unigrams = new Map<string, number>();
  let spaced = 0;
  for (let i = 0; i < featureList.length; i++) {
    if (!featureList[i].includes(' ')) unigrams.set(featureList[i], i);
    else spaced++;
    if ((i & 1023) === 1023) yield;
  }
  const pairs = new IntTable(spaced);
  yield* pairs.clearSteps();
  for (let i = 0; i < featureList.length; i++) {
    const f = featureList[i];
    const sp = f.indexOf(' ');
    if (sp >= 0) {
      const a = unigrams.get(f.slice(0, sp));
      const b = unigrams.get(f.slice(sp + 1));
      if (a !== undefined && b !== undefined && a < PAIR && b < PAIR) pairs.set(a * PAIR + b, i);
    }
    if ((i & 1023) === 1023) yield;
  }
  return { unigrams, pairs };
}

interface ModelHeader {
  id: string;
  dimensions: number;
  bigrams: boolean;
  projected: number;
  features: string[];
}

/**
 * A model header as `toBuffer` writes it (`JSON.stringify`, the feature list last), its feature list
 * parsed ~64 kB at a time with a `yield` between: one JSON.parse of the 2.3 MB header of a 75k-paper
 * model took 30-80 ms. A piece ends at a `","` that really ends a string — one inside a string
 * follows an escaping backslash, so that piece does not parse and is extended to the next. Any other
 * layout is parsed whole.
 */
function* parseHeader(text: string): Generator<void, ModelHeader> {
  const key = ',"features":[';
  const start = text.indexOf(key);
  if (start < 0 || !text.endsWith(']}')) return JSON.parse(text) as ModelHeader;
  const head = JSON.parse(`${text.slice(0, start)}}`) as Omit<ModelHeader, 'features'>;
  const features: string[] = [];
  const end = text.length - 2;
  let from = start + key.length;
  let cut = from;
  while (from < end) {
    const next = text.indexOf('","', Math.min(end, cut + (64 << 10)));
    cut = next < 0 || next >= end ? end : next + 1;
    let piece: string[];
    try {
      piece = JSON.parse(`[${text.slice(from, cut)}]`) as string[];
    } catch (err) {
      if (cut === end) throw err;
      continue;
    }
    for (const f of piece) features.push(f);
    from = cut + 1;
    cut = from;
    yield;
  }
  return { ...head, features };
}

export class LocalEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly counter: FeatureCounter;
  private acc?: Float64Array;
  /** `countedVector`'s projection-row offsets and weights of a text's projected features. */
  private rowAt = new Int32Array(256);
  private weightAt = new Float64Array(256);

  private constructor(
    private readonly featureList: string[],
    /** idf per feature. */
    private readonly idf: Float32Array,
    /** Features 0..projected-1 (the most frequent) → latent space, projected × dimensions, row-major. */
    private readonly projection: Float32Array,
    private readonly projected: number,
    dimensions: number,
    private readonly bigrams: boolean,
    id?: string,
    /** The look-up tables of `featureList`, when built beforehand in slices (`fromBufferSliced`). */
    tables?: FeatureTables,
  ) {
    this.dimensions = dimensions;
    const { unigrams, pairs } = tables ?? drain(featureTables(featureList));
    this.counter = new FeatureCounter(unigrams, bigrams ? pairs : null, featureList.length);
    this.id =
      id ??
      `local-lsa-v2-${dimensions}-${createHash('sha256').update(featureList.join('\n')).update(new Uint8Array(projection.buffer, projection.byteOffset, Math.min(projection.byteLength, 1 << 16))).digest('hex').slice(0, 12)}`;
  }

  /** How many features (the most frequent) have a latent row; the others count only in term vectors. */
  get projectedFeatures(): number {
    return this.projected;
  }

  /** A copy of the latent rows (`projectedFeatures` × `dimensions`, row-major), for `withRows`. */
  rowsCopy(): Float32Array {
    return Float32Array.from(this.projection);
  }

  /**
   * The same vocabulary and idf with other latent rows, under `id` (the contrastive refinement,
   * `local-embedder-refine.ts`): its vectors are a different space, so it is a different model id.
   */
  withRows(rows: Float32Array, id: string): LocalEmbedder {
    if (rows.length !== this.projection.length) throw new Error(`local embedder: ${rows.length} row entries for a model of ${this.projection.length}`);
    if (id === this.id) throw new Error('local embedder: other rows need another model id');
    return new LocalEmbedder(this.featureList, this.idf, rows, this.projected, this.dimensions, this.bigrams, id);
  }

  /** A feature's text: a stem, or two stems with a space for a word pair. */
  featureName(id: number): string {
    return this.featureList[id];
  }

  get featureCount(): number {
    return this.featureList.length;
  }

  /** Trains a model on the given papers (at most `maxTrainingDocs` of them, evenly sampled). */
  static train(papers: readonly TrainingText[], options: Partial<LocalEmbedderOptions> = {}, onProgress?: TrainingProgress): LocalEmbedder {
    const o = { ...DEFAULT_LOCAL_EMBEDDER, ...options };
    const step = Math.max(1, papers.length / o.maxTrainingDocs);
    const stemIds = new StemIds();
    const streams: Int32Array[] = [];
    const sampleSize = Math.min(papers.length, o.maxTrainingDocs);
    for (let x = 0; x < papers.length && streams.length < o.maxTrainingDocs; x += step) {
      streams.push(stemIds.stream(paperText(papers[Math.floor(x)])));
      if (streams.length % 1000 === 0 || streams.length === sampleSize) onProgress?.('analyse', streams.length, sampleSize);
    }
    const n = streams.length;
    if (n < 2) throw new TooLittleTextError('the local embedder needs at least 2 papers to train on');

    // Document frequencies of words, then of pairs among the PAIR most frequent words.
    const stemCount = stemIds.stems.length;
    const wordDf = new Int32Array(stemCount);
    const lastDoc = new Int32Array(stemCount).fill(-1);
    streams.forEach((st, d) => {
      for (const t of st) if (lastDoc[t] !== d) (lastDoc[t] = d), wordDf[t]++;
    });
    const byDf = Array.from({ length: stemCount }, (_, i) => i).filter((t) => wordDf[t] >= o.minDf && wordDf[t] < n);
    byDf.sort((a, b) => wordDf[b] - wordDf[a] || (stemIds.stems[a] < stemIds.stems[b] ? -1 : 1));
    const rank = new Int32Array(stemCount).fill(-1);
    byDf.forEach((t, r) => (rank[t] = r));
    const pairDf = new KeyCounts();
    if (o.bigrams) {
      streams.forEach((st, d) => {
        for (let i = 1; i < st.length; i++) {
          const ra = rank[st[i - 1]];
          const rb = rank[st[i]];
          if (ra < 0 || rb < 0 || ra >= PAIR || rb >= PAIR) continue;
          pairDf.addOnce(ra * PAIR + rb, d);
        }
      });
    }
    // Features by df, words before pairs of equal df (a pair is never more frequent than its words);
    // a pair is kept only when both its words got feature ids below PAIR, so a trained model can key it.
    const candidates: Array<{ word: number; pair: number; df: number }> = byDf.map((t) => ({ word: t, pair: -1, df: wordDf[t] }));
    pairDf.forEach((key, c) => {
      if (c >= o.minBigramDf && c < n) candidates.push({ word: -1, pair: key, df: c });
    });
    candidates.sort((a, b) => b.df - a.df || Number(a.word < 0) - Number(b.word < 0) || a.word - b.word || a.pair - b.pair);
    const featureList: string[] = [];
    const dfs: number[] = [];
    const wordFeature = new Int32Array(stemCount).fill(-1);
    const pairFeature = new Map<number, number>();
    for (const c of candidates) {
      if (featureList.length >= o.maxFeatures) break;
      if (c.word >= 0) {
        wordFeature[c.word] = featureList.length;
        featureList.push(stemIds.stems[c.word]);
      } else {
        const fa = wordFeature[byDf[Math.floor(c.pair / PAIR)]];
        const fb = wordFeature[byDf[c.pair % PAIR]];
        if (fa < 0 || fb < 0 || fa >= PAIR || fb >= PAIR) continue;
        pairFeature.set(fa * PAIR + fb, featureList.length);
        featureList.push(`${featureList[fa]} ${featureList[fb]}`);
      }
      dfs.push(c.df);
    }
    const idf = new Float32Array(dfs.map((c) => Math.log((n + 1) / (c + 1)) + 1));
    const projected = Math.min(o.projectedFeatures, featureList.length);

    // TF-IDF rows over the projected features (sublinear tf), unit length. Counts go into one array
    // reused from row to row (features first seen listed in `touched`), rows into growing typed arrays.
    const pairIds = IntTable.from(pairFeature);
    const indptr = new Uint32Array(n + 1);
    let idx = new Uint32Array(1 << 16);
    let val = new Float64Array(1 << 16);
    let nnz = 0;
    const counts = new Int32Array(projected);
    let touched = new Int32Array(256);
    for (let i = 0; i < n; i++) {
      const st = streams[i];
      if (touched.length < 2 * st.length) touched = new Int32Array(2 * st.length);
      let m = 0;
      for (let p = 0; p < st.length; p++) {
        const f = wordFeature[st[p]];
        if (f >= 0 && f < projected && counts[f]++ === 0) touched[m++] = f;
        if (p > 0 && o.bigrams) {
          const fa = wordFeature[st[p - 1]];
          if (f >= 0 && fa >= 0 && fa < PAIR && f < PAIR) {
            const pf = pairIds.get(fa * PAIR + f);
            if (pf >= 0 && pf < projected && counts[pf]++ === 0) touched[m++] = pf;
          }
        }
      }
      if (nnz + m > idx.length) {
        const size = Math.max(2 * idx.length, nnz + m);
        const grownIdx = new Uint32Array(size);
        grownIdx.set(idx.subarray(0, nnz));
        idx = grownIdx;
        const grownVal = new Float64Array(size);
        grownVal.set(val.subarray(0, nnz));
        val = grownVal;
      }
      const ids = touched.subarray(0, m).sort();
      let norm = 0;
      for (let x = 0; x < m; x++) {
        const j = ids[x];
        const w = (1 + Math.log(counts[j])) * idf[j];
        counts[j] = 0;
        idx[nnz + x] = j;
        val[nnz + x] = w;
        norm += w * w;
      }
      norm = Math.sqrt(norm) || 1;
      for (let x = 0; x < m; x++) val[nnz + x] /= norm;
      nnz += m;
      indptr[i + 1] = nnz;
    }
    streams.length = 0;
    // The constructor converts a typed array in one native copy (the same rounding to float32);
    // `Float32Array.from` iterated it, 8 % of training's own time (profiled, round 21).
    const a: Csr = { rows: n, cols: projected, indptr, indices: idx.slice(0, nnz), values: new Float32Array(val.subarray(0, nnz)) };
    const at = transposeCsr(a);

    const k = Math.min(o.dimensions, n - 1, projected - 1);
    if (k < 1) throw new TooLittleTextError('the local embedder found too few shared words to train on');
    const l = Math.min(k + o.oversample, n, projected);
    const random = seededRandom(o.seed);
    const steps = 3 + 2 * o.powerIterations;
    let done = 0;
    const tick = () => onProgress?.('svd', ++done, steps);
    const omega = new Float64Array(a.cols * l);
    for (let i = 0; i < omega.length; i++) omega[i] = gaussian(random);
    // Range finder: Q spans the top of A's column space; power iterations sharpen the spectrum.
    let y = csrTimesDense(a, omega, l);
    orthonormalizeColumns(y, n, l, o.powerIterations ? 1 : 2);
    tick();
    for (let it = 0; it < o.powerIterations; it++) {
      // Z = AᵀY is not orthonormalised: one iteration from an orthonormal Y stays well scaled.
      const z = csrTimesDense(at, y, l);
      tick();
      y = csrTimesDense(a, z, l);
      orthonormalizeColumns(y, n, l);
      tick();
    }
    // Bᵀ = AᵀQ (cols × l); B Bᵀ = U_B Λ U_Bᵀ gives A ≈ Q U_B Σ Vᵀ with V = Bᵀ U_B Σ⁻¹.
    const bt = csrTimesDense(at, y, l);
    const { values, vectors } = symmetricEigen(gram(bt, a.cols, l), l);
    tick();
    // projection = V_k Σ_k^e = Bᵀ U_B[:, :k] Σ_k^(e-1)
    const scale = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const sigma = Math.sqrt(Math.max(values[c], 1e-12));
      scale[c] = Math.pow(sigma, o.sigmaExponent - 1);
    }
    // U_B[:, :k] scaled, transposed to k × l so the inner loop runs over contiguous memory.
    const ut = new Float64Array(k * l);
    for (let j = 0; j < l; j++) for (let c = 0; c < k; c++) ut[c * l + j] = vectors[j * l + c] * scale[c];
    const projection = new Float32Array(projected * k);
    for (let f = 0; f < projected; f++) {
      const row = f * l;
      const out = f * k;
      let c = 0;
      // Eight dimensions per pass over the row (then any left one at a time; none at 128): each sum
      // still adds its terms one at a time in order (the same bits as `dot`), and each element of
      // the row is loaded once for the eight; eight independent sums also keep more multiplies in
      // flight (round 25).
      for (; c + 8 <= k; c += 8) {
        const u0 = c * l;
        const u1 = u0 + l;
        const u2 = u1 + l;
        const u3 = u2 + l;
        const u4 = u3 + l;
        const u5 = u4 + l;
        const u6 = u5 + l;
        const u7 = u6 + l;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let s4 = 0;
        let s5 = 0;
        let s6 = 0;
        let s7 = 0;
        for (let j = 0; j < l; j++) {
          const v = bt[row + j];
          s0 += v * ut[u0 + j];
          s1 += v * ut[u1 + j];
          s2 += v * ut[u2 + j];
          s3 += v * ut[u3 + j];
          s4 += v * ut[u4 + j];
          s5 += v * ut[u5 + j];
          s6 += v * ut[u6 + j];
          s7 += v * ut[u7 + j];
        }
        projection[out + c] = s0;
        projection[out + c + 1] = s1;
        projection[out + c + 2] = s2;
        projection[out + c + 3] = s3;
        projection[out + c + 4] = s4;
        projection[out + c + 5] = s5;
        projection[out + c + 6] = s6;
        projection[out + c + 7] = s7;
      }
      for (; c < k; c++) projection[out + c] = dot(bt, row, ut, c * l, l);
    }
    tick();
    return new LocalEmbedder(featureList, idf, projection, projected, k, o.bigrams);
  }

  /** The unit-length sparse TF-IDF vector of a text over the model's whole vocabulary. */
  termVector(text: string): TermVector {
    const n = this.counter.count(text);
    const out = this.countedTerms(n);
    this.counter.reset();
    return out;
  }

  /** One unit-length vector; a text sharing no projected feature with the model gets the same fixed one. */
  embedOne(text: string): Float32Array {
    const n = this.counter.count(text);
    const out = this.countedVector(n);
    this.counter.reset();
    return out;
  }

  /**
   * The vector and the TF-IDF term vector of a text from one analysis of it (the same values as
   * `embedOne` and `termVector`): bulk embedding stores both, so that similar papers read the
   * candidates' term vectors instead of analysing ~280 texts a page (BENCHMARKS "Load", round 18).
   */
  embedOneWithTerms(text: string): { vector: Float32Array; terms: TermVector } {
    const n = this.counter.count(text);
    const vector = this.countedVector(n);
    const terms = this.countedTerms(n);
    this.counter.reset();
    return { vector, terms };
  }

  /**
   * Each stem's feature id, for `embedStemsWithTerms` over streams of those stems (the keyword build's
   * `AnalysedTexts`): a stem outside the vocabulary gets -2.
   */
  stemFeatures(stems: readonly string[]): Int32Array {
    return this.counter.stemFeatures(stems);
  }

  /**
   * `embedOneWithTerms` of a text already analysed: `stems[start..end)` are its words' stem ids in
   * order, stopwords left out (`AnalysedTexts`), mapped to features by `stemFeature`
   * (`stemFeatures` of the same stems). The same vector and term vector, bit for bit, as from the text.
   */
  embedStemsWithTerms(stems: Uint32Array, start: number, end: number, stemFeature: Int32Array): { vector: Float32Array; terms: TermVector } {
    const n = this.counter.countStems(stems, start, end, stemFeature);
    const vector = this.countedVector(n);
    const terms = this.countedTerms(n);
    this.counter.reset();
    return { vector, terms };
  }

  /** The term vector of the text the counter holds (`n` features). */
  private countedTerms(n: number): TermVector {
    const counter = this.counter;
    // The constructor copies a typed array natively; `Uint32Array.from` iterated it element by element.
    const ids = new Uint32Array(counter.features.subarray(0, n)).sort();
    const weights = new Float32Array(n);
    let norm = 0;
    for (let x = 0; x < n; x++) {
      const w = (1 + Math.log(counter.tf[ids[x]])) * this.idf[ids[x]];
      weights[x] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (let x = 0; x < weights.length; x++) weights[x] /= norm;
    return { ids, weights };
  }

  /** The latent vector of the text the counter holds (`n` features). */
  private countedVector(n: number): Float32Array {
    const d = this.dimensions;
    // Reused from text to text (zeroed here), not a new array per paper.
    const acc = (this.acc ??= new Float64Array(d)).fill(0);
    const proj = this.projection;
    const features = this.counter.features;
    const tf = this.counter.tf;
    const idf = this.idf;
    const projected = this.projected;
    // The projected features' rows and weights, in feature order (reused arrays).
    if (this.rowAt.length < n) {
      this.rowAt = new Int32Array(2 * n);
      this.weightAt = new Float64Array(2 * n);
    }
    const rowAt = this.rowAt;
    const weightAt = this.weightAt;
    let m = 0;
    for (let x = 0; x < n; x++) {
      const j = features[x];
      if (j >= projected) continue;
      rowAt[m] = j * d;
      weightAt[m++] = (1 + Math.log(tf[j])) * idf[j];
    }
    // Four features per pass over the accumulator, added left to right: each dimension gets the
    // same additions in the same feature order as one feature at a time (JavaScript evaluates
    // `a + b + c` as `(a + b) + c` and never fuses a multiply-add), so the same bits, with a quarter
    // of the accumulator's loads and stores.
    let q = 0;
    for (; q + 4 <= m; q += 4) {
      const o0 = rowAt[q];
      const o1 = rowAt[q + 1];
      const o2 = rowAt[q + 2];
      const o3 = rowAt[q + 3];
      const w0 = weightAt[q];
      const w1 = weightAt[q + 1];
      const w2 = weightAt[q + 2];
      const w3 = weightAt[q + 3];
      for (let c = 0; c < d; c++) acc[c] = acc[c] + w0 * proj[o0 + c] + w1 * proj[o1 + c] + w2 * proj[o2 + c] + w3 * proj[o3 + c];
    }
    for (; q < m; q++) {
      const o = rowAt[q];
      const w = weightAt[q];
      for (let c = 0; c < d; c++) acc[c] += w * proj[o + c];
    }
    let len = 0;
    for (let c = 0; c < d; c++) len += acc[c] * acc[c];
    len = Math.sqrt(len);
    const out = new Float32Array(d);
    if (len > 0) for (let c = 0; c < d; c++) out[c] = acc[c] / len;
    else out.fill(1 / Math.sqrt(d));
    return out;
  }

  /**
   * The texts' vectors, with the event loop handed back (`nextSlice`) whenever a slice has run
   * `EMBED_SLICE_MS`: the embedding job embeds a batch of 128 papers in the serving process, ~1 ms
   * each at the real corpus' lengths, which held the request thread 127–216 ms at once (BENCHMARKS
   * "Background jobs", round 21). A query (one text) never waits for a turn of the loop.
   */
  embed(texts: string[]): Promise<Float32Array[]> {
    return drainSliced(this.embedSteps(texts, false), EMBED_SLICE_MS).then((r) => r.vectors);
  }

  /** `embed` with each text's term vector (as bytes), sliced the same way. */
  embedWithTerms(texts: string[]): Promise<EmbeddedWithTerms> {
    return drainSliced(this.embedSteps(texts, true), EMBED_SLICE_MS) as Promise<EmbeddedWithTerms>;
  }

  /** One text per step (a `yield` before each but the first). */
  private *embedSteps(texts: readonly string[], withTerms: boolean): Generator<void, { vectors: Float32Array[]; terms: Uint8Array[] | null }> {
    const vectors: Float32Array[] = [];
    const terms: Uint8Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (i) yield;
      if (!withTerms) {
        vectors.push(this.embedOne(texts[i]));
        continue;
      }
      const e = this.embedOneWithTerms(texts[i]);
      vectors.push(e.vector);
      terms.push(termVectorToBytes(e.terms));
    }
    return { vectors, terms: withTerms ? terms : null };
  }

  /** The model as one buffer: a header (JSON) and the idf and projection arrays. */
  toBuffer(): Buffer {
    const header = Buffer.from(JSON.stringify({ id: this.id, dimensions: this.dimensions, bigrams: this.bigrams, projected: this.projected, features: this.featureList }), 'utf8');
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

  /** The model's header and arrays, pausing (a `yield`) between pieces of its feature list. */
  private static *parse(buf: Uint8Array): Generator<void, { header: ModelHeader; idf: Float32Array; projection: Float32Array }> {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (b.length >= MAGIC.length && b.toString('latin1', 0, MAGIC.length) === 'PBLSA1\n') throw new Error('the stored local embedder model is of an older format: run `paperboy reindex` to train a new one');
    if (b.length < MAGIC.length + 4 || b.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not a Paperboy local embedder model');
    const headerLen = b.readUInt32LE(MAGIC.length);
    let at = MAGIC.length + 4;
    const header = yield* parseHeader(b.toString('utf8', at, at + headerLen));
    at += headerLen;
    const nf = header.features.length;
    const expected = at + 4 * nf + 4 * header.projected * header.dimensions;
    if (b.length !== expected) throw new Error(`local embedder model is truncated or corrupt (${b.length} bytes, expected ${expected})`);
    // Copies: the buffer's offset need not be 4-byte aligned.
    const idf = new Float32Array(nf);
    new Uint8Array(idf.buffer).set(b.subarray(at, at + 4 * nf));
    at += 4 * nf;
    const projection = new Float32Array(header.projected * header.dimensions);
    // A MB at a time: the projection is 20 MB at 75k papers (one copy a stretch of several ms).
    const into = new Uint8Array(projection.buffer);
    for (let off = 0; off < into.length; off += 1 << 20) {
      yield;
      into.set(b.subarray(at + off, at + Math.min(into.length, off + (1 << 20))), off);
    }
    return { header, idf, projection };
  }

  static fromBuffer(buf: Uint8Array): LocalEmbedder {
    const { header, idf, projection } = drain(LocalEmbedder.parse(buf));
    return new LocalEmbedder(header.features, idf, projection, header.projected, header.dimensions, header.bigrams, header.id);
  }

  /**
   * `fromBuffer` with the event loop handed back every `sliceMs` while the feature list is parsed and
   * its tables built: a serving process opens the stored model at its first search or embedding
   * pass, and at 74,728 papers (159,359 features) doing it at once held the request thread 210-300
   * ms of CPU (the header's JSON.parse alone 30-80 ms).
   */
  static async fromBufferSliced(buf: Uint8Array, sliceMs = 4): Promise<LocalEmbedder> {
    const { header, idf, projection } = await drainSliced(LocalEmbedder.parse(buf), sliceMs);
    const tables = await drainSliced(featureTables(header.features), sliceMs);
    return new LocalEmbedder(header.features, idf, projection, header.projected, header.dimensions, header.bigrams, header.id, tables);
  }
}
