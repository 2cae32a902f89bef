import { nextSlice as yieldToLoop } from '../slices.ts';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Embedder } from '../search/embedder.ts';
import type { KeywordEngine, RebuildOptions } from '../search/keyword-engine.ts';
import type { AnalysedTexts } from '../search/tokenize.ts';
import { VectorIndex } from '../search/vector-index.ts';
import { IndexFileError } from '../search/index-file.ts';
import type { PublishedAnnIndex } from '../search/published-ann-index.ts';
import { PUBLISH_LEASE_MS } from '../search/published-index.ts';
import { hasTermVectors, termVectorToBytes, type TermVector } from '../search/local-embedder.ts';
import { defaultEmbedThreads, LocalEmbedderThreads } from '../search/local-embedder-threads.ts';
import type { SpaceSource, EmbeddingSpace } from '../store/embedding-spaces.ts';
import { EmbeddingSpaces } from './embedding-spaces.ts';
import { EMBED_LEASE, embedAll, paperText, type EmbedRun } from './embedding-runs.ts';
import { withoutLockWait } from '../store/sqlite-lock-wait.ts';
import { isStoreBusy } from './store-errors.ts';

export interface SearchIndexOptions {
  engine: KeywordEngine;
  /** Opens the configured embedder on first use; null means keyword search only. */
  embedder: () => Promise<Embedder | null>;
  /** What the configured embedder is (provider, model): recorded with its space to reopen it later. */
  embedderSource?: SpaceSource;
  /**
   * The id the configured embedder would open as now, when that can change under a running process
   * (the `local` model, retrained by `paperboy reindex`): the process moves to it once its space
   * covers the corpus. Absent: the embedder opened first stays.
   */
  embedderIdNow?: () => Promise<string | null>;
  /** Opens an older space's model to embed queries while the configured one is being embedded. */
  reopenSpace?: (space: EmbeddingSpace) => Promise<Embedder | null>;
  /** Where the ANN index of a given embedder lives; undefined keeps it in memory only. */
  indexFile?: (embedderId: string) => string | undefined;
  /** Where ANN indexes are published for every server (PostgreSQL: no file beside a database file). */
  annFiles?: PublishedAnnIndex;
  logger?: Logger;
  /** How often (ms) a search checks the store for vectors other processes added; default 2000. */
  annRefreshMs?: number;
  /** How long a search waits for the full-text index to catch up before searching anyway; default 1000. */
  catchUpBudgetMs?: number;
}

const EMBED_BATCH = 128;
/** After embedding this many papers the store's planner statistics of the vectors are refreshed. */
const STATISTICS_AFTER = 1000;
/** `reindex` embeds in larger batches: fewer store round trips, progress writes and ANN insert calls. */
const REINDEX_BATCH = 2000;

/** Progress of `reindex`, phase by phase: `done` of `total` papers. */
export type ReindexProgress = (phase: 'full-text' | 'embed', done: number, total: number) => void;

/** `data/paperboy.db` → `data/paperboy.db.<embedder>.usearch`. */
export function annFileBeside(sqlitePath: string | undefined) {
  return (embedderId: string) => (sqlitePath ? path.join(path.dirname(sqlitePath), `${path.basename(sqlitePath)}.${embedderId.replace(/[^A-Za-z0-9._-]+/g, '_')}.usearch`) : undefined);
}

/**
 * The search indexes and keeping them in step with the store: the keyword engine's catch-up and
 * rebuild, the embedding spaces and their vectors, one ANN index per space (`catchUp`, `reindex`,
 * `keepInStep`, the re-embed job's `embedInBackground`). `SearchService` queries what this holds.
 */
export class SearchIndexService {
  /** One ANN index per embedding space in use (the serving one, and the one being embedded). */
  private readonly anns = new Map<string, { index: VectorIndex; checkedAt: number; ready: Promise<void> }>();
  private catchingUp?: Promise<number>;
  /** ANN publications, one after the other (`close` waits for them: `reindex` publishes and exits). */
  private annPublishing: Promise<void> = Promise.resolve();
  readonly spaces: EmbeddingSpaces;
  readonly engine: KeywordEngine;

  constructor(
    private readonly store: Store,
    private readonly opts: SearchIndexOptions,
  ) {
    this.engine = opts.engine;
    this.spaces = new EmbeddingSpaces(store, { openTarget: opts.embedder, targetIdNow: opts.embedderIdNow, source: opts.embedderSource, reopen: opts.reopenSpace, logger: opts.logger, refreshMs: opts.annRefreshMs === 0 ? 0 : undefined });
  }

  /** `idle` until `keepInStep` starts; then `building` until the keyword index is in memory. */
  private indexState: 'idle' | 'building' | 'ready' = 'idle';
  private markIndexLoaded!: () => void;
  /** Resolves when `keepInStep` has the keyword index in memory (`indexReady` turns true); never rejects. */
  readonly indexLoaded = new Promise<void>((resolve) => (this.markIndexLoaded = resolve));
  /** Where the papers stood (`papersMark`) before this process's last embedding pass that left none to embed, and for which model. */
  private embeddedUpTo: { embedderId: string; mark: string } | null = null;

  /** For /readyz: null when this process does not keep an index warm (tests, CLI). */
  get indexReady(): boolean | null {
    return this.indexState === 'idle' ? null : this.indexState === 'ready';
  }

  get engineName(): string {
    return this.engine.name;
  }

  /** The configured embedder, or null when semantic search is off or its server is unusable (logged; tried again later). */
  embedder(): Promise<Embedder | null> {
    return this.spaces.openTarget();
  }

  /**
   * Brings every index in step with the store: the full-text queue, then vectors for papers that
   * have none from the current embedder (or whose text changed), added to the ANN index. Importers
   * and harvesters call it after each batch they commit. Returns the counts.
   */
  async catchUp(opts: { onProgress?: (done: number, total: number) => void } = {}): Promise<{ fullText: number; embedded: number }> {
    const fullText = await this.keywordCatchUp();
    const embedded = await this.embedPending(opts.onProgress);
    return { fullText, embedded };
  }

  /**
   * Before a first import (SQLite, the store's full-text index empty): fills that index in a
   * thread beside the import; `finish` after the papers are stored moves it into the store, and
   * `catchUp` then indexes only what changed meanwhile. Null when it does not apply (the catch-up
   * after the import does the whole work). The caller calls `abort` if the import fails.
   */
  async startFullTextBeside(): Promise<{ finish(): Promise<{ papers: number; moveMs: number }>; abort(): Promise<void> } | null> {
    const build = await this.store.search.startFullTextSideBuild();
    if (!build) return null;
    return {
      finish: async () => {
        const r = await build.finish();
        if (r.adopted) return { papers: r.indexed, moveMs: r.moveMs };
        // Not an error for the import: the catch-up after it indexes every paper instead.
        this.opts.logger?.warn({ reason: r.reason }, 'the full-text index written beside the import was not used');
        return { papers: 0, moveMs: 0 };
      },
      abort: () => build.abort(),
    };
  }

  /**
   * Rebuilds everything from the store: full-text index, every vector of the current embedder, the
   * ANN index. The ANN index is rebuilt from the vectors still valid first and the new vectors go
   * straight into it as they are embedded, so each vector enters the graph once.
   */
  async reindex(
    opts: {
      reembed?: boolean;
      onPhase?: ReindexProgress;
      /** Worker threads embedding (offline model); default all cores but one. */
      threads?: number;
      /** false: the caller rebuilt the full-text index itself (`rebuildFullText`, alongside training). */
      fullText?: boolean;
    } = {},
  ): Promise<{ fullText: number; embedded: number; vectors: number; fromAnalysis: number }> {
    let fullText = 0;
    if (opts.fullText !== false) {
      opts.onPhase?.('full-text', 0, 1);
      fullText = await this.rebuildFullText();
      opts.onPhase?.('full-text', fullText, fullText);
    }
    // The keyword rebuild's analysis of every paper (kept when asked: `rebuildFullText` with
    // `keepAnalysis`), so the offline model embeds from it instead of analysing each text again.
    const analysed = this.engine.takeAnalysis?.() ?? null;
    const embedder = await this.embedder();
    if (!embedder) return { fullText, embedded: 0, vectors: 0, fromAnalysis: 0 };
    if (opts.reembed) {
      await this.store.search.deleteEmbeddings(embedder.id);
      await this.store.embeddingSpaces.ensure(embedder.id, embedder.dimensions, this.opts.embedderSource ?? {});
      this.spaces.invalidate();
    }
    // The graph is rebuilt from the vectors still valid first, and the new vectors go straight into
    // it as they are embedded: rebuilding it again afterwards inserted every vector twice.
    const ann = await this.vectorIndex({ embedderId: embedder.id, dimensions: embedder.dimensions }, { rebuild: true });
    let fromAnalysis = 0;
    const embedded = await this.embedPending((done, total) => opts.onPhase?.('embed', done, total), {
      batch: REINDEX_BATCH,
      threads: opts.threads ?? defaultEmbedThreads(),
      analysed,
      onAnalysisUsed: (n) => (fromAnalysis = n),
    });
    // A reindex is a bulk write of the vectors (every one of them after training): servers look up
    // ANN keys in them on every similar-papers list, planned from these statistics. A run of
    // STATISTICS_AFTER vectors or more refreshed them already (embedInBackground).
    if (embedded < STATISTICS_AFTER) await this.store.search.refreshStatistics();
    if (analysed) this.opts.logger?.info({ embedded, fromAnalysis }, "papers embedded from the keyword build's analysis of their text");
    return { fullText, embedded, vectors: ann.size, fromAnalysis };
  }

  /** Rebuilds the keyword index from the store; returns the papers indexed. */
  rebuildFullText(opts: RebuildOptions = {}): Promise<number> {
    return this.engine.rebuild(opts);
  }

  /**
   * Embeds, in the background, the papers the configured embedder has no vector for (all of them
   * after a model switch): in batches, yielding between them, recording progress in its space;
   * stops early when `signal` aborts. The re-embed job runs it under its lease.
   */
  async embedInBackground(
    opts: {
      signal?: AbortSignal;
      onProgress?: (p: EmbedRun) => void;
      batch?: number;
      threads?: number;
      /** With `threads`: the keyword rebuild's analysis (`reindex`), papers embedded from it; told how many at the end. */
      analysed?: AnalysedTexts | null;
      onAnalysisUsed?: (papers: number) => void;
    } = {},
  ): Promise<EmbedRun | null> {
    const embedder = await this.embedder();
    if (!embedder) return null;
    // Its ANN index is loaded (or rebuilt from the stored vectors) first, so new vectors join it.
    const ann = await this.vectorIndexNow(embedder);
    // Bulk work (reindex) embeds on worker threads while this thread stores vectors and fills the graph.
    const bulk = opts.threads && hasTermVectors(embedder) ? new LocalEmbedderThreads(embedder, opts.threads, opts.analysed ?? null) : null;
    let run: EmbedRun;
    try {
      run = await embedAll(this.store, bulk ?? embedder, {
        batch: opts.batch ?? EMBED_BATCH,
        signal: opts.signal,
        onProgress: opts.onProgress,
        logger: this.opts.logger,
        save: async (rows, now) => {
          // Not into a graph being written (a publication): the insert would wait for the write on the request thread.
          await ann.idle();
          ann.upsert(rows, now);
        },
        papersEmbedder: bulk && opts.analysed ? bulk : undefined,
      });
    } finally {
      await bulk?.close();
    }
    opts.onAnalysisUsed?.(bulk?.fromAnalysis ?? 0);
    if (run.embedded) {
      // Written by the graph's thread: the request thread serves meanwhile (searches wait for the
      // write in `vectorIndex`, not on the request thread).
      await ann.save();
      this.publishAnn(ann);
    }
    // After a model switch the re-embed job rewrites every vector: the same bulk write as a reindex.
    if (run.embedded >= STATISTICS_AFTER) await this.store.search.refreshStatistics();
    if (run.complete) this.spaces.invalidate();
    return run;
  }

  /** Whether the configured embedder has papers to embed (the re-embed job runs only then). */
  async hasPending(): Promise<boolean> {
    const embedder = await this.embedder();
    // One row is enough to know (a count would scan every pending paper).
    return !!embedder && (await this.store.search.papersToEmbed(embedder.id, 1)).length > 0;
  }

  /**
   * Catches up now (a new process builds its ANN index from the store, embeds papers imported while
   * it was down) and then every `everyMs`, in the background; returns the function that stops it.
   *
   * Every process that runs for long calls it: `serve`, and `paperboy worker` with `searches: false`.
   * Both follow the serving space the same way (a model retrained under them moved to, the old
   * space's ANN index let go). A worker answers no searches: the keyword index is neither built
   * nor caught up here, the serving ANN index is built when its jobs first search it, and its new
   * papers are embedded by its re-embed job.
   */
  keepInStep(everyMs = 60_000, opts: { searches?: boolean } = {}): () => Promise<void> {
    const searches = opts.searches ?? true;
    let running: Promise<void> | undefined;
    let first = true;
    if (searches) this.indexState = 'building';
    const holder = `search:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
    const tick = () => (running ??= catchUp().finally(() => (running = undefined)));
    const catchUp = async () => {
      try {
        const fullText = searches ? await keywordStep() : 0;
        // The serving space's ANN index is built here, not on a reader's first search (after a
        // model switch it is not the space being embedded).
        const serving = await this.spaces.serving();
        if (serving && searches) await this.vectorIndex(serving);
        // One process embeds at a time (the lease); the others pick the vectors up from the store.
        // A whole new space (a model switch) is left to the re-embed job, whose lease is renewed.
        const target = await this.embedder();
        this.dropAnnsExcept([serving?.embedderId, target?.id]);
        const embedded = searches && (!serving || serving.embedderId === target?.id) ? await this.embedNewPapers(holder) : 0;
        if (fullText || embedded) this.opts.logger?.info({ fullText, embedded }, 'search indexes caught up');
      } catch (err) {
        this.opts.logger?.warn({ err: (err as Error).message }, 'search catch-up failed; will retry');
      }
    };
    const keywordStep = async () => {
      if (first) {
        // Build the in-memory index now, while /readyz says "building", not on a reader's first search.
        await this.engine.warm?.();
        this.indexState = 'ready';
        this.markIndexLoaded();
        first = false;
      }
      const fullText = await this.keywordCatchUp({ waitForLock: false });
      // What the cheap catch-up before each search cannot see: other processes' changes.
      await this.engine.refresh?.();
      return fullText;
    };
    void tick();
    const timer = setInterval(() => void tick(), everyMs);
    timer.unref();
    // Stopping waits for a catch-up under way, so that it releases its lease before the store closes.
    return () => {
      clearInterval(timer);
      return running ?? Promise.resolve();
    };
  }

  /** The spaces whose ANN index this process holds in memory (tests). */
  get annSpaces(): string[] {
    return [...this.anns.keys()];
  }

  /**
   * Lets go of the ANN indexes of spaces neither served nor embedded any more (the space of a
   * `local` model retrained under this server, which moved to the new one): each held its graph,
   * tens of MB at 75k papers, and a thread, until a restart. Run by the minute's catch-up, long
   * after the requests that held the old space have been answered.
   */
  private dropAnnsExcept(keep: readonly (string | undefined)[]): void {
    for (const id of [...this.anns.keys()]) if (!keep.includes(id)) this.anns.delete(id);
  }

  /**
   * Embeds the papers the configured embedder has no current vector for, under the embedding lease
   * (`holder`), unless the papers have not changed since a pass of this process found none left:
   * finding none costs a scan of every paper against its vector (on PostgreSQL at 75k papers about
   * 6 s of database CPU at load 20: counting, listing, counting again), and every `serve` paid it
   * every minute (BENCHMARKS "Load", round 18). Returns how many it embedded.
   */
  async embedNewPapers(holder: string): Promise<number> {
    const target = await this.embedder();
    if (!target) return 0;
    const mark = await this.papersMark();
    const embedded = this.embeddedUpTo?.embedderId === target.id && this.embeddedUpTo.mark === mark;
    const backfill = hasTermVectors(target) && this.termsBackfilledFor !== target.id;
    if (embedded && !backfill) return 0;
    if (!(await this.store.leases.acquire(EMBED_LEASE, holder, 30 * 60_000))) return 0;
    try {
      let n = 0;
      if (!embedded) {
        const run = await this.embedInBackground();
        // The mark was read before the pass: a paper written during it moves the mark, and the next pass looks again.
        if (run?.complete && !run.stopped) this.embeddedUpTo = { embedderId: target.id, mark };
        n = run?.embedded ?? 0;
      }
      if (backfill && hasTermVectors(target)) {
        const written = await this.backfillTermVectors(target);
        if (written) this.opts.logger?.info({ embedder: target.id, papers: written }, 'term vectors written for papers embedded without them');
        this.termsBackfilledFor = target.id;
      }
      return n;
    } finally {
      await this.store.leases.release(EMBED_LEASE, holder);
    }
  }

  /** The local model whose term vectors this process found all written (`backfillTermVectors`). */
  private termsBackfilledFor: string | null = null;

  /**
   * Writes the TF-IDF term vectors of papers embedded by the local model without them (a store
   * embedded before migration 1800), so that similar papers read them instead of analysing ~280
   * texts a page, without a reindex. Pages of `TERMS_PAGE` papers, one slice of the event loop each
   * (`nextSlice`): the minute pass runs it once per process start, under the embedding lease, and a
   * finished one costs two counts. Returns how many it wrote.
   */
  async backfillTermVectors(model: Embedder & { termVector(text: string): TermVector }): Promise<number> {
    if (!(await this.store.search.termVectorsMissing(model.id))) return 0;
    let written = 0;
    let after = '';
    for (;;) {
      const page = await this.store.search.papersMissingTermVectors(model.id, TERMS_PAGE, after);
      if (!page.length) return written;
      await yieldToLoop();
      const rows = page.map((p) => ({ paperId: p.id, contentHash: p.contentHash, terms: termVectorToBytes(model.termVector(paperText(p))) }));
      await this.store.search.saveTermVectors(model.id, rows);
      written += rows.length;
      after = page[page.length - 1].id;
      if (page.length < TERMS_PAGE) return written;
    }
  }

  /** Where the papers stand: moves when one is added, changed (its `modified_at`), hidden or deleted, by any process. */
  private async papersMark(): Promise<string> {
    const sqlite = await this.store.papers.changeMark();
    if (sqlite) return sqlite.papers;
    const [n, last] = await Promise.all([this.store.papers.count(), this.store.papers.lastModified()]);
    return `${n}:${last?.modifiedAt ?? ''}:${last?.id ?? ''}`;
  }

  /** Saves the ANN index (SQLite: beside the database file) and finishes a publication and a model check under way. */
  async close(): Promise<void> {
    // A check for a retrained model under way finishes before the store closes under it.
    await this.spaces.switched();
    await Promise.all([...this.anns.values()].map((ann) => ann.index.save()));
    await this.annPublishing;
  }

  /**
   * Folds the full-text queue into the engine. `waitForLock: false` (the serving process): on SQLite
   * a held write lock (another process imports or reindexes) fails the drain at once instead of
   * waiting for it (`withoutLockWait`); the index serves as it is and the catch-up is tried again
   * `CATCH_UP_RETRY_MS` later on a timer, off the request path.
   */
  private keywordCatchUp(opts: { waitForLock?: boolean } = {}): Promise<number> {
    // Concurrent searches share one catch-up run instead of each draining the queue.
    this.catchingUp ??= (opts.waitForLock === false ? withoutLockWait(() => this.engine.catchUp()) : this.engine.catchUp())
      .catch((err) => {
        if (opts.waitForLock !== false || !isStoreBusy(err)) throw err;
        this.deferrals++;
        this.retryCatchUpLater();
        return 0;
      })
      .finally(() => {
        this.catchingUp = undefined;
      });
    return this.catchingUp;
  }

  private retryTimer?: NodeJS.Timeout;
  /**
   * Full-text catch-ups that found another process's write lock held and gave up at once, to be
   * tried again off the request path (`keywordCatchUp`); a test counts them instead of timing a search.
   */
  get fullTextDeferrals(): number {
    return this.deferrals;
  }
  private deferrals = 0;

  /** One retry at a time; it schedules the next itself while the lock stays held. */
  private retryCatchUpLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.keywordCatchUp({ waitForLock: false }).catch((err) => this.opts.logger?.warn({ err: (err as Error).message }, 'full-text catch-up failed'));
    }, CATCH_UP_RETRY_MS);
    this.retryTimer.unref();
  }

  /**
   * Before a search: index what changed, but wait at most `catchUpBudgetMs` — after a large import
   * nobody imported through `catchUp`, the rest continues in the background and later searches see it.
   * Never for another process's write lock (`keywordCatchUp`).
   */
  async keywordCatchUpBounded(): Promise<void> {
    const run = this.keywordCatchUp({ waitForLock: false }).catch((err) => {
      this.opts.logger?.warn({ err: (err as Error).message }, 'full-text catch-up failed');
      return 0;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run, new Promise<void>((r) => (timer = setTimeout(r, this.opts.catchUpBudgetMs ?? 1000)))]);
    clearTimeout(timer);
  }

  private async embedPending(onProgress?: (done: number, total: number) => void, bulk?: { batch: number; threads: number; analysed?: AnalysedTexts | null; onAnalysisUsed?: (papers: number) => void }): Promise<number> {
    const run = await this.embedInBackground({ ...bulk, onProgress: onProgress && ((p) => onProgress(p.embedded, p.pendingAtStart)) });
    return run?.embedded ?? 0;
  }

  private vectorIndexNow(embedder: Embedder): Promise<VectorIndex> {
    return this.vectorIndex({ embedderId: embedder.id, dimensions: embedder.dimensions });
  }

  /**
   * The ANN index of a space: loaded from its file when that matches the store, else rebuilt from
   * the stored vectors; then topped up with vectors other processes stored since.
   */
  async vectorIndex(space: { embedderId: string; dimensions: number }, opts: { rebuild?: boolean } = {}): Promise<VectorIndex> {
    let ann = this.anns.get(space.embedderId);
    if (!ann || opts.rebuild) {
      const index = new VectorIndex(space.embedderId, space.dimensions, this.opts.indexFile?.(space.embedderId));
      ann = { index, checkedAt: 0, ready: this.prepareIndex(index, space.embedderId, opts.rebuild ?? false) };
      this.anns.set(space.embedderId, ann);
    }
    await ann.ready;
    // A save under way (after an embedding run) is written by the graph's thread, which answers a
    // search or an insert only after it: waited for here, with the request thread free.
    await ann.index.idle();
    if (Date.now() - ann.checkedAt >= (this.opts.annRefreshMs ?? 2000)) {
      ann.checkedAt = Date.now();
      const since = ann.index.meta.newest;
      if (since) {
        const fresh = await this.store.search.embeddingsSince(space.embedderId, since, 100_000);
        await upsertSliced(ann.index, fresh);
      }
    }
    return ann.index;
  }

  private async prepareIndex(index: VectorIndex, embedderId: string, rebuild: boolean): Promise<void> {
    const stats = await this.store.search.embeddingStats(embedderId);
    // The graph's thread starts while the request thread serves, not inside a first insert.
    await index.started;
    if (!rebuild && (await index.load()) && index.meta.newest === stats.newest && index.size === stats.count) return;
    const published = rebuild ? 'skipped' : await this.loadPublishedAnn(index, stats.count);
    if (published === 'loaded') return;
    index.clear();
    let after = -1;
    for (;;) {
      const page = await this.store.search.embeddingsPage(embedderId, after, 2000);
      if (!page.length) break;
      await upsertSliced(index, page);
      after = page[page.length - 1].key;
    }
    index.meta.newest = stats.newest;
    await index.save();
    if (index.size) this.opts.logger?.info({ embedder: embedderId, vectors: index.size }, 'ANN index rebuilt from stored vectors');
    // The next server (or this one's next start) loads it instead; an unusable version is replaced.
    if (index.size) this.publishAnn(index, typeof published === 'number' ? published : undefined);
  }

  /**
   * Loads the space's published ANN index and adds the vectors stored since it was published:
   * 'loaded', 'none' (nothing published), or the number of a version that cannot be served
   * (corrupt, old format, another layout, or holding fewer vectors than the store: rebuilt).
   */
  private async loadPublishedAnn(index: VectorIndex, stored: number): Promise<'loaded' | 'none' | number> {
    const files = this.opts.annFiles;
    const v = files && (await files.latest(index.meta.embedderId));
    if (!files || !v) return 'none';
    try {
      await files.open(index, v);
    } catch (err) {
      if (!(err instanceof IndexFileError)) throw err;
      this.opts.logger?.warn({ embedder: index.meta.embedderId, version: v.version, problem: err.problem, err: err.message }, 'published ANN index cannot be served; rebuilding it from the stored vectors');
      return v.version;
    }
    for (;;) {
      const fresh = await this.store.search.embeddingsSince(index.meta.embedderId, index.meta.newest ?? '', ANN_TOP_UP_PAGE);
      await upsertSliced(index, fresh);
      if (fresh.length < ANN_TOP_UP_PAGE) break;
    }
    if (index.size < stored) {
      this.opts.logger?.warn({ embedder: index.meta.embedderId, version: v.version, vectors: index.size, stored }, 'published ANN index misses stored vectors; rebuilding it');
      return v.version;
    }
    this.opts.logger?.info({ embedder: index.meta.embedderId, version: v.version, vectors: index.size }, 'ANN index loaded from its published file');
    return 'loaded';
  }

  /**
   * Publishes a space's ANN index in the background, under a lease (one server at a time), when
   * none is published, the published one is `unusable`, or it lags by more than `ANN_REPUBLISH`
   * of its vectors (a harvest's few new vectors are added by each server at its start instead).
   */
  private publishAnn(index: VectorIndex, unusable?: number): void {
    const files = this.opts.annFiles;
    if (!files) return;
    const embedderId = index.meta.embedderId;
    const lease = `search:ann-index:publish:${embedderId}`;
    const holder = `ann:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
    this.annPublishing = this.annPublishing
      .then(async () => {
        await this.store.leases.hold(lease, holder, PUBLISH_LEASE_MS, async () => {
          const v = await files.latest(embedderId);
          if (v && v.version !== unusable && index.size - v.papers < Math.max(ANN_REPUBLISH_MIN, v.papers * ANN_REPUBLISH)) return;
          const published = await files.publish(index);
          this.opts.logger?.info({ embedder: embedderId, version: published.version, vectors: published.papers, bytes: published.bytes }, 'ANN index published');
        });
      })
      .catch((err) => this.opts.logger?.warn({ embedder: embedderId, err: (err as Error).message }, 'could not publish the ANN index; servers rebuild it from the stored vectors'));
  }
}

/** Papers per page of the term-vector backfill: about 5 ms of analysis, one slice of the event loop. */
const TERMS_PAGE = 64;

/** How long after a full-text catch-up found the write lock held it is tried again. */
const CATCH_UP_RETRY_MS = 500;

/** Vectors read per query when topping up a loaded ANN index. */
const ANN_TOP_UP_PAGE = 100_000;
/** A published ANN index is replaced once it lags by this share of its vectors (and at least `ANN_REPUBLISH_MIN`). */
const ANN_REPUBLISH = 0.05;
const ANN_REPUBLISH_MIN = 1000;

/** The longest an ANN insert runs before handing the event loop back to requests. */
const ANN_SLICE_MS = 8;
/** Vectors per `add` call: about 200 µs each, so a call stays a few milliseconds even under load. */
const ANN_BATCH = 16;

/**
 * Inserts into the ANN index a few vectors at a time, yielding to requests every `ANN_SLICE_MS`:
 * on PostgreSQL (no index file) every start inserts all the stored vectors, and one `add` of a
 * 2,000-vector page held the request thread for 0.4 s (14 s of CPU for 74,728 vectors).
 */
async function upsertSliced(index: VectorIndex, items: readonly { key: number; vector: Float32Array; embeddedAt?: string }[]): Promise<void> {
  let since = performance.now();
  for (let i = 0; i < items.length; i += ANN_BATCH) {
    const batch = items.slice(i, i + ANN_BATCH);
    const newest = batch.reduce<string | undefined>((m, it) => (it.embeddedAt && (!m || it.embeddedAt > m) ? it.embeddedAt : m), undefined);
    index.upsert(batch, newest);
    if (performance.now() - since >= ANN_SLICE_MS) {
      await yieldToLoop();
      since = performance.now();
    }
  }
}
