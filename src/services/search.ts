import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import type { Embedder } from '../search/embedder.ts';
import type { KeywordEngine, MatchCount } from '../search/keyword-engine.ts';
import { COUNT_CAP } from '../search/store-keyword-engine.ts';
import { DEFAULT_FUSION, SIMILAR_FUSION, fuse, type FusionWeights, type RankedHit } from '../search/fusion.ts';
import { hasTextConstraint, parseQuery, STOPWORDS, words, type ParsedQuery, type SearchSort } from '../search/query.ts';
import { highlightRanges, queryStems, segments, snippet, type HighlightSegment } from '../search/highlight.ts';
import { VectorIndex, vectorKey } from '../search/vector-index.ts';

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
  /** Opens the embedder on first use; null means keyword search only. */
  embedder: () => Promise<Embedder | null>;
  fusion?: FusionWeights;
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

/** `data/paperboy.db` → `data/paperboy.db.<embedder>.usearch`. */
export function annFileBeside(sqlitePath: string | undefined) {
  return (embedderId: string) => (sqlitePath ? path.join(path.dirname(sqlitePath), `${path.basename(sqlitePath)}.${embedderId.replace(/[^A-Za-z0-9._-]+/g, '_')}.usearch`) : undefined);
}

/** The text a paper is embedded from. */
export function paperText(p: { title: string; abstract: string }): string {
  return `${p.title}. ${p.abstract}`;
}

/**
 * Search over the store: keyword (the engine), semantic (embedder + ANN index) and their fusion,
 * similar papers, and keeping the indexes in step with imports and harvests (`catchUp`).
 */
export class SearchService {
  private readonly fusion: FusionWeights;
  private embedderPromise?: Promise<Embedder | null>;
  private ann?: { embedderId: string; index: VectorIndex; checkedAt: number };
  private annReady?: Promise<void>;
  private catchingUp?: Promise<number>;

  constructor(
    private readonly store: Store,
    private readonly opts: SearchServiceOptions,
  ) {
    this.fusion = opts.fusion ?? DEFAULT_FUSION;
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

  /** The embedder, or null when semantic search is off or its server is unusable (logged once). */
  embedder(): Promise<Embedder | null> {
    this.embedderPromise ??= this.opts.embedder().catch((err) => {
      this.opts.logger?.warn({ err: (err as Error).message }, 'embedder unavailable: keyword search only');
      return null;
    });
    return this.embedderPromise;
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
      const paper = await this.store.papers.get(q.paperId);
      const visible = paper && !paper.hidden ? [paper] : [];
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
    const keywordOnly = wanted === 'keyword' || !vectorAllowed || (wanted === 'hybrid' && this.fusion.vector <= 0) || !(await this.embedder());
    if (keywordOnly) {
      const hits = await this.opts.engine.search(q, filters);
      return { query: q, results: await this.load(hits, q), mode: 'keyword' };
    }
    const candidates = Math.max(limit, this.fusion.candidates);
    const [keyword, vector] = await Promise.all([
      wanted === 'vector' ? Promise.resolve([]) : this.opts.engine.search(q, { ...filters, limit: candidates }),
      this.vectorSearch(q.terms.join(' '), candidates, { from: filters.from, to: filters.to, categories: [...q.categories, ...(filters.category ? [filters.category] : [])] }),
    ]);
    if (vector === null) return { query: q, results: await this.load(keyword.slice(0, limit), q), mode: 'keyword' };
    // Fuse as many candidates as were asked for: a page larger than `fusion.candidates` must not come back short.
    const ranked = wanted === 'vector' ? vector : fuse(keyword, vector, { ...this.fusion, candidates });
    return { query: q, results: await this.load(ranked.slice(0, limit), q), mode: wanted };
  }

  /** Papers like the given one: its vector neighbours fused with keyword neighbours of its title. Null when there is no such paper. */
  async similar(id: string, limit = 10): Promise<SimilarResult[] | null> {
    const paper = await this.store.papers.get(id);
    if (!paper) return null;
    const n = clampLimit(limit, 10);
    await this.keywordCatchUpBounded();
    const titleWords = [...new Set(words(paper.title).filter((w) => !STOPWORDS.has(w) && w.length > 1))].slice(0, 24);
    const q = parseQuery('');
    q.terms = titleWords;
    const candidates = Math.max(n + 1, SIMILAR_FUSION.candidates);
    const [keyword, vector] = await Promise.all([
      titleWords.length ? this.opts.engine.search(q, { limit: candidates, sort: 'relevance' }) : Promise.resolve([]),
      this.vectorNeighbours(paper, candidates),
    ]);
    const others = (hits: RankedHit[]) => hits.filter((h) => h.id !== paper.id);
    const ranked = fuse(others(keyword), others(vector ?? []), SIMILAR_FUSION).slice(0, n);
    const papers = await this.store.papers.getMany(ranked.map((h) => h.id));
    const score = new Map(ranked.map((h) => [h.id, h.score]));
    return papers.filter((p) => !p.hidden && !p.deleted).map((p) => ({ paper: p, score: score.get(p.id) ?? 0 }));
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

  /** Rebuilds everything from the store: full-text index, every vector of the current embedder, the ANN index. */
  async reindex(opts: { reembed?: boolean; onProgress?: (done: number, total: number) => void } = {}): Promise<{ fullText: number; embedded: number; vectors: number }> {
    const fullText = await this.opts.engine.rebuild();
    const embedder = await this.embedder();
    if (!embedder) return { fullText, embedded: 0, vectors: 0 };
    if (opts.reembed) await this.store.search.deleteEmbeddings(embedder.id);
    const embedded = await this.embedPending(opts.onProgress);
    const ann = await this.vectorIndex(embedder, { rebuild: true });
    return { fullText, embedded, vectors: ann.size };
  }

  /**
   * Catches up now (a new process builds its ANN index from the store, embeds papers imported while
   * it was down) and then every `everyMs`, in the background; returns the function that stops it.
   */
  keepInStep(everyMs = 60_000): () => void {
    let running = false;
    let first = true;
    this.indexState = 'building';
    const holder = `search:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
    const tick = async () => {
      if (running) return;
      running = true;
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
        // One process embeds at a time (the lease); the others pick the vectors up from the store.
        let embedded = 0;
        if (await this.store.leases.acquire('search-embed', holder, 30 * 60_000)) {
          try {
            embedded = await this.embedPending();
          } finally {
            await this.store.leases.release('search-embed', holder);
          }
        } else {
          const embedder = await this.embedder();
          if (embedder) await this.vectorIndex(embedder);
        }
        if (fullText || embedded) this.opts.logger?.info({ fullText, embedded }, 'search indexes caught up');
      } catch (err) {
        this.opts.logger?.warn({ err: (err as Error).message }, 'search catch-up failed; will retry');
      } finally {
        running = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Saves the ANN index (SQLite: beside the database file). */
  async close(): Promise<void> {
    if (this.ann) this.ann.index.save();
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

  private async embedPending(onProgress?: (done: number, total: number) => void): Promise<number> {
    const embedder = await this.embedder();
    if (!embedder) return 0;
    const ann = await this.vectorIndex(embedder);
    const total = await this.store.search.countToEmbed(embedder.id);
    if (!total) return 0;
    let done = 0;
    for (;;) {
      const batch = await this.store.search.papersToEmbed(embedder.id, EMBED_BATCH);
      if (!batch.length) break;
      const vectors = await embedder.embed(batch.map(paperText));
      const now = new Date().toISOString();
      const rows = batch.map((p, i) => ({ paperId: p.id, key: vectorKey(p.id), vector: vectors[i], contentHash: p.contentHash }));
      await this.store.search.saveEmbeddings(embedder.id, rows, now);
      ann.upsert(rows, now);
      done += batch.length;
      onProgress?.(done, total);
      if (batch.length < EMBED_BATCH) break;
    }
    ann.save();
    return done;
  }

  /**
   * The ANN index for `embedder`: loaded from its file when that matches the store, else rebuilt
   * from the stored vectors; then topped up with vectors other processes stored since.
   */
  private async vectorIndex(embedder: Embedder, opts: { rebuild?: boolean } = {}): Promise<VectorIndex> {
    if (this.ann?.embedderId !== embedder.id || opts.rebuild) {
      const index = new VectorIndex(embedder.id, embedder.dimensions, this.opts.indexFile?.(embedder.id));
      this.ann = { embedderId: embedder.id, index, checkedAt: 0 };
      this.annReady = this.prepareIndex(index, embedder.id, opts.rebuild ?? false);
    }
    await this.annReady;
    const ann = this.ann;
    if (Date.now() - ann.checkedAt >= (this.opts.annRefreshMs ?? 2000)) {
      ann.checkedAt = Date.now();
      const since = ann.index.meta.newest;
      if (since) {
        const fresh = await this.store.search.embeddingsSince(embedder.id, since, 100_000);
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
    this.opts.logger?.info({ embedder: embedderId, vectors: index.size }, 'ANN index rebuilt from stored vectors');
  }

  /** Vector hits for a text, filtered like keyword hits; null when there is no embedder. */
  private async vectorSearch(text: string, k: number, f: VectorFilters): Promise<RankedHit[] | null> {
    const embedder = await this.embedder();
    if (!embedder || !text.trim()) return null;
    const [vector] = await embedder.embed([text]);
    const ann = await this.vectorIndex(embedder);
    return this.keysToHits(embedder.id, ann.search(vector, k), f);
  }

  private async vectorNeighbours(paper: PaperWithStats, k: number): Promise<RankedHit[] | null> {
    const embedder = await this.embedder();
    if (!embedder) return null;
    const vector = (await this.store.search.embeddingOf(embedder.id, paper.id)) ?? (await embedder.embed([paperText(paper)]))[0];
    const ann = await this.vectorIndex(embedder);
    return this.keysToHits(embedder.id, ann.search(vector, k), { categories: [] });
  }

  private async keysToHits(embedderId: string, matches: { key: number; similarity: number }[], f: VectorFilters): Promise<RankedHit[]> {
    const ids = await this.store.search.paperIdsForKeys(embedderId, matches.map((m) => m.key));
    const hits = matches.flatMap((m) => (ids.has(m.key) ? [{ id: ids.get(m.key)!, score: m.similarity }] : []));
    const papers = new Map((await this.store.papers.getMany(hits.map((h) => h.id))).map((p) => [p.id, p]));
    return hits.filter((h) => {
      const p = papers.get(h.id);
      if (!p || p.hidden || p.deleted) return false;
      const day = p.publishedAt?.slice(0, 10) ?? '';
      if (f.from && day < f.from) return false;
      if (f.to && (!day || day > f.to)) return false;
      if (f.categories.length && !p.categories.some((c) => f.categories.some((w) => w.toLowerCase() === c.toLowerCase()))) return false;
      return true;
    });
  }

  private async load(hits: RankedHit[], q: ParsedQuery): Promise<SearchResult[]> {
    const papers = new Map((await this.store.papers.getMany(hits.map((h) => h.id))).map((p) => [p.id, p]));
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

export function clampLimit(limit: number | undefined, fallback: number = SEARCH_LIMITS.default): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(SEARCH_LIMITS.max, Math.floor(limit)));
}
