import { setImmediate as yieldToRequests } from 'node:timers/promises';
import { nextSlice } from '../slices.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Embedder } from '../search/embedder.ts';
import { vectorKey } from '../search/vector-index.ts';
import { givesTermVectors, type EmbeddedWithTerms } from '../search/local-embedder.ts';
import type { PaperText } from '../store/search.ts';

/** The lease of embedding papers (the re-embed job, `keepInStep` and the refined model's embedding, `ModelRefinementService`): one process embeds at a time. */
export const EMBED_LEASE = 'search-embed';

/** What one pass of embedding did, and where the space stands after it. */
export interface EmbedRun {
  embedderId: string;
  /** Papers embedded by this pass. */
  embedded: number;
  /** Papers without a current vector when the pass began. */
  pendingAtStart: number;
  /** Papers of the corpus with a current vector, and the corpus. */
  done: number;
  total: number;
  /** The space covers the corpus (it may serve now). */
  complete: boolean;
  /** The pass stopped early (the signal aborted). */
  stopped: boolean;
}

export interface EmbedAllOptions {
  batch: number;
  signal?: AbortSignal;
  onProgress?: (p: EmbedRun) => void;
  /** Also given each saved batch (e.g. to add it to the in-memory ANN index). */
  save?: (rows: { paperId: string; key: number; vector: Float32Array }[], now: string) => Promise<void> | void;
  logger?: Logger;
  /** `embedder` (the same model) embedding whole papers, not their texts (`LocalEmbedderThreads` with the keyword build's analysis). */
  papersEmbedder?: {
    embedPapersWithTerms(papers: readonly PaperText[]): Promise<EmbeddedWithTerms>;
    /** Whether a paper listed with this content hash must be embedded from its text (else it is embedded without it). */
    needsText(id: string, contentHash: string): boolean;
  };
  /** How often a progress line is logged (ms); default 10 s. */
  logEveryMs?: number;
}

/** A batch read ahead, its vectors on the way. */
interface Ahead {
  batch: Awaited<ReturnType<Store['search']['papersToEmbed']>>;
  vectors: Promise<{ vectors: Float32Array[]; terms: Uint8Array[] | null }>;
}

/** The text a paper is embedded from. */
export function paperText(p: { title: string; abstract: string }): string {
  return `${p.title}. ${p.abstract}`;
}

/**
 * Embeds every paper the embedder has no current vector for, in batches, yielding to the event loop
 * between them (so a server's requests are never queued behind it), recording progress in the
 * space's row after each batch and marking the space complete when nothing is left.
 */
export async function embedAll(store: Store, embedder: Embedder, opts: EmbedAllOptions): Promise<EmbedRun> {
  const id = embedder.id;
  const total = await store.papers.count();
  const pendingAtStart = await store.search.countToEmbed(id);
  // The count (a walk of the papers without a current vector, ~10 ms at 75k on SQLite) and the first
  // batch's read and embedding go in turns of their own.
  await nextSlice();
  const run: EmbedRun = { embedderId: id, embedded: 0, pendingAtStart, done: total - pendingAtStart, total, complete: false, stopped: false };
  const started = Date.now();
  let loggedAt = started;
  // Keyset: each batch starts after the last one (from the start, every batch re-read the papers
  // already embedded — quadratic over a full reindex). Papers changed behind it wait for the next run.
  // The next batch is read and its embedding started before this one is stored: an embedder on
  // other threads (or a server) works on it while this thread writes and fills the ANN graph.
  const readAhead = async (after: string | undefined): Promise<Ahead | null> => {
    // Embedding whole papers (from the keyword build's analysis), only the texts it lacks are read.
    const papersEmbedder = opts.papersEmbedder;
    const batch = await store.search.papersToEmbed(id, opts.batch, after, undefined, papersEmbedder ? { textFor: (paper, hash) => papersEmbedder.needsText(paper, hash) } : {});
    if (!batch.length) return null;
    // The local model also gives each paper's term vector, stored beside its vector for similar papers;
    // on worker threads after a keyword rebuild, from the papers' words as that build analysed them.
    const vectors = opts.papersEmbedder
      ? opts.papersEmbedder.embedPapersWithTerms(batch)
      : givesTermVectors(embedder)
        ? embedder.embedWithTerms(batch.map(paperText), { signal: opts.signal })
        : embedder.embed(batch.map(paperText), { signal: opts.signal }).then((v) => ({ vectors: v, terms: null }));
    // Awaited below; a batch read ahead and then dropped (stopping) must not be an unhandled rejection.
    vectors.catch(() => undefined);
    return { batch, vectors };
  };
  let next = opts.signal?.aborted ? null : await readAhead(undefined);
  if (opts.signal?.aborted) run.stopped = true;
  while (next && run.embedded < pendingAtStart + opts.batch) {
    if (opts.signal?.aborted) {
      run.stopped = true;
      break;
    }
    const { batch } = next;
    const full = batch.length === opts.batch;
    const current = next.vectors;
    next = full ? await readAhead(batch[batch.length - 1].id) : null;
    let vectors: Float32Array[];
    let terms: Uint8Array[] | null;
    try {
      ({ vectors, terms } = await current);
    } catch (err) {
      // Stopping (shutdown) cut the batch short: nothing of it was stored; the next pass redoes it.
      if (opts.signal?.aborted) {
        run.stopped = true;
        break;
      }
      throw err;
    }
    if (vectors.length !== batch.length) throw new Error(`embedder ${id} returned ${vectors.length} vectors for ${batch.length} papers`);
    // The write and the ANN insert in a turn of their own: the next batch's read and the first slice
    // of its embedding (started above) ran just before, and with them the turn held a SQLite serving
    // process's request thread ~17 ms at 75k papers (BENCHMARKS "Background jobs", round 22).
    await nextSlice();
    const now = new Date().toISOString();
    if (terms && terms.length !== batch.length) throw new Error(`embedder ${id} returned ${terms.length} term vectors for ${batch.length} papers`);
    const rows = batch.map((p, i) => ({ paperId: p.id, key: vectorKey(p.id), vector: vectors[i], contentHash: p.contentHash, terms: terms?.[i] ?? null }));
    await store.search.saveEmbeddings(id, rows, now);
    await opts.save?.(rows, now);
    run.embedded += batch.length;
    run.done = Math.min(total, run.done + batch.length);
    await store.embeddingSpaces.recordProgress(id, run.done, total, now);
    opts.onProgress?.({ ...run });
    if (Date.now() - loggedAt >= (opts.logEveryMs ?? 10_000)) {
      loggedAt = Date.now();
      opts.logger?.info({ embedder: id, done: run.done, total, perSecond: Math.round((run.embedded * 1000) / (Date.now() - started)) }, 'embedding papers');
    }
    if (!full) break;
    await yieldToRequests();
  }
  // Not in the turn of the last batch's write and ANN insert: with the count of the papers left,
  // one turn of a SQLite serving process's request thread of 12–16 ms at 75k papers (BENCHMARKS
  // "Background jobs", round 22).
  if (run.embedded) await nextSlice();
  const remaining = await store.search.countToEmbed(id);
  const counted = await store.papers.count();
  run.total = counted;
  run.done = counted - remaining;
  await store.embeddingSpaces.recordProgress(id, run.done, run.total);
  if (remaining === 0) {
    await store.embeddingSpaces.markComplete(id);
    run.complete = true;
  }
  return run;
}

/** Resolves with the promise's value, or 'late' once `deadline` (epoch ms) passes. */
export async function withinBudget<T>(p: Promise<T>, deadline: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Logs searches that fell back to keyword results because the embedder failed, answered garbage or
 * was too slow: the first at once, then at most one line a minute with how many were skipped.
 */
export class QueryFallbackLog {
  private lastAt = 0;
  private skipped = 0;

  constructor(
    private readonly logger?: Logger,
    private readonly everyMs = 60_000,
  ) {}

  note(reason: string): void {
    const now = Date.now();
    if (now - this.lastAt < this.everyMs) {
      this.skipped++;
      return;
    }
    this.logger?.warn({ reason, alsoSince: this.skipped }, 'semantic search unavailable for this query: answered with keyword results');
    this.lastAt = now;
    this.skipped = 0;
  }
}
