import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import type { Embedder } from '../search/embedder.ts';
import type { KeywordEngine, KeywordSearchOptions, MatchCount } from '../search/keyword-engine.ts';
import { COUNT_CAP } from '../search/store-keyword-engine.ts';
import { DEFAULT_FUSION, SIMILAR_WEIGHTS, fuse, mixSimilar, type FusionWeights, type RankedHit, type SimilarWeights } from '../search/fusion.ts';
import { hasTermVectors, termCosine } from '../search/local-embedder.ts';
import { hasTextConstraint, parseQuery, STOPWORDS, words, type ParsedQuery, type SearchSort } from '../search/query.ts';
import { highlightRanges, queryStems, segments, snippet, type HighlightSegment } from '../search/highlight.ts';
import { VectorIndex } from '../search/vector-index.ts';
import { defaultEmbedThreads, LocalEmbedderThreads } from '../search/local-embedder-threads.ts';
import type { SpaceSource, EmbeddingSpace } from '../store/embedding-spaces.ts';
import { EmbeddingSpaces, type ServingSpace } from './embedding-spaces.ts';
import { EMBED_LEASE, embedAll, paperText, QueryFallbackLog, withinBudget, type EmbedRun } from './embedding-runs.ts';

export type SearchMode = 'hybrid' | 'keyword' | 'vector';

export interface SearchInput {
  q: string;
  limit?: number;
  /** Inclusive YYYY-MM-DD bounds; override `from:`/`to:` in the query. */
  from?: string;
  to?: string;
  category?: string;
  /** Overrides `sort:` in the query; default relevance. */
  sort?: SearchSort;
  mode?: SearchMode;
  /** Also count the matches and look for spelling corrections (the site's result page asks; the API does not pay for it). */
  extras?: boolean;
}

export interface SearchResult {
  paper: PaperWithStats;
  score: number;
  /** Title with matches marked, and an abstract snippet around the matches. */
  title: HighlightSegment[];
  summary: HighlightSegment[];
}

export interface SearchResponse {
  query: ParsedQuery;
  /** Set when the query was an arXiv id or URL of a stored paper: go straight to it. */
  paperId?: string;
  results: SearchResult[];
  /** What actually ranked the results. */
  mode: SearchMode;
  /** With `extras`: how many papers match the words and filters (keyword matches; exact or an estimate). */
  total?: MatchCount;
  /** With `extras`: the query with rare or unknown words corrected from the corpus's vocabulary. */
  didYouMean?: string;
}

export interface SimilarResult {
  paper: PaperWithStats;
  score: number;
}

export interface SearchServiceOptions {
  engine: KeywordEngine;
  /** Opens the configured embedder on first use; null means keyword search only. */
  embedder: () => Promise<Embedder | null>;
  /** What the configured embedder is (provider, model): recorded with its space to reopen it later. */
  embedderSource?: SpaceSource;
  /** Opens an older space's model to embed queries while the configured one is being embedded. */
  reopenSpace?: (space: EmbeddingSpace) => Promise<Embedder | null>;
  /** How long a search waits for its query's vector before answering with keyword results; default 1500. */
  embedBudgetMs?: number;
  fusion?: FusionWeights;
  /** How similar papers mix word and embedding similarity; default `SIMILAR_WEIGHTS`. */
  similar?: SimilarWeights;
  /** Where the ANN index of a given embedder lives; undefined keeps it in memory only. */
  indexFile?: (embedderId: string) => string | undefined;
  logger?: Logger;
  /** How often (ms) a search checks the store for vectors other processes added; default 2000. */
  annRefreshMs?: number;
  /** How long a search waits for the full-text index to catch up before searching anyway; default 1000. */
  catchUpBudgetMs?: number;
}

interface VectorFilters {
  from?: string;
  to?: string;
  categories: string[];
}

export const SEARCH_LIMITS = { default: 20, max: 120 } as const;
const EMBED_BATCH = 128;
/** `reindex` embeds in larger batches: fewer store round trips, progress writes and ANN insert calls. */
const REINDEX_BATCH = 2000;

/** Progress of `reindex`, phase by phase: `done` of `total` papers. */
export type ReindexProgress = (phase: 'full-text' | 'embed', done: number, total: number) => void;

/** `data/paperboy.db` → `data/paperboy.db.<embedder>.usearch`. */
export function annFileBeside(sqlitePath: string | undefined) {
  return (embedderId: string) => (sqlitePath ? path.join(path.dirname(sqlitePath), `${path.basename(sqlitePath)}.${embedderId.replace(/[^A-Za-z0-9._-]+/g, '_')}.usearch`) : undefined);
}

export { paperText };

/**
 * Search over the store: keyword (the engine), semantic (embedder + ANN index) and their fusion,
 * similar papers, and keeping the indexes in step with imports and harvests (`catchUp`).
 */
export class SearchService {
  private readonly fusion: FusionWeights;
  /** One ANN index per embedding space in use (the serving one, and the one being embedded). */
  private readonly anns = new Map<string, { index: VectorIndex; checkedAt: number; ready: Promise<void> }>();
  private catchingUp?: Promise<number>;
  readonly spaces: EmbeddingSpaces;
  private readonly fallbacks: QueryFallbackLog;

  constructor(
    private readonly store: Store,
    private readonly opts: SearchServiceOptions,
  ) {
    this.fusion = opts.fusion ?? DEFAULT_FUSION;
    this.spaces = new EmbeddingSpaces(store, { openTarget: opts.embedder, source: opts.embedderSource, reopen: opts.reopenSpace, logger: opts.logger, refreshMs: opts.annRefreshMs === 0 ? 0 : undefined });
    this.fallbacks = new QueryFallbackLog(opts.logger);
  }

  /** `idle` until `keepInStep` starts; then `building` until the keyword index is in memory. */
  private indexState: 'idle' | 'building' | 'ready' = 'idle';

  /** For /readyz: null when this process does not keep an index warm (tests, CLI). */
  get indexReady(): boolean | null {
    return this.indexState === 'idle' ? null : this.indexState === 'ready';
  }

  get engineName(): string {
    return this.opts.engine.name;
  }

  /** The configured embedder, or null when semantic search is off or its server is unusable (logged; tried again later). */
  embedder(): Promise<Embedder | null> {
    return this.spaces.openTarget();
  }

  async search(input: SearchInput): Promise<SearchResponse> {
    const q = parseQuery(input.q);
    const res = await this.rank(input, q);
    if (!input.extras || res.paperId) return res;
    const [total, didYouMean] = await Promise.all([this.count(q, input), this.correct(q)]);
    return { ...res, total, didYouMean };
  }

  /** How many papers match (the keyword side: vector neighbours are not "matches"). */
  private async count(q: ParsedQuery, input: SearchInput): Promise<MatchCount | undefined> {
    const from = input.from ?? q.from;
    const to = input.to ?? q.to;
    if (!hasTextConstraint(q)) {
      const categories = [...q.categories, ...(input.category ? [input.category] : [])];
      if (!categories.length && !from && !to) return undefined;
      const n = await this.store.search.browseCount(q, { from, to, categories }, COUNT_CAP);
      return { total: n, exact: n < COUNT_CAP };
    }
    return this.opts.engine.count?.(q, { from, to, category: input.category });
  }

  /** The raw query with each corrected word replaced (case-insensitive, whole words); undefined when nothing needs correcting. */
  private async correct(q: ParsedQuery): Promise<string | undefined> {
    if (!q.terms.length || !this.opts.engine.corrections) return undefined;
    const fixes = await this.opts.engine.corrections(q.terms);
    if (!fixes.size) return undefined;
    let out = q.raw;
    for (const [wrong, right] of fixes) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${wrong}(?![\\p{L}\\p{N}])`, 'giu'), right);
    return out === q.raw ? undefined : out;
  }

  private async rank(input: SearchInput, q: ParsedQuery): Promise<SearchResponse> {
    const limit = clampLimit(input.limit);
    const sort = input.sort ?? q.sort ?? 'relevance';
    if (q.paperId) {
      const paper = await this.store.papers.visible(q.paperId);
      const visible = paper ? [paper] : [];
      return { query: q, paperId: visible.length ? q.paperId : undefined, results: visible.map((p) => this.present(p, 1, q)), mode: 'keyword' };
    }
    await this.keywordCatchUpBounded();
    const filters = { limit, from: input.from ?? q.from, to: input.to ?? q.to, category: input.category, sort };

    if (!hasTextConstraint(q)) {
      const any = q.categories.length || filters.category || filters.from || filters.to;
      if (!any) return { query: q, results: [], mode: 'keyword' };
      const hits = await this.store.search.browse(q, { from: filters.from, to: filters.to, categories: [...q.categories, ...(filters.category ? [filters.category] : [])] }, sort, limit);
      return { query: q, results: await this.load(hits, q), mode: 'keyword' };
    }

    // Vector hits cannot honour phrases, authors or exclusions, and "newest first" wants matches only.
    const vectorAllowed = sort === 'relevance' && !q.phrases.length && !q.authors.length && !q.excluded.length && q.terms.length > 0;
    const wanted: SearchMode = input.mode ?? 'hybrid';
    // Without an embedder there is nothing to fuse: ask the keyword index for the page only (a top
    // 100 for fusion cost the in-memory index about twice the time of a top 20 at 1M papers).
    // The embedder gets a budget: a slow, failing or garbage-answering server costs a search at most
    // that long, and the search answers with keyword results (logged) instead of an error.
    const deadline = Date.now() + (this.opts.embedBudgetMs ?? 1500);
    const serving = wanted === 'keyword' || !vectorAllowed || (wanted === 'hybrid' && this.fusion.vector <= 0 && !this.fusion.expansion) ? null : await this.servingForQuery(deadline);
    if (!serving) {
      const hits = await this.opts.engine.search(q, filters);
      return { query: q, results: await this.load(hits, q), mode: 'keyword' };
    }
    const candidates = Math.max(limit, this.fusion.candidates);
    const [keyword, vector] = await Promise.all([
      wanted === 'vector' ? this.opts.engine.search(q, { ...filters, limit }) : this.opts.engine.search(q, { ...filters, limit: candidates }).then((hits) => this.expand(q, hits, { ...filters, limit: candidates })),
      this.vectorSearch(serving, q.terms.join(' '), candidates, { from: filters.from, to: filters.to, categories: [...q.categories, ...(filters.category ? [filters.category] : [])] }, deadline),
    ]);
    if (vector === null) return { query: q, results: await this.load(keyword.slice(0, limit), q), mode: 'keyword' };
    // Fuse as many candidates as were asked for: a page larger than `fusion.candidates` must not come back short.
    const ranked = wanted === 'vector' ? vector : fuse(keyword, vector, { ...this.fusion, candidates });
    return { query: q, results: await this.load(ranked.slice(0, limit), q), mode: wanted };
  }

  /**
   * Pseudo-relevance feedback (`fusion.expansion`): the heaviest words of the top keyword hits,
   * added to the query at a lower weight, and the keyword search run again. Unchanged hits when off.
   */
  private async expand(q: ParsedQuery, hits: RankedHit[], filters: KeywordSearchOptions): Promise<RankedHit[]> {
    const x = this.fusion.expansion;
    const embedder = x && hits.length ? await this.embedder() : null;
    if (!x || !embedder || !hasTermVectors(embedder)) return hits;
    const top = hits.slice(0, x.docs);
    const papers = new Map((await this.store.papers.getMany(top.map((h) => h.id))).map((p) => [p.id, p]));
    const own = new Set(embedder.termVector(q.terms.join(' ')).ids);
    const weight = new Map<number, number>();
    const best = top[0].score || 1;
    for (const h of top) {
      const p = papers.get(h.id);
      if (!p) continue;
      const tv = embedder.termVector(paperText(p));
      tv.ids.forEach((id, i) => {
        if (!own.has(id) && !embedder.featureName(id).includes(' ')) weight.set(id, (weight.get(id) ?? 0) + (h.score / best) * tv.weights[i]);
      });
    }
    const extra = [...weight.entries()].sort((a, b) => b[1] - a[1]).slice(0, x.terms).map(([id]) => embedder.featureName(id));
    if (!extra.length) return hits;
    const expanded = { ...q, terms: [...Array.from({ length: x.originalWeight }, () => q.terms).flat(), ...extra] };
    return this.opts.engine.search(expanded, filters);
  }

  /**
   * Papers like the given one. Candidates: its vector neighbours and the keyword neighbours of its
   * most telling words (title and abstract). Each candidate gets both similarities to the paper — word
   * overlap (TF-IDF cosine when the embedder has term vectors, else BM25 ÷ the best hit) and
   * embedding cosine — and they are mixed by score, not by rank (`mixSimilar`): measured on CSFCube,
   * rank fusion of a title-only keyword list lost to plain TF-IDF. Null when there is no such paper.
   */
  async similar(id: string, limit = 10): Promise<SimilarResult[] | null> {
    const paper = await this.store.papers.visible(id);
    if (!paper) return null;
    const n = clampLimit(limit, 10);
    const w = this.opts.similar ?? SIMILAR_WEIGHTS;
    await this.keywordCatchUpBounded();
    const text = paperText(paper);
    const q = parseQuery('');
    q.terms = [...new Set(words(text).filter((x) => !STOPWORDS.has(x) && x.length > 1))].slice(0, 64);
    const candidates = Math.max(n + 1, w.candidates);
    const embedder = await this.embedder();
    const [keyword, vector] = await Promise.all([
      q.terms.length ? this.opts.engine.search(q, { limit: candidates, sort: 'relevance' }) : Promise.resolve([]),
      embedder ? this.vectorNeighbours(paper, candidates) : Promise.resolve(null),
    ]);
    const ids = [...new Set([...keyword, ...(vector ?? [])].map((h) => h.id))].filter((x) => x !== paper.id);
    const papers = new Map((await this.store.papers.visibleMany(ids)).map((p) => [p.id, p]));
    const cosine = new Map((vector ?? []).map((h) => [h.id, h.score]));
    const bm25 = new Map(keyword.map((h) => [h.id, h.score]));
    const bestBm25 = keyword.length ? Math.max(...keyword.map((h) => h.score)) : 1;
    const local = embedder && hasTermVectors(embedder) ? embedder : null;
    const ownTerms = local?.termVector(text);
    let ownVector: Float32Array | null | undefined;
    const scored = [];
    for (const [cid, p] of papers) {
      let semantic = cosine.get(cid) ?? NaN;
      // A keyword neighbour the vector search did not return gets its own cosine, not a floor.
      if (Number.isNaN(semantic) && embedder) {
        ownVector ??= local ? local.embedOne(text) : await this.store.search.embeddingOf(embedder.id, paper.id);
        const v = local ? local.embedOne(paperText(p)) : await this.store.search.embeddingOf(embedder.id, cid);
        if (v && ownVector) semantic = dot(v, ownVector);
      }
      const lexical = local && ownTerms ? termCosine(ownTerms, local.termVector(paperText(p))) : (bm25.get(cid) ?? 0) / (bestBm25 || 1);
      scored.push({ id: cid, lexical, semantic });
    }
    const ranked = mixSimilar(scored, embedder ? w : { ...w, semantic: 0 }).slice(0, n);
    return ranked.map((h) => ({ paper: papers.get(h.id)!, score: h.score }));
  }

  /** Visible papers whose titles share the most words with `title`, best first (for matching imported references). */
  async byTitle(title: string, limit = 3): Promise<PaperWithStats[]> {
    const q = parseQuery('');
    q.terms = [...new Set(words(title).filter((w) => !STOPWORDS.has(w) && w.length > 1))].slice(0, 24);
    if (!q.terms.length) return [];
    await this.keywordCatchUpBounded();
    const hits = await this.opts.engine.search(q, { limit, sort: 'relevance' });
    const papers = await this.store.papers.getMany(hits.map((h) => h.id));
    return papers.filter((p) => !p.hidden && !p.deleted);
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
  ): Promise<{ fullText: number; embedded: number; vectors: number }> {
    let fullText = 0;
    if (opts.fullText !== false) {
      opts.onPhase?.('full-text', 0, 1);
      fullText = await this.rebuildFullText();
      opts.onPhase?.('full-text', fullText, fullText);
    }
    const embedder = await this.embedder();
    if (!embedder) return { fullText, embedded: 0, vectors: 0 };
    if (opts.reembed) {
      await this.store.search.deleteEmbeddings(embedder.id);
      await this.store.embeddingSpaces.ensure(embedder.id, embedder.dimensions, this.opts.embedderSource ?? {});
      this.spaces.invalidate();
    }
    // The graph is rebuilt from the vectors still valid first, and the new vectors go straight into
    // it as they are embedded: rebuilding it again afterwards inserted every vector twice.
    const ann = await this.vectorIndex({ embedderId: embedder.id, dimensions: embedder.dimensions }, { rebuild: true });
    const embedded = await this.embedPending((done, total) => opts.onPhase?.('embed', done, total), { batch: REINDEX_BATCH, threads: opts.threads ?? defaultEmbedThreads() });
    return { fullText, embedded, vectors: ann.size };
  }

  /** Rebuilds the keyword index from the store; returns the papers indexed. */
  rebuildFullText(): Promise<number> {
    return this.opts.engine.rebuild();
  }

  /**
   * Embeds, in the background, the papers the configured embedder has no vector for (all of them
   * after a model switch): in batches, yielding between them, recording progress in its space;
   * stops early when `signal` aborts. The re-embed job runs it under its lease.
   */
  async embedInBackground(opts: { signal?: AbortSignal; onProgress?: (p: EmbedRun) => void; batch?: number; threads?: number } = {}): Promise<EmbedRun | null> {
    const embedder = await this.embedder();
    if (!embedder) return null;
    // Its ANN index is loaded (or rebuilt from the stored vectors) first, so new vectors join it.
    const ann = await this.vectorIndexNow(embedder);
    // Bulk work (reindex) embeds on worker threads while this thread stores vectors and fills the graph.
    const bulk = opts.threads && hasTermVectors(embedder) ? new LocalEmbedderThreads(embedder, opts.threads) : null;
    let run: EmbedRun;
    try {
      run = await embedAll(this.store, bulk ?? embedder, {
        batch: opts.batch ?? EMBED_BATCH,
        signal: opts.signal,
        onProgress: opts.onProgress,
        logger: this.opts.logger,
        save: (rows, now) => ann.upsert(rows, now),
      });
    } finally {
      await bulk?.close();
    }
    if (run.embedded) ann.save();
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
   */
  keepInStep(everyMs = 60_000): () => Promise<void> {
    let running: Promise<void> | undefined;
    let first = true;
    this.indexState = 'building';
    const holder = `search:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
    const tick = () => (running ??= catchUp().finally(() => (running = undefined)));
    const catchUp = async () => {
      try {
        if (first) {
          // Build the in-memory index now, while /readyz says "building", not on a reader's first search.
          await this.opts.engine.warm?.();
          this.indexState = 'ready';
          first = false;
        }
        const fullText = await this.keywordCatchUp();
        // What the cheap catch-up before each search cannot see: other processes' changes.
        await this.opts.engine.refresh?.();
        // The serving space's ANN index is built here, not on a reader's first search (after a
        // model switch it is not the space being embedded).
        const serving = await this.spaces.serving();
        if (serving) await this.vectorIndex(serving);
        // One process embeds at a time (the lease); the others pick the vectors up from the store.
        // A whole new space (a model switch) is left to the re-embed job, whose lease is renewed.
        const target = await this.embedder();
        let embedded = 0;
        if ((!serving || serving.embedderId === target?.id) && (await this.store.leases.acquire(EMBED_LEASE, holder, 30 * 60_000))) {
          try {
            embedded = await this.embedPending();
          } finally {
            await this.store.leases.release(EMBED_LEASE, holder);
          }
        }
        if (fullText || embedded) this.opts.logger?.info({ fullText, embedded }, 'search indexes caught up');
      } catch (err) {
        this.opts.logger?.warn({ err: (err as Error).message }, 'search catch-up failed; will retry');
      }
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

  /** Saves the ANN index (SQLite: beside the database file). */
  async close(): Promise<void> {
    for (const ann of this.anns.values()) ann.index.save();
  }

  // --- internals ------------------------------------------------------------------------------

  private keywordCatchUp(): Promise<number> {
    // Concurrent searches share one catch-up run instead of each draining the queue.
    this.catchingUp ??= this.opts.engine.catchUp().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  /**
   * Before a search: index what changed, but wait at most `catchUpBudgetMs` — after a large import
   * nobody imported through `catchUp`, the rest continues in the background and later searches see it.
   */
  private async keywordCatchUpBounded(): Promise<void> {
    const run = this.keywordCatchUp().catch((err) => {
      this.opts.logger?.warn({ err: (err as Error).message }, 'full-text catch-up failed');
      return 0;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run, new Promise<void>((r) => (timer = setTimeout(r, this.opts.catchUpBudgetMs ?? 1000)))]);
    clearTimeout(timer);
  }

  private async embedPending(onProgress?: (done: number, total: number) => void, bulk?: { batch: number; threads: number }): Promise<number> {
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
  private async vectorIndex(space: { embedderId: string; dimensions: number }, opts: { rebuild?: boolean } = {}): Promise<VectorIndex> {
    let ann = this.anns.get(space.embedderId);
    if (!ann || opts.rebuild) {
      const index = new VectorIndex(space.embedderId, space.dimensions, this.opts.indexFile?.(space.embedderId));
      ann = { index, checkedAt: 0, ready: this.prepareIndex(index, space.embedderId, opts.rebuild ?? false) };
      this.anns.set(space.embedderId, ann);
    }
    await ann.ready;
    if (Date.now() - ann.checkedAt >= (this.opts.annRefreshMs ?? 2000)) {
      ann.checkedAt = Date.now();
      const since = ann.index.meta.newest;
      if (since) {
        const fresh = await this.store.search.embeddingsSince(space.embedderId, since, 100_000);
        for (const f of fresh) ann.index.upsert([f], f.embeddedAt);
      }
    }
    return ann.index;
  }

  private async prepareIndex(index: VectorIndex, embedderId: string, rebuild: boolean): Promise<void> {
    const stats = await this.store.search.embeddingStats(embedderId);
    if (!rebuild && index.load() && index.meta.newest === stats.newest && index.size === stats.count) return;
    index.clear();
    let after = -1;
    for (;;) {
      const page = await this.store.search.embeddingsPage(embedderId, after, 2000);
      if (!page.length) break;
      index.upsert(page, undefined);
      after = page[page.length - 1].key;
    }
    index.meta.newest = stats.newest;
    index.save();
    if (index.size) this.opts.logger?.info({ embedder: embedderId, vectors: index.size }, 'ANN index rebuilt from stored vectors');
  }

  /** The space to search, with a model for the query, by `deadline`; null (logged) means keyword only. */
  private async servingForQuery(deadline: number): Promise<ServingSpace | null> {
    const serving = await withinBudget(this.spaces.serving(), deadline);
    if (serving === 'late') this.fallbacks.note('the embedder did not open within the search budget');
    if (serving === 'late' || !serving?.embedder) return null;
    return serving;
  }

  /**
   * Vector hits for a text, filtered like keyword hits; null (logged) when the query cannot be
   * embedded by `deadline` or the embedder fails or answers garbage.
   */
  private async vectorSearch(space: ServingSpace, text: string, k: number, f: VectorFilters, deadline: number): Promise<RankedHit[] | null> {
    if (!space.embedder || !text.trim()) return null;
    const controller = new AbortController();
    const embedding = space.embedder.embed([text], { signal: controller.signal }).then((vs) => {
      if (vs.length !== 1 || vs[0].length !== space.dimensions || !vs[0].every(Number.isFinite)) throw new Error(`the embedder answered ${vs.length} vectors of ${vs[0]?.length ?? 0} dimensions for one query in a ${space.dimensions}-dimension space`);
      return vs[0];
    });
    let vector: Float32Array | 'late';
    try {
      vector = await withinBudget(embedding, deadline);
    } catch (err) {
      this.fallbacks.note((err as Error).message);
      return null;
    }
    if (vector === 'late') {
      controller.abort(new Error('over the search budget'));
      embedding.catch(() => {});
      this.fallbacks.note(`the query was not embedded within the search budget (${this.opts.embedBudgetMs ?? 1500} ms)`);
      return null;
    }
    const ann = await withinBudget(this.vectorIndex(space), deadline);
    if (ann === 'late') {
      this.fallbacks.note('the ANN index is still being built from the stored vectors');
      return null;
    }
    return this.keysToHits(space.embedderId, ann.search(vector, k), f);
  }

  private async vectorNeighbours(paper: PaperWithStats, k: number): Promise<RankedHit[] | null> {
    const space = await withinBudget(this.spaces.serving(), Date.now() + (this.opts.embedBudgetMs ?? 1500));
    if (!space || space === 'late') return null;
    let vector = await this.store.search.embeddingOf(space.embedderId, paper.id);
    if (!vector && space.embedder) {
      vector = await withinBudget(space.embedder.embed([paperText(paper)]).then((vs) => vs[0]), Date.now() + (this.opts.embedBudgetMs ?? 1500))
        .then((v) => (v === 'late' ? null : v))
        .catch((err) => (this.fallbacks.note((err as Error).message), null));
    }
    if (!vector || vector.length !== space.dimensions) return null;
    const ann = await this.vectorIndex(space);
    return this.keysToHits(space.embedderId, ann.search(vector, k), { categories: [] });
  }

  private async keysToHits(embedderId: string, matches: { key: number; similarity: number }[], f: VectorFilters): Promise<RankedHit[]> {
    const ids = await this.store.search.paperIdsForKeys(embedderId, matches.map((m) => m.key));
    const hits = matches.flatMap((m) => (ids.has(m.key) ? [{ id: ids.get(m.key)!, score: m.similarity }] : []));
    const papers = new Map((await this.store.papers.visibleMany(hits.map((h) => h.id))).map((p) => [p.id, p]));
    return hits.filter((h) => {
      const p = papers.get(h.id);
      if (!p) return false;
      const day = p.publishedAt?.slice(0, 10) ?? '';
      if (f.from && day < f.from) return false;
      if (f.to && (!day || day > f.to)) return false;
      if (f.categories.length && !p.categories.some((c) => f.categories.some((w) => w.toLowerCase() === c.toLowerCase()))) return false;
      return true;
    });
  }

  private async load(hits: RankedHit[], q: ParsedQuery): Promise<SearchResult[]> {
    const papers = new Map((await this.store.papers.visibleMany(hits.map((h) => h.id))).map((p) => [p.id, p]));
    return hits.flatMap((h) => {
      const p = papers.get(h.id);
      return p ? [this.present(p, h.score, q)] : [];
    });
  }

  private present(p: PaperWithStats, score: number, q: ParsedQuery): SearchResult {
    const stems = queryStems(q);
    return { paper: p, score, title: segments(p.title, highlightRanges(p.title, stems)), summary: snippet(p.abstract, highlightRanges(p.abstract, stems)) };
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length && i < b.length; i++) s += a[i] * b[i];
  return s;
}

export function clampLimit(limit: number | undefined, fallback: number = SEARCH_LIMITS.default): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(SEARCH_LIMITS.max, Math.floor(limit)));
}
