import { nextSlice } from '../slices.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../logger.ts';
import type { Embedder } from '../search/embedder.ts';
import type { KeywordSearchOptions, MatchCount } from '../search/keyword-engine.ts';
import { COUNT_CAP } from '../search/store-keyword-engine.ts';
import { isRefinedModelId } from '../search/local-embedder-refine.ts';
import { DEFAULT_FUSION, REFINED_FUSION, SIMILAR_WEIGHTS, fuse, mixSimilar, type FusionWeights, type RankedHit, type SimilarWeights } from '../search/fusion.ts';
import { hasTermVectors, termCosine, termVectorFromBytes, type TermVector } from '../search/local-embedder.ts';
import { hasTextConstraint, parseQuery, STOPWORDS, words } from '../search/query.ts';
import { searchFilters, type ParsedQuery, type SearchFilters, type SearchSort } from '../domain/search-query.ts';
import { highlightRanges, pdfTextSnippet, queryStems, segments, snippet, type HighlightSegment } from '../search/highlight.ts';
import type { ServingSpace } from './embedding-spaces.ts';
import { paperText, QueryFallbackLog, withinBudget } from './embedding-runs.ts';
import { SearchIndexService, type SearchIndexOptions } from './search-index.ts';
import type { SearchExperiment } from './search-experiment.ts';

export type SearchMode = 'hybrid' | 'keyword' | 'vector';

export interface SearchInput {
  q: string;
  limit?: number;
  /** Results to skip (paging): the engines and the store skip them, in the same order as page one. */
  offset?: number;
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
  /**
   * When the words matched neither the title, the abstract nor the authors but the PDF's first
   * pages (the low-weight `pdfText` field): a short snippet of that text around them, so the reader
   * sees why the paper is there.
   */
  pdfText?: HighlightSegment[];
}

export interface SearchResponse {
  query: ParsedQuery;
  /** Set when the query was an arXiv id or URL of a stored paper: go straight to it. */
  paperId?: string;
  results: SearchResult[];
  /** Whether there are results after this page. */
  hasMore: boolean;
  /** What actually ranked the results. */
  mode: SearchMode;
  /** Set when the embedder failed or was late and keyword results stand in: not an answer to keep. */
  degraded?: true;
  /** With `extras`: how many papers match the words and filters (keyword matches; exact or an estimate). */
  total?: MatchCount;
  /** With `extras`: the query with rare or unknown words corrected from the corpus's vocabulary. */
  didYouMean?: string;
}

/** How many of a paper's best similar papers are stored (`paper_similar_lists`): pages ask 5, the API 10 by default. */
export const SIMILAR_LIST_SIZE = 20;

/**
 * A background list's term-vector analyses per turn of the event loop (candidates whose stored term
 * vector is missing or of an older text, analysed from their text: ~0.1–0.2 ms each at the real
 * corpus' lengths, and after a harvest a third of a list's ~290 candidates). A page ranks its
 * candidates in one go (its reader waits for the answer either way).
 */
export const SIMILAR_TEXTS_PER_TURN = 16;

/** What ranking similar papers reads: the store's, or the same reads answered from memory for a whole-corpus pass (`MemorySimilarReads`). */
export type SimilarReads = Pick<Store['search'], 'embeddingOf' | 'paperIdsForKeys' | 'similarCandidates' | 'embeddingsOf'>;

export interface SimilarResult {
  paper: PaperWithStats;
  score: number;
}

export interface SearchQueryOptions {
  /** How long a search waits for its query's vector before answering with keyword results; default 1500. */
  embedBudgetMs?: number;
  fusion?: FusionWeights;
  /** How similar papers mix word and embedding similarity; default `SIMILAR_WEIGHTS`. */
  similar?: SimilarWeights;
  logger?: Logger;
}

/** Both services' options: what `openSearch` takes. */
export type SearchServiceOptions = SearchIndexOptions & SearchQueryOptions;

/** Page size (`default`, `max`) and how deep paging goes (`maxOffset`: the in-memory index ranks every hit before the page). */
export const SEARCH_LIMITS = { default: 20, max: 120, maxOffset: 1000 } as const;

/**
 * The querying and the indexing service over one store and engine (what `createServices` wires).
 * `experiment` swaps ranking steps for a benchmark (`SearchExperiment`); the server passes none.
 */
export function openSearch(store: Store, opts: SearchServiceOptions, experiment: SearchExperiment = {}): { search: SearchService; index: SearchIndexService } {
  const index = new SearchIndexService(store, opts);
  return { search: new SearchService(store, index, opts, experiment), index };
}

/**
 * Search over the store: keyword (the engine), semantic (embedder + ANN index) and their fusion,
 * similar papers. The indexes it reads are kept by `SearchIndexService`.
 */
export class SearchService {
  private readonly fusion: FusionWeights;
  private readonly fallbacks: QueryFallbackLog;

  constructor(
    private readonly store: Store,
    private readonly index: SearchIndexService,
    private readonly opts: SearchQueryOptions = {},
    private readonly experiment: SearchExperiment = {},
  ) {
    this.fusion = opts.fusion ?? DEFAULT_FUSION;
    this.fallbacks = new QueryFallbackLog(opts.logger);
  }

  /**
   * The fusion for a serving space: as configured (`opts.fusion`), else the adaptive one for a
   * contrastively refined offline model (measured to help with it, held out) and the fixed one for
   * every other model.
   */
  private fusionFor(embedderId: string): FusionWeights {
    if (this.opts.fusion) return this.opts.fusion;
    return isRefinedModelId(embedderId) ? REFINED_FUSION : DEFAULT_FUSION;
  }

  /** The configured embedder, or null when semantic search is off or its server is unusable (logged; tried again later). */
  private embedder(): Promise<Embedder | null> {
    return this.index.embedder();
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
    const f = searchFilters(q, input);
    if (!hasTextConstraint(q)) {
      if (!f.categories.length && !f.from && !f.to) return undefined;
      const n = await this.store.search.browseCount(q, f, COUNT_CAP);
      return { total: n, exact: n < COUNT_CAP };
    }
    return this.index.engine.count?.(q, { from: f.from, to: f.to, category: input.category });
  }

  /** The raw query with each corrected word replaced (case-insensitive, whole words); undefined when nothing needs correcting. */
  private async correct(q: ParsedQuery): Promise<string | undefined> {
    if (!q.terms.length || !this.index.engine.corrections) return undefined;
    const fixes = await this.index.engine.corrections(q.terms);
    if (!fixes.size) return undefined;
    let out = q.raw;
    for (const [wrong, right] of fixes) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${wrong}(?![\\p{L}\\p{N}])`, 'giu'), right);
    return out === q.raw ? undefined : out;
  }

  private async rank(input: SearchInput, q: ParsedQuery): Promise<SearchResponse> {
    const limit = clampLimit(input.limit);
    const offset = clampOffset(input.offset);
    const sort = input.sort ?? q.sort ?? 'relevance';
    if (q.paperId) {
      const paper = offset ? null : await this.store.papers.visible(q.paperId);
      return { query: q, paperId: paper ? q.paperId : undefined, ...(await this.page(paper ? [{ id: paper.id, score: 1 }] : [], q, limit)), mode: 'keyword' };
    }
    await this.index.keywordCatchUpBounded();
    // One hit more than the page says whether there is a next one.
    const filters = { limit: limit + 1, offset, from: input.from ?? q.from, to: input.to ?? q.to, category: input.category, sort };
    const f = searchFilters(q, input);

    if (!hasTextConstraint(q)) {
      if (!f.categories.length && !f.from && !f.to) return { query: q, results: [], hasMore: false, mode: 'keyword' };
      const hits = await this.store.search.browse(q, f, sort, { limit: limit + 1, offset });
      return { query: q, ...(await this.page(hits, q, limit)), mode: 'keyword' };
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
    if (!serving || serving === 'late') {
      const hits = await this.index.engine.search(q, filters);
      return { query: q, ...(await this.page(hits, q, limit)), mode: 'keyword', ...(serving === 'late' ? { degraded: true as const } : {}) };
    }
    // Fusion ranks a pool from the top of both lists, the same pool for every page that fits in
    // `fusion.candidates` (so those pages neither overlap nor skip); deeper pages fuse a larger pool.
    const candidates = Math.max(offset + limit + 1, this.fusion.candidates);
    const pool = { ...filters, offset: 0, limit: candidates };
    const [keyword, vector] = await Promise.all([
      wanted === 'vector' ? this.index.engine.search(q, filters) : this.index.engine.search(q, pool).then((hits) => this.expand(q, hits, pool)),
      this.vectorSearch(serving, q.terms.join(' '), candidates, f, deadline),
    ]);
    if (vector === null) return { query: q, ...(await this.page(wanted === 'vector' ? keyword : keyword.slice(offset, offset + limit + 1), q, limit)), mode: 'keyword', degraded: true };
    const fusion = this.fusionFor(serving.embedderId);
    // The adaptive fusion needs the most the query's words could score (the in-memory index knows it; the store's engines do not).
    const ceiling = wanted !== 'vector' && fusion.adaptive ? await this.index.engine.scoreCeiling?.(q, pool) : undefined;
    let ranked: RankedHit[];
    if (wanted === 'vector') ranked = vector.hits;
    else {
      const weights = { ...fusion, candidates };
      const cosines = await this.exactCosines(serving.embedderId, vector.query, keyword.slice(0, candidates), vector.hits);
      ranked = fuse(keyword, vector.hits, weights, cosines, ceiling);
      if (this.experiment.rerank) ranked = await this.experiment.rerank({ q, keyword, vector: vector.hits, cosines, ceiling, weights, fused: ranked });
    }
    return { query: q, ...(await this.page(ranked.slice(offset, offset + limit + 1), q, limit, new Set(keyword.map((h) => h.id)))), mode: wanted };
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
    return this.index.engine.search(expanded, filters);
  }

  /**
   * Papers like the given one. Candidates: its vector neighbours and the keyword neighbours of its
   * most telling words (title and abstract). Each candidate gets both similarities to the paper — word
   * overlap (TF-IDF cosine when the embedder has term vectors, else BM25 ÷ the best hit) and
   * embedding cosine — and they are mixed by score, not by rank (`mixSimilar`): measured on CSFCube,
   * rank fusion of a title-only keyword list lost to plain TF-IDF. Null when there is no such paper.
   * `visible`: the paper itself when the caller has just read it as visible (one read fewer).
   */
  async similar(id: string, limit = 10, opts: { signal?: AbortSignal; visible?: PaperWithStats } = {}): Promise<SimilarResult[] | null> {
    const signal = opts.signal;
    // The paper page has just read the paper through the visible-paper rule: it passes it on.
    const paper = opts.visible?.id === id ? opts.visible : await this.store.papers.visible(id);
    signal?.throwIfAborted();
    if (!paper) return null;
    const n = clampLimit(limit, 10);
    // One space for the whole answer: its stored list, or its vectors, ANN index and model. Read
    // once, so that a model switch during the ranking never mixes two spaces in one list.
    const space = await this.similarSpace();
    // The list as computed by reindex or the background job, when there is one of the paper's
    // current text: two indexed reads instead of scoring ~280 candidates (BENCHMARKS "Load", round
    // 19). The visible-paper rule applies here, to the listed papers, as it does to live candidates.
    const stored = space && n <= SIMILAR_LIST_SIZE ? await this.store.similarLists.get(space.embedderId, paper.id) : null;
    if (stored?.list) {
      const papers = await this.visibleById(stored.list.slice(0, n).map((h) => h.id));
      let shown = stored.list.filter((h) => papers.has(h.id));
      if (shown.length < n && stored.list.length > n) {
        // Some of the first n are hidden now: the next ones stand in, as they would in a live ranking.
        for (const p of (await this.visibleById(stored.list.slice(n).map((h) => h.id))).values()) papers.set(p.id, p);
        shown = stored.list.filter((h) => papers.has(h.id));
      }
      // A full list with too few visible papers left: more candidates may exist, rank them live.
      if (shown.length >= n || stored.list.length < SIMILAR_LIST_SIZE) return shown.slice(0, n).map((h) => ({ paper: papers.get(h.id)!, score: h.score }));
    }
    signal?.throwIfAborted();
    const ranked = (await this.rankSimilar(paper, n, space, this.store.search, false, signal)).slice(0, n);
    const papers = await this.visibleById(ranked.map((h) => h.id));
    return ranked.flatMap((h) => { const p = papers.get(h.id); return p ? [{ paper: p, score: h.score }] : []; });
  }

  /**
   * The space similar papers rank in (the one search answers from, `EmbeddingSpaces.serving`), with
   * its model: a ranking or a batch of lists reads it once and uses it throughout. Null when there
   * is none or it is not chosen within the embedding budget (word similarity only).
   */
  async similarSpace(): Promise<ServingSpace | null> {
    const space = await withinBudget(this.index.spaces.serving(), Date.now() + (this.opts.embedBudgetMs ?? 1500));
    return space === 'late' ? null : space;
  }

  /**
   * Computes and stores the similar-papers lists of `ids` (visible papers with a vector in `space`,
   * which `similarSpace` gave), reading through `reads` (the store, or `MemorySimilarReads` for a
   * whole-corpus pass). Each list is the best SIMILAR_LIST_SIZE of the live ranking in `space`,
   * stored under it, under the content hash read before the paper's text. Returns how many lists
   * were written; 0 without a space.
   */
  async computeSimilarLists(ids: readonly string[], space: ServingSpace | null, reads: SimilarReads = this.store.search, opts: { signal?: AbortSignal; onList?: () => void } = {}): Promise<number> {
    if (!space || !ids.length) return 0;
    // One keyword catch-up for the batch, not one store read per list.
    await this.index.keywordCatchUpBounded();
    const hashes = await this.store.similarLists.contentHashes(ids);
    const papers = await this.visibleById([...hashes.keys()]);
    const rows: { paperId: string; contentHash: string; list: RankedHit[] }[] = [];
    // The batch's two reads (250 papers' rows) are a turn of their own, not the first list's.
    await nextSlice();
    for (const id of ids) {
      if (opts.signal?.aborted) break;
      const paper = papers.get(id);
      const hash = hashes.get(id);
      if (!paper || !hash) continue;
      rows.push({ paperId: id, contentHash: hash, list: (await this.rankSimilar(paper, SIMILAR_LIST_SIZE, space, reads, true)).slice(0, SIMILAR_LIST_SIZE) });
      opts.onList?.();
      // One list per turn of the event loop: on SQLite a list's reads are synchronous, and the
      // background job runs in a serving process (a chunk of 250 lists held it for seconds).
      await nextSlice();
    }
    await this.store.similarLists.save(space.embedderId, rows);
    return rows.length;
  }

  /**
   * Similar papers' ranking of every candidate, best first (ids and scores; not yet the shown
   * papers). Candidates: the paper's vector neighbours and the keyword neighbours of its
   * most telling words (title and abstract). Each candidate gets both similarities to the paper — word
   * overlap (TF-IDF cosine when the embedder has term vectors, else BM25 ÷ the best hit) and
   * embedding cosine — and they are mixed by score, not by rank (`mixSimilar`): measured on CSFCube,
   * rank fusion of a title-only keyword list lost to plain TF-IDF.
   *
   * `space`: the one space of the whole ranking — its ANN index and stored vectors for the
   * neighbours and cosines, its model for term vectors and for embedding a paper without a stored
   * vector (null: word similarity only). Never read again meanwhile: a model switch during the
   * ranking would mix two spaces' cosines in one list.
   *
   * `background`: a list the similar-lists job computes (`computeSimilarLists`, which catches the
   * keyword index up once for its batch). It runs in a serving process, where on SQLite every read
   * is synchronous: its stages back to back held the request thread 20–50 ms at 75k papers
   * (BENCHMARKS "Background jobs", round 22), so it hands the loop back between them — the vector
   * neighbours, the keyword neighbours, the candidates' read, their texts' read, every
   * SIMILAR_TEXTS_PER_TURN analyses, and the scoring. A page's ranking keeps its
   * one hand-back between the two halves: its reader waits for the whole answer anyway.
   */
  private async rankSimilar(paper: PaperWithStats, n: number, space: ServingSpace | null, reads: SimilarReads, background = false, signal?: AbortSignal): Promise<RankedHit[]> {
    const w = this.opts.similar ?? SIMILAR_WEIGHTS;
    const pause = background ? nextSlice : noPause;
    // A page that stopped waiting (`findSimilar`) aborts `signal`: the ranking stops at its next
    // await instead of spending the CPU and store reads of an answer nobody will show.
    if (!background) await this.index.keywordCatchUpBounded();
    signal?.throwIfAborted();
    const text = paperText(paper);
    const q = parseQuery('');
    q.terms = [...new Set(words(text).filter((x) => !STOPWORDS.has(x) && x.length > 1))].slice(0, 64);
    const candidates = Math.max(n + 1, w.candidates);
    const keywordNeighbours = () => (q.terms.length ? this.index.engine.search(q, { limit: candidates, sort: 'relevance' }) : Promise.resolve([]));
    const [keyword, vector] = background
      ? await (async () => {
          // In the background, each of the two searches in a turn of its own.
          const v = space ? await this.vectorNeighbours(paper, candidates, space, reads) : null;
          await nextSlice();
          return [await keywordNeighbours(), v] as const;
        })()
      : await Promise.all([keywordNeighbours(), space ? this.vectorNeighbours(paper, candidates, space, reads) : Promise.resolve(null)]);
    // The candidates' reads and scoring are the other half of a list's CPU: on SQLite the two
    // halves ran as one stretch of the request thread, 40–70 ms for a background list at 75k
    // papers (BENCHMARKS "Background jobs", round 21); a waiting request goes between them.
    await nextSlice();
    signal?.throwIfAborted();
    const ids = [...new Set([...keyword, ...(vector ?? [])].map((h) => h.id))].filter((x) => x !== paper.id);
    const cosine = new Map((vector ?? []).map((h) => [h.id, h.score]));
    const bm25 = new Map(keyword.map((h) => [h.id, h.score]));
    const bestBm25 = keyword.length ? Math.max(...keyword.map((h) => h.score)) : 1;
    const local = space?.embedder && hasTermVectors(space.embedder) ? space.embedder : null;
    // One read says which candidates readers may see and gives their term vectors as stored at
    // embedding time (null when missing or made from an older text); alongside, the stored vectors
    // of the keyword neighbours the vector search did not return, so they get their own cosine, not
    // a floor. Analysing every candidate's text here was most of a paper page's CPU (BENCHMARKS
    // "Load", rounds 17–18); full paper rows are now read for the shown papers only.
    const unscoredIds = ids.filter((cid) => !cosine.has(cid));
    const candidatesRead = () => reads.similarCandidates(local?.id ?? null, [paper.id, ...ids]);
    const vectorsRead = () => (space && unscoredIds.length ? reads.embeddingsOf(space.embedderId, [paper.id, ...unscoredIds]) : Promise.resolve(new Map<string, Float32Array>()));
    // In the background the two reads go in turns of their own: together 15–17 ms of a SQLite
    // serving process at 75k papers (~290 term vectors and ~150 vectors; BENCHMARKS round 22).
    const [visible, storedVectors] = background
      ? await (async () => {
          const v = await candidatesRead();
          await nextSlice();
          return [v, await vectorsRead()] as const;
        })()
      : await Promise.all([candidatesRead(), vectorsRead()]);
    signal?.throwIfAborted();
    await pause();
    const shown = ids.filter((cid) => visible.has(cid));
    const terms = new Map<string, TermVector>();
    const texts = new Map<string, PaperWithStats>();
    if (local) {
      for (const cid of [paper.id, ...shown]) {
        const b = visible.get(cid);
        const tv = b ? termVectorFromBytes(b) : null;
        if (tv) terms.set(cid, tv);
      }
      // Papers embedded before term vectors were stored, or whose text changed since: from their text, as before.
      const missing = shown.filter((cid) => !terms.has(cid));
      for (const p of missing.length ? await this.store.papers.visibleMany(missing) : []) texts.set(p.id, p);
      signal?.throwIfAborted();
      const analyse = [...(terms.has(paper.id) ? [] : [{ id: paper.id, text }]), ...[...texts.values()].map((p) => ({ id: p.id, text: paperText(p) }))];
      for (const [i, t] of analyse.entries()) {
        if (i % SIMILAR_TEXTS_PER_TURN === 0) await pause();
        terms.set(t.id, local.termVector(t.text));
      }
    }
    const ownTerms = terms.get(paper.id);
    const unscored = shown.some((cid) => !cosine.has(cid));
    await pause();
    const ownVector = storedVectors.get(paper.id) ?? (local && unscored ? local.embedOne(text) : null);
    const scored = [];
    for (const cid of shown) {
      if (local && !terms.has(cid)) continue; // hidden since the first read
      let semantic = cosine.get(cid) ?? NaN;
      if (Number.isNaN(semantic) && ownVector) {
        const t = texts.get(cid);
        const v = storedVectors.get(cid) ?? (local && t ? local.embedOne(paperText(t)) : null);
        if (v && v.length === ownVector.length) semantic = dot(v, ownVector);
      }
      const lexical = local && ownTerms ? termCosine(ownTerms, terms.get(cid)!) : (bm25.get(cid) ?? 0) / (bestBm25 || 1);
      scored.push({ id: cid, lexical, semantic });
    }
    return (this.experiment.similarMix ?? mixSimilar)(scored, space ? w : { ...w, semantic: 0 });
  }

  /** Visible papers whose titles share the most words with `title`, best first (for matching imported references). */
  async byTitle(title: string, limit = 3): Promise<PaperWithStats[]> {
    const q = parseQuery('');
    q.terms = [...new Set(words(title).filter((w) => !STOPWORDS.has(w) && w.length > 1))].slice(0, 24);
    if (!q.terms.length) return [];
    await this.index.keywordCatchUpBounded();
    const hits = await this.index.engine.search(q, { limit, sort: 'relevance' });
    const papers = await this.visibleById(hits.map((h) => h.id));
    return hits.flatMap((h) => papers.get(h.id) ?? []);
  }

  // --- internals ------------------------------------------------------------------------------

  /** The space to search, with a model for the query, by `deadline`; null means keyword only, 'late' (logged) that the embedder did not open in time. */
  private async servingForQuery(deadline: number): Promise<ServingSpace | null | 'late'> {
    const serving = await withinBudget(this.index.spaces.serving(), deadline);
    if (serving === 'late') {
      this.fallbacks.note('the embedder did not open within the search budget');
      return 'late';
    }
    return serving?.embedder ? serving : null;
  }

  /**
   * Vector hits for a text, filtered like keyword hits; null (logged) when the query cannot be
   * embedded by `deadline` or the embedder fails or answers garbage.
   */
  private async vectorSearch(space: ServingSpace, text: string, k: number, f: SearchFilters, deadline: number): Promise<{ hits: RankedHit[]; query: Float32Array } | null> {
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
    const ann = await withinBudget(this.index.vectorIndex(space), deadline);
    if (ann === 'late') {
      this.fallbacks.note('the ANN index is still being built from the stored vectors');
      return null;
    }
    return { hits: await this.keysToHits(space.embedderId, ann.search(vector, k), f), query: vector };
  }

  /**
   * The cosine of the query to each keyword hit the vector list did not return, from the hits'
   * stored vectors (one read for the lot): the convex fusion scores them by their own similarity
   * instead of the vector list's lowest (`fuse`). Hits without a stored vector are left out.
   */
  private async exactCosines(embedderId: string, query: Float32Array, keyword: readonly RankedHit[], vector: readonly RankedHit[]): Promise<Map<string, number>> {
    const listed = new Set(vector.map((h) => h.id));
    const missing = keyword.filter((h) => !listed.has(h.id)).map((h) => h.id);
    const out = new Map<string, number>();
    if (!missing.length || this.fusion.vector <= 0) return out;
    const stored = await this.store.search.embeddingsOf(embedderId, missing);
    const qn = Math.sqrt(dot(query, query)) || 1;
    for (const [id, v] of stored) if (v.length === query.length) out.set(id, dot(query, v) / (qn * (Math.sqrt(dot(v, v)) || 1)));
    return out;
  }

  /** The paper's nearest vectors in `space` as paper ids, best first, not yet filtered by visibility (`similar` does that); null without a vector for it. */
  private async vectorNeighbours(paper: PaperWithStats, k: number, space: ServingSpace, reads: SimilarReads): Promise<RankedHit[] | null> {
    let vector = await reads.embeddingOf(space.embedderId, paper.id);
    if (!vector && space.embedder) {
      vector = await withinBudget(space.embedder.embed([paperText(paper)]).then((vs) => vs[0]), Date.now() + (this.opts.embedBudgetMs ?? 1500))
        .then((v) => (v === 'late' ? null : v))
        .catch((err) => (this.fallbacks.note((err as Error).message), null));
    }
    if (!vector || vector.length !== space.dimensions) return null;
    const ann = await this.index.vectorIndex(space);
    const matches = ann.search(vector, k);
    const ids = await reads.paperIdsForKeys(space.embedderId, matches.map((m) => m.key));
    return matches.flatMap((m) => (ids.has(m.key) ? [{ id: ids.get(m.key)!, score: m.similarity }] : []));
  }

  /** ANN matches as hits on visible papers, best first, with those papers. */
  private async keysToVisible(embedderId: string, matches: { key: number; similarity: number }[]): Promise<{ hits: RankedHit[]; papers: Map<string, PaperWithStats> }> {
    const ids = await this.store.search.paperIdsForKeys(embedderId, matches.map((m) => m.key));
    const hits = matches.flatMap((m) => (ids.has(m.key) ? [{ id: ids.get(m.key)!, score: m.similarity }] : []));
    const papers = await this.visibleById(hits.map((h) => h.id));
    return { hits: hits.filter((h) => papers.has(h.id)), papers };
  }

  private async keysToHits(embedderId: string, matches: { key: number; similarity: number }[], f: SearchFilters): Promise<RankedHit[]> {
    const { hits, papers } = await this.keysToVisible(embedderId, matches);
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

  /** The visible papers among `ids`, by id: the store's one visibility rule, never a filter of our own. */
  private async visibleById(ids: readonly string[]): Promise<Map<string, PaperWithStats>> {
    return new Map((await this.store.papers.visibleMany(ids)).map((p) => [p.id, p]));
  }

  /**
   * The page: the visible papers of the first `limit` hits, highlighted (the query's stems are
   * worked out once, and only the papers shown are marked); a hit beyond `limit` means more.
   */
  private async page(hits: RankedHit[], q: ParsedQuery, limit: number, lexical?: ReadonlySet<string>): Promise<{ results: SearchResult[]; hasMore: boolean }> {
    const shown = hits.slice(0, limit);
    const papers = await this.visibleById(shown.map((h) => h.id));
    const stems = queryStems(q);
    const unmarked = new Set<string>();
    const results = shown.flatMap((h) => {
      const p = papers.get(h.id);
      if (!p) return [];
      const inTitle = highlightRanges(p.title, stems);
      const inAbstract = highlightRanges(p.abstract, stems);
      if (stems.size && !inTitle.length && !inAbstract.length && (!lexical || lexical.has(p.id)) && !highlightRanges(p.authors.join(', '), stems).length) unmarked.add(p.id);
      return [{ paper: p, score: h.score, title: segments(p.title, inTitle), summary: snippet(p.abstract, inAbstract) } as SearchResult];
    });
    if (unmarked.size) await this.markPdfText(results, unmarked, stems);
    return { results, hasMore: hits.length > limit };
  }

  /**
   * Gives the results the words found only in the PDF's first pages a snippet of that text. Read
   * for those results alone, in one query: a page of word matches has none or a few (a meaning-only
   * neighbour, which `lexical` leaves out, has nothing to show from any text).
   */
  private async markPdfText(results: SearchResult[], ids: ReadonlySet<string>, stems: Set<string>): Promise<void> {
    const texts = await this.store.search.pdfTexts([...ids]);
    for (const r of results) {
      const text = ids.has(r.paper.id) ? texts.get(r.paper.id) : undefined;
      const found = text ? pdfTextSnippet(text, stems) : null;
      if (found) r.pdfText = found;
    }
  }
}

/** A page's ranking does not hand the loop back between its stages (see `rankSimilar`). */
const noPause = async (): Promise<void> => {};

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length && i < b.length; i++) s += a[i] * b[i];
  return s;
}

/** 0 to `SEARCH_LIMITS.maxOffset` whole results. */
function clampOffset(offset: number | undefined): number {
  if (offset === undefined || !Number.isFinite(offset)) return 0;
  return Math.max(0, Math.min(SEARCH_LIMITS.maxOffset, Math.floor(offset)));
}

function clampLimit(limit: number | undefined, fallback: number = SEARCH_LIMITS.default): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(SEARCH_LIMITS.max, Math.floor(limit)));
}
