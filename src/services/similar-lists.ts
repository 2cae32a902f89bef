import type { Store } from '../store/store.ts';
import type { SearchService } from './search.ts';
import { hasTermVectors } from '../search/local-embedder.ts';
import { MemorySimilarReads } from './similar-memory-reads.ts';
import { nextSlice } from '../slices.ts';

/** Lists computed per chunk (and stored in one statement). */
const CHUNK = 250;
/**
 * Lists the background job computes per run at most (new papers first, then their neighbours').
 * Through the store each costs about a live page's ranking (~60–100 ms of serve and database CPU at
 * load 15–20, BENCHMARKS "Load", round 19): 250 keep a run to seconds in the serving process that
 * holds the lease; a store that was never reindexed with lists gets them at ~250 a minute.
 */
const PER_RUN = 250;

/**
 * Keeps each paper's similar-papers list stored (`paper_similar_lists`), so that a paper page reads
 * it instead of ranking ~280 candidates (BENCHMARKS "Load", round 19). `paperboy reindex` computes
 * every list after the vectors and the ANN index (`fillAll`, from memory); the background job
 * (`fillMissing`) computes the lists of papers embedded since — and refreshes the lists those new
 * papers' own lists name, so a new paper joins its neighbours' lists within a run. A list names
 * papers as computed; the visible-paper rule is applied when a page reads it.
 */
export class SimilarListsService {
  /** The vectors' count and newest write after a run that left no list missing: nothing to do while they are unchanged. */
  private doneAt: { embedderId: string; mark: string } | null = null;

  constructor(
    private readonly store: Store,
    private readonly search: SearchService,
  ) {}

  /** Every visible paper's list, from the stored vectors and term vectors read once into memory. Returns the lists written. */
  async fillAll(opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<number> {
    // One space for the whole pass: the reads are loaded from it, and every list is ranked in it.
    const space = await this.search.similarSpace();
    if (!space) return 0;
    const reads = await MemorySimilarReads.load(this.store, space.embedderId, space.embedder && hasTermVectors(space.embedder) ? space.embedderId : null, opts.signal);
    const ids = reads.visibleIds();
    let done = 0;
    for (let i = 0; i < ids.length && !opts.signal?.aborted; i += CHUNK) {
      done += await this.search.computeSimilarLists(ids.slice(i, i + CHUNK), space, reads, { signal: opts.signal });
      opts.onProgress?.(Math.min(i + CHUNK, ids.length), ids.length);
      await nextSlice();
    }
    return done;
  }

  /**
   * Whether a run may find lists to compute: not while the vectors are as they were after a run that
   * left none, nor while the space is not chosen within the embedding budget. The space is asked as
   * a run asks it (`similarSpace`): the serving choice awaited without the budget said "due" where
   * the run then found no space (a run recorded for nothing), and a slow choice held the tick.
   */
  async due(): Promise<boolean> {
    const space = await this.search.similarSpace();
    if (!space) return false;
    return this.doneAt?.embedderId !== space.embedderId || this.doneAt.mark !== (await this.mark(space.embedderId));
  }

  /**
   * The lists of visible papers with a vector and no list of their current text (new or changed
   * papers), then the lists those name (a new paper may belong in them), up to PER_RUN, through the store.
   */
  async fillMissing(opts: { signal?: AbortSignal } = {}): Promise<{ computed: number; neighbours: number; complete: boolean }> {
    // The lists of the space similar papers rank in, one snapshot for the run (`similarSpace`).
    const space = await this.search.similarSpace();
    if (!space) return { computed: 0, neighbours: 0, complete: true };
    const mark = await this.mark(space.embedderId);
    const missing = await this.store.similarLists.missing(space.embedderId, PER_RUN);
    let computed = 0;
    for (let i = 0; i < missing.length && !opts.signal?.aborted; i += CHUNK) computed += await this.search.computeSimilarLists(missing.slice(i, i + CHUNK), space, undefined, { signal: opts.signal });
    // The lists just written, read back a chunk per statement (one read per paper held a SQLite
    // serving process ~0.13 ms each, back to back), in the order of `missing` as before. Not in the
    // turn that wrote them: the write of 250 lists and their read-back were 13 ms of the request
    // thread in one turn at 75k papers (BENCHMARKS "Background jobs", round 22).
    await nextSlice();
    const named = new Set<string>();
    for (let i = 0; i < missing.length && !opts.signal?.aborted; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      const stored = await this.store.similarLists.currentLists(space.embedderId, chunk);
      for (const id of chunk) for (const h of stored.get(id) ?? []) named.add(h.id);
      await nextSlice();
    }
    for (const id of missing) named.delete(id);
    const refresh = [...named].slice(0, Math.max(0, PER_RUN - computed));
    let neighbours = 0;
    for (let i = 0; i < refresh.length && !opts.signal?.aborted; i += CHUNK) neighbours += await this.search.computeSimilarLists(refresh.slice(i, i + CHUNK), space, undefined, { signal: opts.signal });
    const complete = missing.length < PER_RUN && !opts.signal?.aborted;
    if (complete) this.doneAt = { embedderId: space.embedderId, mark };
    return { computed, neighbours, complete };
  }

  private async mark(embedderId: string): Promise<string> {
    const s = await this.store.search.embeddingStats(embedderId);
    return `${s.count}/${s.newest ?? ''}`;
  }
}
