import type { Store } from '../store/store.ts';
import type { SimilarReads } from './search.ts';

/**
 * The reads of similar papers' ranking answered from memory, for a pass over the whole corpus
 * (`paperboy reindex`'s similar-lists phase): one keyset walk over the stored vectors and one read
 * per 1,000 papers of their visibility and term vectors, instead of ~5 queries and ~280 term-vector
 * rows per paper. The answers are the store's own at load time (the same methods, read in bulk), so
 * the lists equal the ones a page would rank from the store. About 1.4 KB of term vector and 0.5 KB
 * of vector a paper (~150 MB at 75k papers): a one-off command's memory, never a server's.
 */
export class MemorySimilarReads implements SimilarReads {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly keys = new Map<number, string>();
  private readonly candidates = new Map<string, Uint8Array | null>();

  private constructor(private readonly store: Store, private readonly embedderId: string, private readonly termsEmbedderId: string | null) {}

  /** Loads every stored vector of `embedderId`, and the visibility and term vectors (of `termsEmbedderId`, null without term vectors) of their papers. */
  static async load(store: Store, embedderId: string, termsEmbedderId: string | null, signal?: AbortSignal): Promise<MemorySimilarReads> {
    const reads = new MemorySimilarReads(store, embedderId, termsEmbedderId);
    for (let after = -1; !signal?.aborted; ) {
      const page = await store.search.embeddingsPage(embedderId, after, 2_000);
      if (!page.length) break;
      for (const e of page) {
        reads.vectors.set(e.paperId, e.vector);
        reads.keys.set(e.key, e.paperId);
      }
      after = page[page.length - 1].key;
      const visible = await store.search.similarCandidates(termsEmbedderId, page.map((e) => e.paperId));
      for (const [id, terms] of visible) reads.candidates.set(id, terms);
    }
    return reads;
  }

  /** The papers with a vector that readers may see, by id: the pass's work. */
  visibleIds(): string[] {
    return [...this.candidates.keys()].sort();
  }

  async embeddingOf(embedderId: string, paperId: string): Promise<Float32Array | null> {
    return embedderId === this.embedderId ? (this.vectors.get(paperId) ?? null) : null;
  }

  async embeddingsOf(embedderId: string, paperIds: readonly string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (embedderId !== this.embedderId) return out;
    for (const id of paperIds) {
      const v = this.vectors.get(id);
      if (v) out.set(id, v);
    }
    return out;
  }

  async paperIdsForKeys(embedderId: string, keys: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (embedderId !== this.embedderId) return out;
    for (const k of keys) {
      const id = this.keys.get(k);
      if (id !== undefined) out.set(k, id);
    }
    return out;
  }

  /**
   * As the store's: the visible papers among `paperIds` with their term vectors. A paper without a
   * stored vector is not held here; the store is asked for those (keyword neighbours only, rare).
   */
  async similarCandidates(embedderId: string | null, paperIds: readonly string[]): Promise<Map<string, Uint8Array | null>> {
    const out = new Map<string, Uint8Array | null>();
    if (embedderId !== this.termsEmbedderId) throw new Error(`similar lists were loaded for term vectors of ${this.termsEmbedderId}, asked for ${embedderId}`);
    const unknown: string[] = [];
    for (const id of paperIds) {
      if (this.candidates.has(id)) out.set(id, this.candidates.get(id)!);
      else if (!this.vectors.has(id)) unknown.push(id); // held: a hidden paper; not held: no vector when loaded
    }
    if (unknown.length) for (const [id, terms] of await this.store.search.similarCandidates(embedderId, unknown)) out.set(id, terms);
    return out;
  }
}
