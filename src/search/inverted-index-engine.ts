import { nextSlice } from '../slices.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { othersMayHaveChangedPapers, type PapersChangeMark } from '../store/papers.ts';
import { DocMetaBuilder, DocMetaTable, type PaperMeta } from './doc-meta.ts';
import { InvertedIndex, InvertedIndexBuilder, type Bm25Options } from './inverted-index.ts';
import type { KeywordIndexSnapshot } from './keyword-index-file.ts';
import type { PublishedKeywordIndex } from './published-keyword-index.ts';
import { PUBLISH_LEASE_MS } from './published-index.ts';
import { PublishedVersionFollower } from './published-version-follower.ts';
import type { KeywordEngine, KeywordHit, KeywordSearchOptions, MatchCount, RebuildOptions } from './keyword-engine.ts';
import { searchFilters, type ParsedQuery } from '../domain/search-query.ts';
import { tokenize, type AnalysedTexts } from './tokenize.ts';
import { queryTermsWithVariants } from './spelling-variants.ts';

/**
 * The default keyword engine: ranked word queries (the common case) go to the in-memory BM25F
 * index with MaxScore pruning; what needs positions or other orders — phrases, exclusions,
 * `author:`, sorting by date or upvotes — goes to the store's own full-text index (`fallback`),
 * which is kept current as well. Both score the text of a paper's first PDF pages, when the
 * enrichment kept it, as a field of low weight; its arrival moves the paper's `modified_at` and
 * queues it (migration 1502), so the paper's entry is updated like an edit. The index is built from the store on first use and follows it
 * through `catchUp` (papers modified since the last look); a rebuild folds the changes in.
 *
 * With `persist` (a `PublishedKeywordIndex`), the index is not rebuilt at every start: the newest
 * published file is loaded (seconds at 1M papers) and the papers modified since it was built are
 * indexed in memory as the delta. The store's version row is polled every `pollMs`, so a version
 * another process published (reindex, the worker's merge, another server) replaces this one without
 * a restart. When there is no usable file — none yet, corrupt, truncated, an old format — the index
 * is built from the store here and published for the others. A worn delta is merged (rebuilt and
 * published) by whichever process holds the publishing lease; the others pick the new version up.
 * Builds stream the store page by page and hand the event loop back every few milliseconds.
 */
const PAGE = 5000;
/**
 * Rows per statement of the scan for modified papers. On SQLite each statement reads its rowid
 * range of the whole table synchronously: at 5,000 rows one held a starting server's request
 * thread for 10–54 ms of CPU (BENCHMARKS, start-up, round 18); 1,000 rows cost a fifth of that.
 */
const SCAN_ROWS = 1000;
/** Changed papers analysed into the index per turn of the event loop during a catch-up. */
const APPLY_PER_TURN = 20;
/** How far behind now a scan's cursor stays (see `scanModified`). */
export const SCAN_GUARD_MS = 2000;
/** Papers per page of a build: one page is parsed synchronously by SQLite's driver. */
const BUILD_PAGE = 250;
/**
 * Stem ids a rebuild keeps for the embedding after it (`keepAnalysis`): 4 bytes each, ~170 a paper,
 * so 75k papers take 51 MB; past this (128 MB, ~190k papers) the rest are analysed by the embedder as before.
 */
const KEEP_ANALYSIS_LIMIT = 32 << 20;
/** The longest a build runs before handing the event loop back to requests. */
const SLICE_MS = 8;
export const KEYWORD_PUBLISH_LEASE = 'search:keyword-index:publish';

export interface PersistOptions {
  files: PublishedKeywordIndex;
  /** How often the version row is checked for a newer published index; default 30 s. */
  pollMs?: number;
  logger?: Logger;
}

export class InvertedIndexEngine implements KeywordEngine {
  readonly name = 'bm25-maxscore';
  private index: InvertedIndex | null = null;
  private building?: Promise<number>;
  private meta = DocMetaTable.empty();
  private cursor: { modifiedAt: string; id: string } = { modifiedAt: '', id: '' };
  /** Where the store stood (`changeMark`) when this index last looked for other processes' writes. */
  private mark: PapersChangeMark | null = null;
  /** The change mark taken before the last scan of modified papers began (`refresh` skips a scan when it has not moved). */
  private scannedMark: PapersChangeMark | null = null;
  /** The published version in memory and the polls for a newer one. */
  private readonly follower: PublishedVersionFollower;
  private readonly holder = `keyword-index:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  /** What the last start did, for logs and benchmarks. */
  readonly lastLoad = { source: 'none' as 'none' | 'file' | 'build', ms: 0, papers: 0, delta: 0, rejected: null as string | null };

  constructor(
    private readonly store: Store,
    private readonly fallback: KeywordEngine,
    private readonly options: Partial<Bm25Options> = {},
    /** Rebuild once changes since the build exceed this share of the index. */
    private readonly rebuildRatio = 0.1,
    private readonly persist?: PersistOptions,
  ) {
    this.follower = new PublishedVersionFollower({
      latest: async () => (this.persist ? this.persist.files.latest() : null),
      swapIn: () => this.swapInPublished(),
      pollMs: persist?.pollMs,
      logger: persist?.logger,
      what: 'a newer keyword index',
    });
  }

  /** Whether the index is published as files (the merge job runs only then). */
  get persistent(): boolean {
    return !!this.persist;
  }

  /** The published version this process serves (null when built here without publishing). */
  get servedVersion(): number | null {
    return this.follower.version;
  }

  /** Whether `search` can answer `q` from the in-memory index. */
  static handles(q: ParsedQuery, opts: KeywordSearchOptions): boolean {
    return opts.sort === 'relevance' && q.terms.length > 0 && !q.phrases.length && !q.excluded.length && !q.authors.length;
  }

  async search(q: ParsedQuery, opts: KeywordSearchOptions): Promise<KeywordHit[]> {
    if (!InvertedIndexEngine.handles(q, opts)) return this.fallback.search(q, opts);
    const index = await this.ready();
    const filter = this.filterFor(q, opts);
    const limit = Math.max(0, Math.floor(opts.limit));
    const offset = Math.max(0, Math.floor(opts.offset ?? 0));
    // Ranking is top-k: a page at `offset` ranks the hits before it too and skips them. A few spare
    // hits cover papers hidden by moderation since the index last looked. Each word is also searched
    // as its more common other spelling ("recognising" → also "recognizing").
    const hits = index.searchTerms(queryTermsWithVariants(q.terms.join(' '), (t) => index.docFrequency(t)), offset + limit + 5, { filter });
    if (!hits.length) return [];
    const visible = await this.store.papers.visibleIds(hits.map((h) => h.id));
    return hits.filter((h) => visible.has(h.id)).slice(offset, offset + limit);
  }

  /**
   * The most any paper could score for `q` (`InvertedIndex.scoreCeiling`, the same words and
   * spelling variants `search` looks up); undefined when `search` would ask the fallback engine.
   */
  async scoreCeiling(q: ParsedQuery, opts: KeywordSearchOptions): Promise<number | undefined> {
    if (!InvertedIndexEngine.handles(q, opts)) return undefined;
    const index = await this.ready();
    return index.scoreCeiling(queryTermsWithVariants(q.terms.join(' '), (word) => index.docFrequency(word)));
  }

  /** The category and date bounds as a test on a paper id (undefined when there are none). */
  private filterFor(q: ParsedQuery, opts: Pick<KeywordSearchOptions, 'category' | 'from' | 'to'>): ((id: string) => boolean) | undefined {
    const f = searchFilters(q, opts);
    const { from, to } = f;
    const categories = f.categories.map((c) => c.toLowerCase());
    if (!categories.length && !from && !to) return undefined;
    const test = this.meta.matcher(categories, from, to);
    const index = this.index;
    return (id: string) => test(id, index?.docNumber(id));
  }

  /** Word queries are counted from the posting lists (a union, no scoring); the rest by the store. */
  async count(q: ParsedQuery, opts: Omit<KeywordSearchOptions, 'limit' | 'sort'>): Promise<MatchCount> {
    if (!InvertedIndexEngine.handles(q, { ...opts, limit: 1, sort: 'relevance' })) {
      return this.fallback.count ? this.fallback.count(q, opts) : { total: 0, exact: false };
    }
    const index = await this.ready();
    // Papers hidden since the index last looked are still counted until the next catch-up: an estimate.
    return index.countMatches(tokenize(q.terms.join(' ')), this.filterFor(q, opts));
  }

  async corrections(words: string[]): Promise<Map<string, string>> {
    return (await this.ready()).corrections(words);
  }

  /**
   * Cheap enough to run before every search: the store's full-text queue says which papers changed
   * here, and exactly those are folded in; the scan of papers modified since the last look runs only
   * when another process may have written papers (SQLite: another connection committed and the
   * papers' change mark moved, `othersMayHaveChangedPapers`; on PostgreSQL an index makes the scan
   * cheap). Scanning on every search cost 26 ms at 20,000 papers on SQLite, which has no index on
   * `modified_at` (one cost the import writer a third more time); scanning whenever another process
   * wrote anything (a rate-limit row) made 230 searches take 18 minutes with two servers at 1M papers.
   */
  async catchUp(): Promise<number> {
    this.pollInBackground();
    if (!this.fallback.catchUpChanged) return this.refresh();
    const ids = await this.fallback.catchUpChanged();
    if (!this.index) return ids.length;
    for (let i = 0; i < ids.length; i += PAGE) {
      const chunk = ids.slice(i, i + PAGE);
      const found = await this.store.papers.getMany(chunk);
      const texts = await this.store.search.pdfTexts(chunk);
      for (let j = 0; j < found.length; j++) {
        // As in `scanModified`: a harvest's few hundred papers analysed at once held the request
        // thread ~170 ms of CPU (the similar-lists job's catch-up, BENCHMARKS "Background jobs", round 21).
        if (j && j % APPLY_PER_TURN === 0) await nextSlice();
        this.apply(found[j], texts.get(found[j].id));
      }
      const seen = new Set(found.map((p) => p.id));
      for (const id of chunk) if (!seen.has(id)) this.forget(id);
    }
    const mark = await this.store.papers.changeMark();
    const before = this.mark;
    this.mark = mark;
    if (othersMayHaveChangedPapers(before, mark)) {
      const changed = await this.scanModified();
      this.scannedMark = mark;
      return Math.max(ids.length, changed);
    }
    await this.rebuildIfWorn();
    return ids.length;
  }

  /**
   * Everything `catchUp` might not see: the full-text queue, then every paper modified since the
   * last look — unless nothing has written a paper since the last scan began (the papers' change
   * mark, which every write by any connection moves, is where it was then): on SQLite each scan
   * reads the whole table, and the serving process's first catch-up ran one right after the load's
   * own (twice the start-up scan, 30 synchronous statements at 75k papers, for nothing).
   */
  async refresh(): Promise<number> {
    const n = await this.fallback.catchUp();
    const mark = await this.store.papers.changeMark();
    if (n === 0 && this.index && samePapers(this.scannedMark, mark)) return 0;
    const changed = await this.scanModified();
    this.scannedMark = mark;
    return Math.max(n, changed);
  }

  /**
   * Folds in every paper modified since the cursor. The store hands them over in slices with the
   * event loop free between them (on SQLite a whole-table read, 1.9 s at 1M papers, that held a
   * starting server's requests), so they come unordered: the cursor moves to the newest change
   * seen, but not into the last seconds — a paper written during the scan into a slice already read
   * is then read again next time instead of being stepped over.
   */
  private async scanModified(): Promise<number> {
    if (!this.index) return 0;
    const guard = new Date(Date.now() - SCAN_GUARD_MS).toISOString();
    let cursor = this.cursor;
    let changed = 0;
    for await (const slice of this.store.papers.modifiedSinceSliced(this.cursor, SCAN_ROWS)) {
      const texts = slice.length ? await this.store.search.pdfTexts(slice.map((p) => p.id)) : new Map<string, string>();
      for (const p of slice) {
        // A paper's text is analysed here (~0.5 ms at the real corpus' lengths): the papers of a
        // harvest are neighbours by rowid, so one slice held 300 of them, 173 ms of the request
        // thread in one go (BENCHMARKS "Background jobs", round 20). The loop is handed back every few.
        if (changed && changed % APPLY_PER_TURN === 0) await nextSlice();
        this.apply(p, texts.get(p.id));
        changed++;
        if (p.modifiedAt < guard && (p.modifiedAt > cursor.modifiedAt || (p.modifiedAt === cursor.modifiedAt && p.id > cursor.id))) cursor = { modifiedAt: p.modifiedAt, id: p.id };
      }
    }
    this.cursor = cursor;
    await this.rebuildIfWorn();
    return changed;
  }

  private async rebuildIfWorn(): Promise<void> {
    if (!this.index || this.index.pendingChanges <= Math.max(1000, this.rebuildRatio * this.index.size)) return;
    if (!this.persist) {
      await this.build();
      return;
    }
    // Merged once for every server: by the holder of the lease; the others load its version.
    await this.buildAndPublish();
  }

  /** Checks the version row now and then (never more than once at a time, never awaited by a search). */
  private pollInBackground(): void {
    if (this.persist && this.index) this.follower.pollInBackground();
  }

  /**
   * Loads a newer published version than the one in memory, if there is one, and swaps it in (the
   * old one serves until then). Returns whether it swapped.
   */
  pollVersion(): Promise<boolean> {
    return this.follower.poll();
  }

  /** The newest published version swapped in, with the papers modified since it was built. */
  private async swapInPublished(): Promise<boolean> {
    const snap = await this.openPublished();
    if (!snap) return false;
    const t = performance.now();
    this.install(snap.snap, snap.version);
    const delta = await this.scanModified();
    this.persist?.logger?.info({ version: snap.version, papers: snap.snap.index.mainSize, delta, ms: Math.round(performance.now() - t) }, 'loaded a newer keyword index');
    return true;
  }

  /** The newest published version, opened; null when there is none or it cannot be served (logged, and noted in `lastLoad`). */
  private async openPublished(): Promise<{ snap: KeywordIndexSnapshot; version: number; papersMark: string | null } | null> {
    const opened = await this.persist!.files.openLatest();
    if (opened && 'rejected' in opened) this.lastLoad.rejected = opened.rejected;
    return opened && 'snap' in opened ? opened : null;
  }

  private install(snap: KeywordIndexSnapshot, version: number | null): void {
    this.index = snap.index;
    this.meta = snap.meta;
    this.cursor = snap.cursor;
    this.follower.version = version;
  }

  /**
   * Builds from the store and publishes, under the publishing lease; without the lease (another
   * process is publishing) nothing is built and the poll brings that version in. Returns whether it built.
   */
  private buildAndPublish(): Promise<boolean> {
    // One build at a time in this process: the merge job, a worn delta and the start-up build share
    // it (the lease is held per process, so it would not stop a second build here; at 1M papers one
    // ran beside the start-up build, doubling its time and peak memory).
    this.publishing ??= this.buildAndPublishOnce().finally(() => {
      this.publishing = undefined;
    });
    return this.publishing;
  }

  private publishing?: Promise<boolean>;

  private async buildAndPublishOnce(): Promise<boolean> {
    const p = this.persist!;
    const leased = await this.store.leases.hold(KEYWORD_PUBLISH_LEASE, this.holder, PUBLISH_LEASE_MS, async () => {
      const snap = this.fresh ?? (await this.buildFromStore());
      this.fresh = undefined;
      this.install(snap, null);
      try {
        const v = await p.files.publish(snap);
        this.follower.version = v.version;
        p.logger?.info({ version: v.version, papers: v.papers, bytes: v.bytes }, 'published the keyword index');
      } catch (err) {
        p.logger?.warn({ err: (err as Error).message }, 'could not publish the keyword index; serving it from memory');
      }
      await this.scanModified();
    });
    return leased.held;
  }

  /**
   * Writes the keyword index files now (reindex's "write keyword index files" phase): a fresh
   * build from the store, published as the next version. Returns its version, or null without persistence.
   */
  async publish(): Promise<number | null> {
    if (!this.persist) return null;
    if (!(await this.buildAndPublish())) throw new Error('another process is publishing the keyword index; try again when it is done');
    if (this.follower.version === null) throw new Error('could not publish the keyword index (see the log)');
    return this.follower.version;
  }

  /**
   * The worker's merge: rebuild and publish when nothing is published yet, the published file
   * cannot be served, or more papers changed since it was built than the rebuild ratio allows.
   * Returns the new version, or null when the published one is fine.
   */
  async mergeIfWorn(): Promise<number | null> {
    if (!(await this.mergeDue())) return null;
    return (await this.buildAndPublish()) ? this.follower.version : null;
  }

  /** Whether `mergeIfWorn` would rebuild: cheap (a capped count; the file is only checked by its 64-byte head). */
  async mergeDue(): Promise<boolean> {
    // Not while this process is still loading or building its index: that publishes by itself.
    if (!this.persist || this.building || this.publishing) return false;
    const latest = await this.persist.files.latest();
    if (!latest || latest.format !== this.persist.files.codec.format) return true;
    const limit = Math.max(1000, this.rebuildRatio * latest.papers);
    if ((await this.store.papers.countModifiedSince(latest.cursor, Math.floor(limit) + 1)) > limit) return true;
    // The published bytes are gone from a shared directory and not in the store: publish again.
    return !latest.stored && !(await this.persist.files.headMatches(latest));
  }

  async warm(): Promise<void> {
    await this.ready();
  }

  /** A fresh build from the store (reindex); with persistence `publish` then writes it without building again. */
  async rebuild(opts: RebuildOptions = {}): Promise<number> {
    this.analysed = null;
    this.keepAnalysis = opts.keepAnalysis ?? false;
    try {
      return await this.rebuildNow(opts);
    } finally {
      // Only this rebuild's own build keeps it (a build already under way may not have taken it).
      this.keepAnalysis = false;
    }
  }

  private async rebuildNow(opts: RebuildOptions): Promise<number> {
    await this.fallback.rebuild(opts);
    if (!this.persist) return this.build();
    const snap = await this.buildFromStore();
    this.install(snap, null);
    this.fresh = snap;
    await this.scanModified();
    return snap.index.size;
  }

  /** The snapshot `rebuild` made, not yet published. */
  private fresh?: KeywordIndexSnapshot;
  /** The next build from the store keeps its analysis (`rebuild` with `keepAnalysis`), and what it kept. */
  private keepAnalysis = false;
  private analysed: AnalysedTexts | null = null;

  takeAnalysis(): AnalysedTexts | null {
    const a = this.analysed;
    this.analysed = null;
    return a;
  }

  /** Bytes the in-memory index holds (0 before first use). */
  memoryBytes(): number {
    return this.index?.memoryBytes() ?? 0;
  }

  private async ready(): Promise<InvertedIndex> {
    if (!this.index) await this.build();
    return this.index!;
  }

  private build(): Promise<number> {
    this.building ??= this.load().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async load(): Promise<number> {
    const t = performance.now();
    if (this.persist) {
      const opened = await this.openPublished();
      if (opened) {
        this.install(opened.snap, opened.version);
        // The delta: papers imported or changed after the file was built. The mark is taken first,
        // so the first catch-up does not scan again (on SQLite, without an index on `modified_at`,
        // each scan reads the whole table: 1.9 s at 1M papers).
        const mark = await this.store.papers.changeMark();
        // No paper added, changed or deleted since the build began (the mark its version row
        // recorded): nothing to scan for. On SQLite the scan reads the whole papers table — at 2.5M
        // papers the longest part of a start from the published file (BENCHMARKS, round 23 `big-start`).
        const delta = unchangedSince(opened.papersMark, mark) ? 0 : await this.scanModified();
        this.mark = mark;
        this.scannedMark = mark;
        Object.assign(this.lastLoad, { source: 'file', ms: performance.now() - t, papers: opened.snap.index.mainSize, delta });
        this.follower.loaded(opened.version);
        return this.index!.size;
      }
      if (await this.buildAndPublish()) {
        Object.assign(this.lastLoad, { source: 'build', ms: performance.now() - t, papers: this.index!.mainSize, delta: 0 });
        return this.index!.size;
      }
      // Another process holds the lease and is building: build here as well rather than wait on it.
    }
    const snap = await this.buildFromStore();
    this.install(snap, null);
    Object.assign(this.lastLoad, { source: 'build', ms: performance.now() - t, papers: snap.index.mainSize, delta: 0 });
    // Papers written while the pages were read are picked up by the next catch-up.
    return snap.index.size;
  }

  /**
   * Streams the store into a builder page by page (the papers' text is never held all at once: at
   * 1M papers that was 1.2 GB of strings) and hands the event loop back every `SLICE_MS`.
   */
  private async buildFromStore(): Promise<KeywordIndexSnapshot> {
    // Before the cursor and the first page: a write after it moves the mark, and a loader then scans.
    const papersMark = (await this.store.papers.changeMark())?.papers ?? null;
    const cursor = (await this.store.papers.lastModified()) ?? { modifiedAt: '', id: '' };
    const keep = this.keepAnalysis;
    this.keepAnalysis = false;
    const builder = new InvertedIndexBuilder(this.options, keep ? { limit: KEEP_ANALYSIS_LIMIT } : undefined);
    const meta = new DocMetaBuilder();
    let since = performance.now();
    // By id, the primary key: a keyset on the newest-first order rescanned every paper of the same
    // day before each page (minutes at 1M papers).
    let after = '';
    for (;;) {
      // Only what the index holds, the PDF text joined in (whole papers and a second query per page cost twice the reads).
      const page = await this.store.papers.indexTextsById(BUILD_PAGE, after);
      for (const p of page) {
        builder.add(p);
        meta.add(metaOf(p));
        if (performance.now() - since >= SLICE_MS) {
          await nextSlice();
          since = performance.now();
        }
      }
      if (page.length < BUILD_PAGE) break;
      after = page[page.length - 1].id;
    }
    const analysed = builder.analysis();
    const index = await builder.finishSliced(SLICE_MS);
    if (keep) this.analysed = analysed;
    return { index, meta: meta.finish(), cursor, papersMark };
  }

  private forget(id: string): void {
    this.index!.remove(id);
    this.meta.forget(id);
  }

  /** Indexes a paper as the store has it now, with its PDF text when the enrichment has kept one. */
  private apply(p: PaperWithStats, pdfText: string | undefined): void {
    if (p.hidden || p.deleted) return this.forget(p.id);
    this.index!.upsert({ id: p.id, title: p.title, abstract: p.abstract, pdfText });
    this.meta.override(p.id, metaOf(p));
  }
}

/** Whether the papers stand where a published version's recorded mark says they stood (false without one). */
function unchangedSince(published: string | null, now: PapersChangeMark | null): boolean {
  return published !== null && !!now && published === now.papers;
}

/** Whether no paper was written between the two marks (false when either is unknown: PostgreSQL has none). */
function samePapers(before: PapersChangeMark | null, now: PapersChangeMark | null): boolean {
  return !!before && !!now && before.papers === now.papers;
}

function metaOf(p: Pick<PaperWithStats, 'categories' | 'publishedAt'>): PaperMeta {
  return { categories: p.categories.map((c) => c.toLowerCase()), published: (p.publishedAt ?? '').slice(0, 10) };
}
