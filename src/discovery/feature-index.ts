import { nextSlice as yieldToLoop } from '../slices.ts';
import { StringTable } from '../search/string-table.ts';
import { FEATURE_DIM, termCounts, weigh, type SparseVector, type TextFields } from './text-features.ts';

/**
 * Every paper's vector in three arrays, as a For-you features file holds them: vector `i` is
 * `idx` / `val` from `offsets[i]` to `offsets[i + 1]`. A loaded index keeps them so and makes a
 * vector's two views when it is asked for one: a view pair and an object per paper were a fifth of
 * the heap a loaded file kept (100,000 objects at 33,804 papers, all surviving the young
 * generation's collections while the server starts; BENCHMARKS, start-up, round 20).
 */
export interface PackedVectors {
  offsets: Uint32Array;
  idx: Int32Array;
  val: Float32Array;
}

/** An index's whole state, as written to and read from its file (`for-you-features-file.ts`). */
export interface FeatureIndexParts {
  /**
   * In the order they were added (`ids()`'s order, which sampling depends on). Read from a file, a
   * `StringTable` over its bytes (its hash table built in the reader thread).
   */
  ids: readonly string[] | StringTable;
  /** One per id: a list (an index's `parts()`), or packed (as read from a file). */
  vectors: SparseVector[] | PackedVectors;
  /** Document frequency per bucket, and how many documents they count. */
  df: Uint32Array;
  docs: number;
}

/**
 * TF-IDF vectors of many papers, kept in memory. `build` counts document frequencies over the whole
 * set first, so every vector uses the same IDF; papers `add`ed later use (and update) the counts as
 * they are then — close enough for papers arriving a day at a time, and a rebuild resets it.
 */
export class FeatureIndex {
  private df = new Uint32Array(FEATURE_DIM);
  private docs = 0;
  /** A paper's vector, or its row in `packed` (parts whose ids are a list). */
  private readonly rows = new Map<string, SparseVector | number>();
  private packed: PackedVectors | null = null;
  /**
   * A loaded file's ids, rows 0… of `packed`, looked up in the file's own table: no `Map` entry or
   * id string per paper is made at load (filled, the `Map` was the largest thing the For-you load
   * made on the request thread after the papers themselves). Papers added later go to `rows`.
   */
  private table: StringTable | null = null;

  static build(papers: Iterable<TextFields & { id: string }>): FeatureIndex {
    const index = new FeatureIndex();
    const counted: [string, SparseVector][] = [];
    for (const p of papers) index.count(p, counted);
    for (const [id, c] of counted) index.rows.set(id, weigh(c, index.idf));
    return index;
  }

  /**
   * `build` that hands the event loop back whenever it has run `sliceMs` (and at least every
   * `chunk` papers), so a server building its index in the background keeps answering requests: a
   * fixed 500-paper chunk ran 50–100 ms on a loaded machine, a feed page waited that long.
   */
  static async buildAsync(papers: readonly (TextFields & { id: string })[], chunk = 500, sliceMs = 8): Promise<FeatureIndex> {
    const index = new FeatureIndex();
    const counted: [string, SparseVector][] = [];
    let since = performance.now();
    const pause = async (i: number, every: number) => {
      if (i % every === every - 1 || performance.now() - since >= sliceMs) {
        await yieldToLoop();
        since = performance.now();
      }
    };
    for (let i = 0; i < papers.length; i++) {
      index.count(papers[i], counted);
      await pause(i, chunk);
    }
    for (let i = 0; i < counted.length; i++) {
      index.rows.set(counted[i][0], weigh(counted[i][1], index.idf));
      await pause(i, chunk * 4);
    }
    return index;
  }

  /** First pass of a build: a paper's term counts into the document frequencies (a repeated id counts once). */
  private count(p: TextFields & { id: string }, counted: [string, SparseVector][]): void {
    if (this.rows.has(p.id)) return;
    const c = termCounts(p);
    for (let k = 0; k < c.idx.length; k++) this.df[c.idx[k]]++;
    this.docs++;
    counted.push([p.id, c]);
    this.rows.set(p.id, c);
  }

  readonly idf = (i: number): number => Math.log((this.docs + 1) / (this.df[i] + 1)) + 1;

  /** Adds a paper not yet indexed (a known id is left as it is). */
  add(p: TextFields & { id: string }): SparseVector {
    const known = this.get(p.id);
    if (known) return known;
    const c = termCounts(p);
    for (let k = 0; k < c.idx.length; k++) this.df[c.idx[k]]++;
    this.docs++;
    const v = weigh(c, this.idf);
    this.rows.set(p.id, v);
    return v;
  }

  /**
   * The index as it is now, taken at once (so a paper `add`ed while it is written out is not half
   * in it): ids and vectors (shared: a vector is never changed once made), and a copy of the
   * document frequencies, which `add` moves.
   */
  parts(): FeatureIndexParts {
    const ids: string[] = [];
    const vectors: SparseVector[] = [];
    for (let i = 0; i < (this.table?.size ?? 0); i++) {
      ids.push(this.table!.at(i));
      vectors.push(this.unpack(i));
    }
    for (const [id, v] of this.rows) {
      ids.push(id);
      vectors.push(typeof v === 'number' ? this.unpack(v) : v);
    }
    return { ids, vectors, df: this.df.slice(), docs: this.docs };
  }

  /** The index `parts` describes (as read from a file), handing the event loop back every `sliceMs`. */
  static async fromParts(parts: FeatureIndexParts, sliceMs = 4): Promise<FeatureIndex> {
    const v = parts.vectors;
    const packed = Array.isArray(v) ? null : v;
    const count = packed ? packed.offsets.length - 1 : (v as SparseVector[]).length;
    if (parts.df.length !== FEATURE_DIM || parts.ids.length !== count) throw new Error('the parts of a feature index do not fit together');
    if (packed && (packed.offsets[0] !== 0 || packed.offsets[count] !== packed.idx.length || packed.val.length !== packed.idx.length)) throw new Error('vector offsets do not fit the vectors');
    const index = new FeatureIndex();
    index.df = parts.df.slice();
    index.docs = parts.docs;
    index.packed = packed;
    let since = performance.now();
    if (parts.ids instanceof StringTable) {
      if (!packed) throw new Error('a table of ids needs packed vectors');
      for (let i = 0; i < count; i++) {
        if (packed.offsets[i + 1] < packed.offsets[i]) throw new Error('vector offsets out of order');
        if ((i & 0xffff) === 0xffff && performance.now() - since >= sliceMs) {
          await yieldToLoop();
          since = performance.now();
        }
      }
      index.table = parts.ids;
      return index;
    }
    for (let i = 0; i < parts.ids.length; i++) {
      if (packed && packed.offsets[i + 1] < packed.offsets[i]) throw new Error('vector offsets out of order');
      index.rows.set(parts.ids[i], packed ? i : (v as SparseVector[])[i]);
      if ((i & 1023) === 1023 && performance.now() - since >= sliceMs) {
        await yieldToLoop();
        since = performance.now();
      }
    }
    return index;
  }

  get(id: string): SparseVector | undefined {
    const v = this.rows.get(id);
    if (v !== undefined) return typeof v === 'number' ? this.unpack(v) : v;
    const row = this.table?.get(id);
    return row === undefined ? undefined : this.unpack(row);
  }

  /** Row `i` of the packed vectors, as views on them (not copies). */
  private unpack(i: number): SparseVector {
    const p = this.packed!;
    const from = p.offsets[i];
    const to = p.offsets[i + 1];
    return { idx: p.idx.subarray(from, to), val: p.val.subarray(from, to) };
  }

  has(id: string): boolean {
    return this.rows.has(id) || (this.table?.has(id) ?? false);
  }

  get size(): number {
    return this.rows.size + (this.table?.size ?? 0);
  }

  *ids(): IterableIterator<string> {
    if (this.table) yield* this.table.keys();
    yield* this.rows.keys();
  }
}
