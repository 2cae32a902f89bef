import type { ParsedQuery, SearchSort } from '../domain/search-query.ts';
import type { AnalysedTexts } from './tokenize.ts';

/**
 * The keyword half of search. Two implementations share this contract: the store's own full-text
 * index (SQLite FTS5 / PostgreSQL tsvector, `store-keyword-engine.ts`) and the in-memory pruned
 * BM25 index (`inverted-index.ts`). Both are rebuilt from the store, which stays the source of truth.
 *
 * Semantics every engine must keep (the contract suite tests/helpers/keyword-engine-contract.ts,
 * run for both engines on both stores by tests/search/keyword-engine.contract.test.ts, checks them):
 * - `q.terms`: ranked words; a paper matches when it has ANY of them (OR), better when more match.
 *   When there are no terms and no phrases, the engine returns [] (the service decides what an
 *   empty query means).
 * - `q.phrases`: every phrase must occur, words adjacent and in order (AND).
 * - `q.excluded`: a paper containing any excluded word or phrase is left out.
 * - `q.authors`: every given name must occur in the authors (case-insensitive word match).
 * - `opts.category`/`q.categories`: the paper has that category (any of its categories).
 * - `opts.from`/`opts.to` (YYYY-MM-DD, inclusive) on `publishedAt`.
 * - withdrawn (`deleted`) and hidden papers are never returned.
 * - `sort`: `relevance` (score desc), `date` (publishedAt desc, undated last), `upvotes` (upvotes
 *   desc, then score); `score` is always the engine's relevance score, higher is better.
 * - `limit`/`offset`: a page of that one order; pages neither overlap nor skip.
 * - query text is words only: FTS syntax, quotes, NUL and control bytes never reach SQL as syntax
 *   and never make an engine throw.
 * - the text of a paper's first PDF pages (kept by the enrichment `pdf` step) is a field of low
 *   weight for `q.terms`: a word only there finds the paper, below papers with it in their title;
 *   phrases, `author:` and exclusions look at title, abstract and authors only. Text that arrives
 *   or changes is indexed by `catchUp` like an edit (the paper's entry, no rebuild).
 */
export interface KeywordSearchOptions {
  limit: number;
  /** Hits to skip first (paging): `offset` 20 with `limit` 20 is the second page of 20, in the same order. */
  offset?: number;
  /** Inclusive YYYY-MM-DD bounds on the publication date. */
  from?: string;
  to?: string;
  /** arXiv category, e.g. `cs.LG`; added to `q.categories`. */
  category?: string;
  sort: SearchSort;
}

export interface KeywordHit {
  id: string;
  /** Relevance, higher is better; only comparable within one result list. */
  score: number;
}

/** How many papers match: `exact`, or an estimate (a sample) or a floor (`capped`: at least this many). */
export interface MatchCount {
  total: number;
  exact: boolean;
}

export interface RebuildOptions {
  /** The store's own full-text index: rebuilt from scratch (the default), or only caught up. */
  storeIndex?: 'rebuild' | 'catch-up';
  /**
   * Keep each paper's analysed title and abstract (`takeAnalysis`) for the embedding that follows
   * (`paperboy reindex`), so the offline embedder does not analyse every text a second time.
   */
  keepAnalysis?: boolean;
}

export interface KeywordEngine {
  /** Short name for logs and benchmarks (`fts5`, `tsvector`, `bm25-maxscore`). */
  readonly name: string;
  search(q: ParsedQuery, opts: KeywordSearchOptions): Promise<KeywordHit[]>;
  /**
   * The most any paper could score for `q` in `search`'s units (optional: the in-memory BM25 index
   * has each word's largest impact; the store's FTS5 / tsvector ranking has no such bound, and
   * hybrid search then keeps the fixed fusion). Undefined when unknown.
   */
  scoreCeiling?(q: ParsedQuery, opts: KeywordSearchOptions): Promise<number | undefined>;
  /** How many papers `search` would match with no limit (optional; cheap: counts, no ranking). */
  count?(q: ParsedQuery, opts: Omit<KeywordSearchOptions, 'limit' | 'sort'>): Promise<MatchCount>;
  /** Spelling corrections for rare or unknown query words, from the indexed vocabulary (optional). */
  corrections?(words: string[]): Promise<Map<string, string>>;
  /**
   * Brings the index in step with the store's papers (those modified since the last call) and
   * returns how many papers it (re)indexed. Cheap when nothing changed; the search service calls it
   * after imports and harvests and before searching.
   */
  catchUp(): Promise<number>;
  /** `catchUp`, returning the ids of the papers it (re)indexed (optional: the store's engine has it). */
  catchUpChanged?(): Promise<string[]>;
  /**
   * A fuller pass than `catchUp` for what it cannot see cheaply, e.g. papers other processes
   * changed (optional; the search service runs it on its background timer, not before searches).
   */
  refresh?(): Promise<number>;
  /** Loads what the engine keeps in memory, so the first search does not pay for it (optional). */
  warm?(): Promise<void>;
  /**
   * Drops and rebuilds the whole index from the store (`paperboy reindex`); returns the papers it
   * holds. `storeIndex: 'catch-up'` only brings the store's own full-text index (FTS5 / tsvector)
   * in step instead of rebuilding it: imports and harvests keep it current, and rebuilding it cost a
   * reindex of 75k papers 9 s of CPU, half an import.
   */
  rebuild(opts?: RebuildOptions): Promise<number>;
  /** The analysis the last `rebuild` with `keepAnalysis` kept, handed over once (optional: the in-memory engine has it). */
  takeAnalysis?(): AnalysedTexts | null;
}

/**
 * Highlights are computed outside the engines, from the query and the paper's text, by
 * `highlight.ts` (`highlightRanges`, `markHtml`, `highlightSegments`), so every engine returns the
 * same marks.
 */
export type { HighlightRange, HighlightSegment } from './highlight.ts';
