import { drain, drainSliced } from '../slices.ts';
import { analyseWord, scanWordSpans, tokenize, type AnalysedTexts } from './tokenize.ts';
import { WordTable } from './word-table.ts';
import { Lexicon } from './spelling.ts';
import { StringTable } from './string-table.ts';

/**
 * An in-memory BM25F keyword index with windowed MaxScore dynamic pruning.
 *
 * Why not FTS5's `bm25()` alone: an OR query of 8–12 words makes FTS5 score every document that
 * contains any of the words (~80 ms p50 on 75k papers, linear in the corpus). Here each posting
 * carries its precomputed BM25F impact, postings are ordered by document, and MaxScore skips every
 * document that cannot enter the top k given the k-th score so far: the common words of a long
 * query are only probed for documents the rare words already made competitive. What keeps that
 * affordable at 1M papers:
 *
 * - the essential lists are added into an accumulator one window of `WINDOW` documents at a time,
 *   list by list (term-at-a-time inside the window), instead of being merged document by document;
 *   the documents touched are then finished in document order with MaxScore's look-ups;
 * - the build analyses each distinct word once (word → term id) and counts in typed arrays.
 *
 * Block-max pruning (per-block maximum impacts, skipping runs whose maxima cannot reach the k-th
 * score) was measured and removed: with papers numbered in import order the blocks of common words
 * all reach near their list's maximum, so it skipped under 0.1 % of candidates and cost more than
 * it saved; so did filling the heap first with each word's highest-impact documents (BENCHMARKS.md).
 *
 * All of this only skips documents that provably cannot enter the top k: the result is the
 * exhaustive BM25F top k (`searchExhaustive`, which the tests compare against).
 *
 * The store stays the source of truth: the index is built from it (`InvertedIndex.build`) and
 * kept current with `upsert`/`remove`, which go to a small delta scored exhaustively next to the
 * pruned main segment until the next rebuild.
 */

export interface Bm25Options {
  k1: number;
  /** Length normalisation per field. */
  titleB: number;
  abstractB: number;
  /** Field weights (BM25F): a title word counts `titleWeight / abstractWeight` times an abstract word. */
  titleWeight: number;
  abstractWeight: number;
  /**
   * The text of the PDF's first pages (the enrichment `pdf` step's), a field of low weight scored
   * apart from title and abstract: `pdfWeight` × its own BM25 (its own document frequencies and
   * length normalisation `pdfB`), so its best score (idf × (k1 + 1) × 0.2) stays below one title
   * mention, and twenty thousand characters of PDF text neither lengthen the paper's other fields
   * nor change their word statistics.
   */
  pdfB: number;
  pdfWeight: number;
  /**
   * Long questions (a pasted paragraph) are searched by their this-many most informative words
   * (highest BM25 upper bound); the rest would mostly add long posting lists of generic words.
   */
  maxQueryTerms: number;
}

/** Chosen on the dev set of bench/search-quality (see BENCHMARKS.md). */
export const DEFAULT_BM25: Bm25Options = { k1: 1.2, titleB: 0.5, abstractB: 0.75, titleWeight: 2, abstractWeight: 1, pdfB: 0.75, pdfWeight: 0.2, maxQueryTerms: 16 };

const NO_DOC = 0xffffffff;
/** Document numbers per window of the search (the accumulator's size). */
const WINDOW = 4096;

export interface IndexedDoc {
  id: string;
  title: string;
  abstract: string;
  /** The text of the PDF's first pages, when the enrichment has kept it. */
  pdfText?: string | null;
  /** The paper's content hash: with it, a builder told to (`keepAnalysis`) records the paper's stem stream (`analysis`). */
  contentHash?: string;
}

export interface IndexHit {
  id: string;
  score: number;
}

export interface IndexSearchOptions {
  /** Only documents for which this returns true are ranked (filters by category, date, ...). */
  filter?: (id: string) => boolean;
}

/** A typed array that grows by doubling (the build does not know its posting count ahead). */
class Growable<T extends Uint32Array | Uint16Array | Float32Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new (this.data.constructor as new (n: number) => T)(Math.max(16, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  trimmed(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/**
 * A query's terms with their weights: a list counts each term once per occurrence; a map gives the
 * weights outright (query expansion adds related words at a fraction of an original word's weight).
 */
export type QueryTerms = readonly string[] | ReadonlyMap<string, number>;

/** Each term's weight; a weight that is not positive leaves its term out (it would only lower scores). */
function queryWeights(terms: QueryTerms): ReadonlyMap<string, number> {
  if (Array.isArray(terms)) return countTerms(terms as readonly string[]);
  return new Map([...(terms as ReadonlyMap<string, number>)].filter(([, w]) => w > 0));
}

function queryIsEmpty(terms: QueryTerms): boolean {
  return Array.isArray(terms) ? terms.length === 0 : (terms as ReadonlyMap<string, number>).size === 0;
}

function countTerms(terms: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

export interface FieldStats {
  n: number;
  avgTitle: number;
  avgAbstract: number;
  /** Documents with PDF text, and their average PDF text length in terms (0 when none). */
  nPdf: number;
  avgPdf: number;
}

interface QueryList {
  term: number;
  /** The list's postings: pos .. end. */
  pos: number;
  end: number;
  /** Largest impact × weight. */
  ub: number;
  /** The word's weight in the query: how often it occurs, or the weight a caller gave it. */
  weight: number;
}

/** Min-heap of (score, doc) pairs holding the best k; ties keep the lower doc number. */
class TopK {
  readonly scores: Float64Array;
  readonly docs: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.docs = new Int32Array(k);
  }
  get full(): boolean {
    return this.size === this.k;
  }
  /** The score a document must beat to enter (0 until the heap is full: scores are positive). */
  get threshold(): number {
    return this.full ? this.scores[0] : 0;
  }
  private less(i: number, j: number): boolean {
    const a = this.scores[i];
    const b = this.scores[j];
    return a < b || (a === b && this.docs[i] > this.docs[j]);
  }
  private swap(i: number, j: number): void {
    const s = this.scores[i];
    this.scores[i] = this.scores[j];
    this.scores[j] = s;
    const d = this.docs[i];
    this.docs[i] = this.docs[j];
    this.docs[j] = d;
  }
  push(score: number, doc: number): void {
    if (this.k === 0) return;
    if (!this.full) {
      let i = this.size++;
      this.scores[i] = score;
      this.docs[i] = doc;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.less(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    if (score < this.scores[0] || (score === this.scores[0] && doc > this.docs[0])) return;
    this.scores[0] = score;
    this.docs[0] = doc;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.less(l, m)) m = l;
      if (r < this.size && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
  /** Best first. */
  sorted(): Array<{ doc: number; score: number }> {
    const out: Array<{ doc: number; score: number }> = [];
    for (let i = 0; i < this.size; i++) out.push({ doc: this.docs[i], score: this.scores[i] });
    return out.sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
}

export class InvertedIndex {
  /** Term → term id: a Map when built here, a `StringTable` over the file's bytes when loaded. */
  private termIds: TermLookup = new Map<string, number>();
  /** CSR posting lists: postings of term t are offsets[t] .. offsets[t+1]. */
  private offsets: Uint32Array = new Uint32Array(1);
  private postDocs: Uint32Array = new Uint32Array(0);
  private postImpacts: Float32Array = new Float32Array(0);
  /** Largest impact per term: MaxScore's upper bound. */
  private maxImpact: Float32Array = new Float32Array(0);
  private ids: string[] = [];
  /** Paper id → document number: a Map when built here, the file's `StringTable` of ids when loaded. */
  private docOf: Pick<Map<string, number>, 'get' | 'has' | 'size'> = new Map<string, number>();
  /** Documents removed or replaced since the build (their main-segment postings are skipped). */
  private dead = new Uint8Array(0);
  private deadCount = 0;
  /** Documents added or changed since the build: scored exhaustively with the build's statistics. */
  private delta = new Map<string, Map<string, number>>();
  private stats: FieldStats = { n: 0, avgTitle: 1, avgAbstract: 1, nPdf: 0, avgPdf: 0 };
  /** Per term: documents with it in title or abstract (the idf of those fields, spelling, variants). */
  private dfs: Uint32Array = new Uint32Array(0);
  /** Per term: documents with it in their PDF text (the PDF field's idf). */
  private pdfDfs: Uint32Array = new Uint32Array(0);

  /** What the last pruned search did (for tests and benchmarks): documents the essential lists touched, windows. */
  readonly lastSearch = { candidates: 0, windows: 0 };

  /** Scratch for a window of the search: scores, and a bit per offset touched (32 offsets a word). */
  private readonly acc = new Float64Array(WINDOW);
  private readonly touched = new Uint32Array(WINDOW >>> 5);

  private constructor(readonly options: Bm25Options) {}

  /**
   * Builds the index in two passes over term counts kept in typed arrays (bounded memory at 1M
   * papers). Each distinct word is analysed (stopword test, stem, term id) once.
   */
  static build(docs: Iterable<IndexedDoc>, options: Partial<Bm25Options> = {}): InvertedIndex {
    const builder = new InvertedIndexBuilder(options);
    for (const doc of docs) builder.add(doc);
    return builder.finish();
  }

  /**
   * The arrays a built index is made of (the main segment only: documents upserted or removed
   * since the build are not in them), for `keyword-index-file.ts` to write.
   */
  toParts(): IndexParts {
    const terms: string[] = new Array(this.termIds.size);
    for (const [t, id] of this.termIds.entries()) terms[id] = t;
    const lexicon = this.lexicon.toArrays();
    return {
      options: this.options,
      stats: this.stats,
      terms,
      offsets: this.offsets,
      postDocs: this.postDocs,
      postImpacts: this.postImpacts,
      maxImpact: this.maxImpact,
      dfs: this.dfs,
      pdfDfs: this.pdfDfs,
      ids: this.ids,
      lexiconWords: lexicon.words,
      lexiconDfs: lexicon.dfs,
    };
  }

  /** An index over arrays read back from a file (no posting is copied: the arrays are used as they are). */
  static fromParts(parts: LoadedIndexParts): InvertedIndex {
    return drain(InvertedIndex.assemble(parts));
  }

  /** `fromParts` that hands the event loop back every `sliceMs` (the id and term maps of 1M papers take a few hundred ms). */
  static fromPartsSliced(parts: LoadedIndexParts, sliceMs = 4): Promise<InvertedIndex> {
    return drainSliced(InvertedIndex.assemble(parts), sliceMs);
  }

  /** Builds the look-up maps over the parts, pausing (yield) every 4,096 entries (16,384 map sets were up to 10 ms on a loaded machine). */
  static *assemble(parts: LoadedIndexParts): Generator<void, InvertedIndex> {
    const index = new InvertedIndex(parts.options);
    const n = parts.ids.length;
    const nTerms = parts.terms.length;
    if (parts.offsets.length !== nTerms + 1 || parts.dfs.length !== nTerms || parts.pdfDfs.length !== nTerms || parts.maxImpact.length !== nTerms) throw new Error('index parts disagree on the number of terms');
    if (parts.postDocs.length !== parts.offsets[nTerms] || parts.postImpacts.length !== parts.postDocs.length) throw new Error('index parts disagree on the number of postings');
    if (parts.stats.n !== n) throw new Error('index parts disagree on the number of documents');
    if (parts.terms instanceof StringTable) {
      // Read from a file: the reader thread built its hash table (and refused repeated terms).
      index.termIds = parts.terms;
    } else {
      const termIds = new Map<string, number>();
      for (let t = 0; t < nTerms; t++) {
        termIds.set(parts.terms[t], t);
        if ((t & 4095) === 4095) yield;
      }
      if (termIds.size !== nTerms) throw new Error('index parts repeat a term');
      index.termIds = termIds;
    }
    if (parts.idTable) {
      // Read from a file: the reader thread built the ids' hash table (and refused repeated ids);
      // a Map of 2.5M ids was ~2.6 s of the request thread at every start (BENCHMARKS, round 23 `big-start`).
      if (parts.idTable.size !== n) throw new Error('index parts disagree on the number of documents');
      index.docOf = parts.idTable;
    } else {
      const docOf = new Map<string, number>();
      for (let d = 0; d < n; d++) {
        docOf.set(parts.ids[d], d);
        if ((d & 4095) === 4095) yield;
      }
      index.docOf = docOf;
    }
    if (index.docOf.size !== n) throw new Error('index parts repeat a document id');
    index.stats = parts.stats;
    index.offsets = parts.offsets;
    index.postDocs = parts.postDocs;
    index.postImpacts = parts.postImpacts;
    index.maxImpact = parts.maxImpact;
    index.dfs = parts.dfs;
    index.pdfDfs = parts.pdfDfs;
    index.ids = parts.ids;
    index.dead = new Uint8Array(n);
    // The words as decoded and their frequencies as given (from a file: a view on its bytes).
    index.lexicon = yield* Lexicon.build(parts.lexiconWords, parts.lexiconDfs);
    return index;
  }

  /** The document number of a main-segment document (undefined for delta documents and unknown ids). */
  docNumber(id: string): number | undefined {
    return this.docOf.get(id);
  }

  /** Main-segment documents (live or not): document numbers run 0 .. mainSize-1. */
  get mainSize(): number {
    return this.ids.length;
  }

  private lexicon = Lexicon.of([]);

  /** Papers of the last build that contain `term` (a stem, as `tokenize` makes). */
  docFrequency(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.dfs[id];
  }

  /**
   * A correction for each query word that is unknown or rare in the corpus and one or two edits
   * from a clearly more frequent word of it (`transfromer` → `transformer`); words left alone are
   * absent from the map.
   */
  corrections(words: string[]): Map<string, string> {
    const out = new Map<string, string>();
    const rare = Math.max(2, Math.floor(this.stats.n * 0.0001));
    for (const w of words) {
      const term = analyseWord(w);
      if (term === null) continue;
      const df = this.docFrequency(term);
      if (df > rare) continue;
      const fix = this.lexicon.correct(w, df);
      if (fix) out.set(w, fix.word);
    }
    return out;
  }

  /**
   * How many live documents contain any of `terms` (stems): exact without a filter; with one,
   * exact up to `exactUpTo` matching documents and estimated from an even sample beyond.
   */
  countMatches(terms: string[], filter?: (id: string) => boolean, exactUpTo = 20_000): { total: number; exact: boolean } {
    const unique = [...new Set(terms)];
    const deltaHits: string[] = [];
    for (const [id, impacts] of this.delta) if (unique.some((t) => impacts.has(t))) deltaHits.push(id);
    const lists = unique.map((t) => this.termIds.get(t)).filter((id): id is number => id !== undefined);
    const docs: number[] = [];
    if (lists.length === 1) {
      for (let p = this.offsets[lists[0]]; p < this.offsets[lists[0] + 1]; p++) if (!this.dead[this.postDocs[p]]) docs.push(this.postDocs[p]);
    } else if (lists.length > 1) {
      const marks = new Uint8Array(this.ids.length);
      for (const t of lists) {
        for (let p = this.offsets[t]; p < this.offsets[t + 1]; p++) {
          const d = this.postDocs[p];
          if (!marks[d] && !this.dead[d]) {
            marks[d] = 1;
            docs.push(d);
          }
        }
      }
    }
    if (!filter) return { total: docs.length + deltaHits.length, exact: true };
    const deltaPass = deltaHits.filter(filter).length;
    if (docs.length <= exactUpTo) return { total: docs.reduce((n, d) => n + (filter(this.ids[d]) ? 1 : 0), 0) + deltaPass, exact: true };
    const step = docs.length / exactUpTo;
    let pass = 0;
    for (let i = 0; i < exactUpTo; i++) if (filter(this.ids[docs[Math.floor(i * step)]])) pass++;
    return { total: Math.round((pass / exactUpTo) * docs.length) + deltaPass, exact: false };
  }

  /** An empty index with these options (the builder fills it through `fromParts`). */
  static empty(options: Bm25Options): InvertedIndex {
    return new InvertedIndex(options);
  }
  /** The builder's view of the scoring (the same functions the search uses for delta documents). */
  setStats(stats: FieldStats): void {
    this.stats = stats;
  }
  idfOf(df: number): number {
    return this.idf(df);
  }
  titleNormOf(len: number): number {
    return this.titleNorm(len);
  }
  abstractNormOf(len: number): number {
    return this.abstractNorm(len);
  }
  impactOf(idf: number, tfTitle: number, tfAbstract: number, tNorm: number, aNorm: number): number {
    return this.impact(idf, tfTitle, tfAbstract, tNorm, aNorm);
  }
  pdfIdfOf(df: number): number {
    return this.pdfIdf(df);
  }
  pdfNormOf(len: number): number {
    return this.pdfNorm(len);
  }
  pdfImpactOf(idf: number, tf: number, norm: number): number {
    return this.pdfImpact(idf, tf, norm);
  }

  private idf(df: number): number {
    const n = this.stats.n;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }
  private titleNorm(len: number): number {
    const b = this.options.titleB;
    return 1 - b + (b * len) / this.stats.avgTitle;
  }
  private abstractNorm(len: number): number {
    const b = this.options.abstractB;
    return 1 - b + (b * len) / this.stats.avgAbstract;
  }
  /** The PDF field's idf; `n` is at least `df`, so it stays positive for a document added after the build. */
  private pdfIdf(df: number): number {
    const n = Math.max(this.stats.nPdf, df);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }
  private pdfNorm(len: number): number {
    // Built without any PDF text: no average yet, a text counts as of average length.
    if (!this.stats.avgPdf) return 1;
    const b = this.options.pdfB;
    return 1 - b + (b * len) / this.stats.avgPdf;
  }
  private pdfImpact(idf: number, tf: number, norm: number): number {
    if (tf === 0) return 0;
    const k1 = this.options.k1;
    const t = tf / norm;
    return (this.options.pdfWeight * idf * t * (k1 + 1)) / (t + k1);
  }
  private impact(idf: number, tfTitle: number, tfAbstract: number, tNorm: number, aNorm: number): number {
    if (tfTitle === 0 && tfAbstract === 0) return 0;
    const o = this.options;
    const tf = (o.titleWeight * tfTitle) / tNorm + (o.abstractWeight * tfAbstract) / aNorm;
    return (idf * tf * (o.k1 + 1)) / (tf + o.k1);
  }

  /** Documents searchable now. */
  get size(): number {
    return this.ids.length - this.deadCount + this.delta.size;
  }

  /** Documents added or changed since the build; rebuild when this grows large. */
  get pendingChanges(): number {
    return this.delta.size + this.deadCount;
  }

  has(id: string): boolean {
    return this.delta.has(id) || (this.docOf.has(id) && !this.dead[this.docOf.get(id)!]);
  }

  /** Bytes held by the posting lists and per-document arrays (the vocabulary map and id strings estimated). */
  memoryBytes(): number {
    let strings = 0;
    if (this.termIds instanceof StringTable) strings += this.termIds.byteLength;
    else for (const t of this.termIds.keys()) strings += 2 * t.length + 40;
    for (const id of this.ids) strings += 2 * id.length + 40;
    const arrays = [this.offsets, this.postDocs, this.postImpacts, this.maxImpact, this.dfs, this.pdfDfs, this.dead];
    return arrays.reduce((sum, a) => sum + a.byteLength, 0) + strings;
  }

  /** Adds or replaces a document (it is scored with the statistics of the last build). */
  upsert(doc: IndexedDoc): void {
    this.remove(doc.id);
    const tCounts = countTerms(tokenize(doc.title));
    const aTerms = tokenize(doc.abstract);
    const aCounts = countTerms(aTerms);
    const tLen = [...tCounts.values()].reduce((a, b) => a + b, 0);
    const pTerms = doc.pdfText ? tokenize(doc.pdfText) : [];
    const pCounts = countTerms(pTerms);
    const tNorm = this.titleNorm(tLen);
    const aNorm = this.abstractNorm(aTerms.length);
    const pNorm = this.pdfNorm(pTerms.length);
    const impacts = new Map<string, number>();
    for (const t of new Set([...tCounts.keys(), ...aCounts.keys(), ...pCounts.keys()])) {
      const id = this.termIds.get(t);
      const tfT = tCounts.get(t) ?? 0;
      const tfA = aCounts.get(t) ?? 0;
      const tfP = pCounts.get(t) ?? 0;
      const main = tfT || tfA ? this.impact(this.idf((id === undefined ? 0 : this.dfs[id]) + 1), tfT, tfA, tNorm, aNorm) : 0;
      const pdf = tfP ? this.pdfImpact(this.pdfIdf((id === undefined ? 0 : this.pdfDfs[id]) + 1), tfP, pNorm) : 0;
      impacts.set(t, main + pdf);
    }
    this.delta.set(doc.id, impacts);
  }

  remove(id: string): boolean {
    const inDelta = this.delta.delete(id);
    const d = this.docOf.get(id);
    if (d !== undefined && !this.dead[d]) {
      this.dead[d] = 1;
      this.deadCount++;
      return true;
    }
    return inDelta;
  }

  /** The top `k` documents for a free-text query (analysed like the documents). */
  search(query: string, k: number, opts: IndexSearchOptions = {}): IndexHit[] {
    return this.searchTerms(tokenize(query), k, opts);
  }

  /** Windowed MaxScore over the query's posting lists; exact: returns what `searchExhaustive` returns. */
  searchTerms(terms: QueryTerms, k: number, opts: IndexSearchOptions = {}): IndexHit[] {
    k = Math.max(0, Math.floor(k));
    if (k === 0 || queryIsEmpty(terms)) return [];
    const top = new TopK(k);
    this.scoreDelta(terms, top, opts.filter);
    const lists = this.queryLists(terms);
    if (lists.length) this.windowedMaxScore(lists, top, opts.filter);
    return this.hits(top);
  }

  /**
   * The most a document could score for these terms: the sum of the searched lists' upper bounds
   * (each term's largest impact times its weight; the `maxQueryTerms` heaviest, as `searchTerms`
   * keeps). Hybrid search's adaptive fusion compares the best hit with it (`fusion.ts`). 0 when no
   * term is indexed.
   */
  scoreCeiling(terms: QueryTerms): number {
    if (queryIsEmpty(terms)) return 0;
    let sum = 0;
    for (const l of this.queryLists(terms)) sum += l.ub;
    return sum;
  }

  /** Scores every document that matches any term: the reference the pruned search is tested against. */
  searchExhaustive(terms: QueryTerms, k: number, opts: IndexSearchOptions = {}): IndexHit[] {
    k = Math.max(0, Math.floor(k));
    if (k === 0 || queryIsEmpty(terms)) return [];
    const top = new TopK(k);
    this.scoreDelta(terms, top, opts.filter);
    const acc = new Map<number, number>();
    for (const l of this.queryLists(terms)) {
      for (let p = l.pos; p < l.end; p++) {
        const d = this.postDocs[p];
        acc.set(d, (acc.get(d) ?? 0) + this.postImpacts[p] * l.weight);
      }
    }
    for (const [d, s] of acc) {
      if (this.dead[d] || (opts.filter && !opts.filter(this.ids[d]))) continue;
      top.push(s, d);
    }
    return this.hits(top);
  }

  private hits(top: TopK): IndexHit[] {
    return top.sorted().map(({ doc, score }) => ({ id: doc < 0 ? this.deltaIds[-doc - 1] : this.ids[doc], score }));
  }

  private deltaIds: string[] = [];

  /** Delta documents enter the heap first, with negative doc numbers so they never collide with the main segment. */
  private scoreDelta(terms: QueryTerms, top: TopK, filter?: (id: string) => boolean): void {
    this.deltaIds = [];
    if (!this.delta.size) return;
    const q = queryWeights(terms);
    for (const [id, impacts] of this.delta) {
      let s = 0;
      for (const [t, w] of q) s += (impacts.get(t) ?? 0) * w;
      if (s <= 0 || (filter && !filter(id))) continue;
      this.deltaIds.push(id);
      top.push(s, -this.deltaIds.length);
    }
  }

  private queryLists(terms: QueryTerms): QueryList[] {
    const lists: QueryList[] = [];
    for (const [t, weight] of queryWeights(terms)) {
      const id = this.termIds.get(t);
      if (id === undefined || this.offsets[id] === this.offsets[id + 1]) continue;
      lists.push({ term: id, pos: this.offsets[id], end: this.offsets[id + 1], ub: this.maxImpact[id] * weight, weight });
    }
    if (lists.length > this.options.maxQueryTerms) lists.sort((a, b) => b.ub - a.ub).length = this.options.maxQueryTerms;
    return lists;
  }

  /**
   * MaxScore over windows of documents. Lists are sorted by upper bound; the lowest ones whose
   * bounds add up to at most the k-th score are non-essential (a document only they contain cannot
   * enter). Per window of `WINDOW` document numbers, the essential lists' postings are added into
   * an accumulator list by list (no per-document merge of the lists); then each document touched,
   * in document order, has its non-essential words looked up (by galloping) while its bound can
   * still beat the k-th score. The split is recomputed at each window as the k-th score rises.
   */
  private windowedMaxScore(lists: QueryList[], top: TopK, filter?: (id: string) => boolean): void {
    lists.sort((a, b) => a.ub - b.ub);
    const n = lists.length;
    const pos = new Uint32Array(n);
    const end = new Uint32Array(n);
    const weight = new Float64Array(n);
    /** prefix[i]: the most a document found only in lists 0..i can score. */
    const prefix = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const l = lists[i];
      pos[i] = l.pos;
      end[i] = l.end;
      weight[i] = l.weight;
      prefix[i] = (i ? prefix[i - 1] : 0) + l.ub;
    }
    this.lastSearch.candidates = this.lastSearch.windows = 0;
    const docs = this.postDocs;
    const impacts = this.postImpacts;
    const dead = this.dead;
    const acc = this.acc;
    const touched = this.touched;
    let threshold = top.threshold;
    for (;;) {
      let essential = 0;
      while (essential < n && prefix[essential] <= threshold) essential++;
      if (essential === n) break;
      let wStart = NO_DOC;
      for (let i = essential; i < n; i++) if (pos[i] < end[i] && docs[pos[i]] < wStart) wStart = docs[pos[i]];
      if (wStart === NO_DOC) break;
      const wEnd = wStart + WINDOW;
      this.lastSearch.windows++;
      // Essential lists into the accumulator (impacts are > 0, so 0 means untouched); each offset
      // touched sets its bit, so the documents are then visited in order at the cost of the ones
      // touched, without scanning the whole window or sorting its offsets (at 1M papers most
      // windows of a long query are neither dense nor sparse enough for either to be cheap).
      let nTouched = 0;
      for (let i = essential; i < n; i++) {
        const w = weight[i];
        let p = pos[i];
        const e = end[i];
        for (; p < e; p++) {
          const d = docs[p];
          if (d >= wEnd) break;
          const o = d - wStart;
          if (acc[o] === 0) {
            touched[o >>> 5] |= 1 << (o & 31);
            nTouched++;
          }
          acc[o] += impacts[p] * w;
        }
        pos[i] = p;
      }
      this.lastSearch.candidates += nTouched;
      const rest = essential ? prefix[essential - 1] : 0;
      for (let word = 0; word < touched.length; word++) {
        let bits = touched[word];
        if (bits === 0) continue;
        touched[word] = 0;
        for (; bits !== 0; bits &= bits - 1) {
          const o = (word << 5) | (31 - Math.clz32(bits & -bits));
          let s = acc[o];
          acc[o] = 0;
          if (s + rest <= threshold) continue;
          const d = wStart + o;
          let competitive = true;
          for (let i = essential - 1; i >= 0; i--) {
            if (s + prefix[i] <= threshold) {
              competitive = false;
              break;
            }
            const p = this.advance(pos[i], end[i], d);
            pos[i] = p;
            if (p < end[i] && docs[p] === d) s += impacts[p] * weight[i];
          }
          if (!competitive || s <= threshold || dead[d]) continue;
          if (filter && !filter(this.ids[d])) continue;
          top.push(s, d);
          if (top.full) threshold = top.threshold;
        }
      }
    }
  }

  /** First position in [from, end) whose document is ≥ target (galloping, then binary search). */
  private advance(from: number, end: number, target: number): number {
    const docs = this.postDocs;
    if (from >= end || docs[from] >= target) return from;
    let step = 1;
    let lo = from;
    let hi = from + 1;
    while (hi < end && docs[hi] < target) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    if (hi > end) hi = end;
    // docs[lo] < target; answer in (lo, hi]
    while (lo + 1 < hi) {
      const mid = (lo + hi) >>> 1;
      if (docs[mid] < target) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}



/** What the index asks of its vocabulary: a `Map` or a `StringTable`. */
type TermLookup = Pick<Map<string, number>, 'get' | 'size' | 'keys' | 'entries'>;

/** Parts as read from a file: the vocabulary may be a `StringTable` over the file's bytes. */
export type LoadedIndexParts = Omit<IndexParts, 'terms'> & {
  terms: string[] | StringTable;
  /** `ids` as a `StringTable` too (its hash table built in the reader thread): the id → document look-up. */
  idTable?: StringTable;
};


/** The arrays of a built index's main segment (see `InvertedIndex.toParts`). */
export interface IndexParts {
  options: Bm25Options;
  stats: FieldStats;
  /** Term of each term id. */
  terms: string[];
  offsets: Uint32Array;
  postDocs: Uint32Array;
  postImpacts: Float32Array;
  maxImpact: Float32Array;
  dfs: Uint32Array;
  pdfDfs: Uint32Array;
  /** Paper id of each document number. */
  ids: string[];
  lexiconWords: string[];
  lexiconDfs: Uint32Array;
}

/**
 * Builds an index one document at a time, so a caller can stream documents from the store page by
 * page instead of holding every title and abstract (1.2 GB of strings at 1M papers) at once, and
 * finish it in slices (`finishSliced`) that hand the event loop back.
 */
export class InvertedIndexBuilder {
  private readonly options: Bm25Options;
  private readonly termIds = new Map<string, number>();
  /**
   * Word as scanned → term id, or -1 for a stopword; looked up by its span of the text, so a word
   * seen before costs no string (a Map of the sliced words was half of the build: BENCHMARKS round 17).
   */
  private readonly wordTerm = new WordTable();
  private readonly docTerm = new Growable(new Uint32Array(1 << 16));
  private readonly docTfTitle = new Growable(new Uint16Array(1 << 16));
  private readonly docTfAbstract = new Growable(new Uint16Array(1 << 16));
  private readonly docTfPdf = new Growable(new Uint16Array(1 << 16));
  private readonly docStart = new Growable(new Uint32Array(1 << 10));
  private readonly titleLen = new Growable(new Uint32Array(1 << 10));
  private readonly abstractLen = new Growable(new Uint32Array(1 << 10));
  private readonly pdfLen = new Growable(new Uint32Array(1 << 10));
  private readonly df = new Growable(new Uint32Array(1 << 12));
  private readonly pdfDf = new Growable(new Uint32Array(1 << 12));
  /** Per term: documents with it in any field (its posting list's length). */
  private readonly postings = new Growable(new Uint32Array(1 << 12));
  /** Per term: the last document it was seen in, and where that document's counts are. */
  private lastDoc = new Int32Array(1 << 12).fill(-1);
  private slot = new Uint32Array(1 << 12);
  private readonly ids: string[] = [];
  private readonly seen = new Map<string, number>();
  private d = 0;
  /** `keepAnalysis`: the title-and-abstract stem streams recorded so far, and their papers. */
  private readonly kept: { tokens: Growable<Uint32Array>; papers: Map<string, { start: number; end: number; contentHash: string }>; limit: number } | null;
  /** Whether the document being added has its stream recorded. */
  private recording = false;
  /** The field being scanned: 0 title, 1 abstract, 2 PDF text. */
  private field = 0;
  private fieldLen = 0;
  private finished = false;

  /**
   * `keepAnalysis`: also record each paper's title-and-abstract stem stream (`analysis`), up to
   * `limit` stem ids in all (4 bytes each; papers past it are left out and analysed again by whoever needs them).
   */
  constructor(options: Partial<Bm25Options> = {}, keepAnalysis?: { limit: number }) {
    this.options = { ...DEFAULT_BM25, ...options };
    this.kept = keepAnalysis ? { tokens: new Growable(new Uint32Array(1 << 16)), papers: new Map(), limit: keepAnalysis.limit } : null;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The recorded stem streams (`keepAnalysis`), their ids named by stem; null when not kept. */
  analysis(): AnalysedTexts | null {
    if (!this.kept) return null;
    const stems: string[] = new Array(this.termIds.size);
    for (const [t, id] of this.termIds) stems[id] = t;
    return { stems, tokens: this.kept.tokens.data.subarray(0, this.kept.tokens.length), papers: this.kept.papers };
  }

  private readonly onWord = (lower: string, start: number, end: number, hash: number): void => {
    let id = this.wordTerm.get(lower, start, end, hash);
    if (id === WordTable.MISSING) {
      const term = analyseWord(lower.slice(start, end));
      if (term === null) id = -1;
      else {
        const known = this.termIds.get(term);
        if (known !== undefined) id = known;
        else {
          id = this.termIds.size;
          this.termIds.set(term, id);
          this.df.push(0);
          this.pdfDf.push(0);
          this.postings.push(0);
          if (id >= this.lastDoc.length) {
            const grown = new Int32Array(this.lastDoc.length * 2).fill(-1);
            grown.set(this.lastDoc);
            this.lastDoc = grown;
            const grownSlot = new Uint32Array(this.slot.length * 2);
            grownSlot.set(this.slot);
            this.slot = grownSlot;
          }
        }
      }
      this.wordTerm.set(lower, start, end, hash, id);
    }
    if (id < 0) return;
    if (this.recording && this.field !== 2) this.kept!.tokens.push(id);
    this.fieldLen++;
    if (this.lastDoc[id] !== this.d) {
      this.lastDoc[id] = this.d;
      this.slot[id] = this.docTerm.length;
      this.docTerm.push(id);
      this.docTfTitle.push(0);
      this.docTfAbstract.push(0);
      this.docTfPdf.push(0);
      this.postings.data[id]++;
    }
    const at = this.slot[id];
    if (this.field === 2) {
      const tf = this.docTfPdf.data[at];
      if (tf === 0) this.pdfDf.data[id]++;
      if (tf < 65535) this.docTfPdf.data[at] = tf + 1;
      return;
    }
    const tfT = this.docTfTitle.data[at];
    const tfA = this.docTfAbstract.data[at];
    if (tfT === 0 && tfA === 0) this.df.data[id]++;
    if (this.field === 0) {
      if (tfT < 65535) this.docTfTitle.data[at] = tfT + 1;
    } else if (tfA < 65535) this.docTfAbstract.data[at] = tfA + 1;
  };

  /** Adds a document (its document number is the count added before it). */
  add(doc: IndexedDoc): void {
    if (this.finished) throw new Error('the index is already built');
    if (this.seen.has(doc.id)) throw new Error(`duplicate document id ${doc.id}`);
    this.seen.set(doc.id, this.ids.length);
    this.ids.push(doc.id);
    this.docStart.push(this.docTerm.length);
    const kept = this.kept;
    this.recording = kept !== null && doc.contentHash !== undefined && kept.tokens.length < kept.limit;
    const start = kept?.tokens.length ?? 0;
    this.field = 0;
    this.fieldLen = 0;
    scanWordSpans(doc.title, this.onWord);
    this.titleLen.push(this.fieldLen);
    this.field = 1;
    this.fieldLen = 0;
    scanWordSpans(doc.abstract, this.onWord);
    this.abstractLen.push(this.fieldLen);
    if (this.recording) kept!.papers.set(doc.id, { start, end: kept!.tokens.length, contentHash: doc.contentHash! });
    this.recording = false;
    this.field = 2;
    this.fieldLen = 0;
    if (doc.pdfText) scanWordSpans(doc.pdfText, this.onWord);
    this.pdfLen.push(this.fieldLen);
    this.d++;
  }

  finish(): InvertedIndex {
    return drain(this.steps());
  }

  /** `finish` that hands the event loop back whenever a slice has run `sliceMs`. */
  finishSliced(sliceMs = 10): Promise<InvertedIndex> {
    return drainSliced(this.steps(), sliceMs);
  }

  /** The second pass, yielding every few thousand documents or terms (a point where it may pause). */
  private *steps(): Generator<void, InvertedIndex> {
    if (this.finished) throw new Error('the index is already built');
    this.finished = true;
    const { docTerm, docTfTitle, docTfAbstract, docTfPdf, docStart, titleLen, abstractLen, pdfLen, ids } = this;
    const index = InvertedIndex.empty(this.options);
    docStart.push(docTerm.length);
    const n = ids.length;
    const nTerms = this.termIds.size;
    let sumT = 0;
    let sumA = 0;
    let sumP = 0;
    let nPdf = 0;
    for (let i = 0; i < n; i++) {
      sumT += titleLen.data[i];
      sumA += abstractLen.data[i];
      if (pdfLen.data[i]) {
        sumP += pdfLen.data[i];
        nPdf++;
      }
    }
    const stats = { n, avgTitle: Math.max(1, sumT / Math.max(1, n)), avgAbstract: Math.max(1, sumA / Math.max(1, n)), nPdf, avgPdf: nPdf ? Math.max(1, sumP / nPdf) : 0 };
    index.setStats(stats);
    const dfs = this.df.trimmed();
    const pdfDfs = this.pdfDf.trimmed();
    const offsets = new Uint32Array(nTerms + 1);
    const lengths = this.postings.trimmed();
    for (let t = 0; t < nTerms; t++) offsets[t + 1] = offsets[t] + lengths[t];
    const fill = offsets.slice(0, nTerms);
    const postDocs = new Uint32Array(docTerm.length);
    const postImpacts = new Float32Array(docTerm.length);
    const idf = new Float64Array(nTerms);
    const pdfIdf = new Float64Array(nTerms);
    for (let t = 0; t < nTerms; t++) {
      idf[t] = index.idfOf(dfs[t]);
      pdfIdf[t] = index.pdfIdfOf(pdfDfs[t]);
    }
    yield;
    for (let doc = 0; doc < n; doc++) {
      const tNorm = index.titleNormOf(titleLen.data[doc]);
      const aNorm = index.abstractNormOf(abstractLen.data[doc]);
      const pNorm = index.pdfNormOf(pdfLen.data[doc]);
      for (let p = docStart.data[doc], end = docStart.data[doc + 1]; p < end; p++) {
        const t = docTerm.data[p];
        const at = fill[t]++;
        postDocs[at] = doc;
        postImpacts[at] = index.impactOf(idf[t], docTfTitle.data[p], docTfAbstract.data[p], tNorm, aNorm) + index.pdfImpactOf(pdfIdf[t], docTfPdf.data[p], pNorm);
      }
      if ((doc & 4095) === 4095) yield;
    }
    const maxImpact = new Float32Array(nTerms);
    for (let t = 0; t < nTerms; t++) {
      for (let p = offsets[t]; p < offsets[t + 1]; p++) if (postImpacts[p] > maxImpact[t]) maxImpact[t] = postImpacts[p];
      if ((t & 16383) === 16383) yield;
    }
    // The words spelling suggestions may offer: those whose term is in at least two papers.
    const lexiconWords: string[] = [];
    const lexiconDfs: number[] = [];
    for (let k = 0; k < this.wordTerm.size; ) {
      const t = this.wordTerm.valueAt(k);
      if (t >= 0 && dfs[t] >= 2) {
        const w = this.wordTerm.wordAt(k);
        if (!/\d/.test(w)) {
          lexiconWords.push(w);
          lexiconDfs.push(dfs[t]);
        }
      }
      if ((++k & 16383) === 0) yield;
    }
    yield;
    const terms: string[] = new Array(nTerms);
    for (const [t, id] of this.termIds) terms[id] = t;
    yield;
    return yield* InvertedIndex.assemble({ options: this.options, stats, terms, offsets, postDocs, postImpacts, maxImpact, dfs, pdfDfs, ids, lexiconWords, lexiconDfs: Uint32Array.from(lexiconDfs) });
  }
}
