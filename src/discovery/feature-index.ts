import { nextSlice as yieldToLoop } from '../slices.ts';
import { FEATURE_DIM, termCounts, weigh, type SparseVector, type TextFields } from './text-features.ts';

/** An index's whole state, as written to and read from its file (`for-you-features-file.ts`). */
export interface FeatureIndexParts {
  /** In the order they were added (`ids()`'s order, which sampling depends on). */
  ids: string[];
  vectors: SparseVector[];
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
  private readonly rows = new Map<string, SparseVector>();

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
    const known = this.rows.get(p.id);
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
    return { ids: [...this.rows.keys()], vectors: [...this.rows.values()], df: this.df.slice(), docs: this.docs };
  }

  /** The index `parts` describes (as read from a file), handing the event loop back every `sliceMs`. */
  static async fromParts(parts: FeatureIndexParts, sliceMs = 4): Promise<FeatureIndex> {
    if (parts.df.length !== FEATURE_DIM || parts.ids.length !== parts.vectors.length) throw new Error('the parts of a feature index do not fit together');
    const index = new FeatureIndex();
    index.df = parts.df.slice();
    index.docs = parts.docs;
    let since = performance.now();
    for (let i = 0; i < parts.ids.length; i++) {
      index.rows.set(parts.ids[i], parts.vectors[i]);
      if ((i & 1023) === 1023 && performance.now() - since >= sliceMs) {
        await yieldToLoop();
        since = performance.now();
      }
    }
    return index;
  }

  get(id: string): SparseVector | undefined {
    return this.rows.get(id);
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  get size(): number {
    return this.rows.size;
  }

  ids(): IterableIterator<string> {
    return this.rows.keys();
  }
}
