import type { FeedEntry, PaperWithStats } from '../domain/paper.ts';
import type { Services } from '../services/index.ts';
import { SEARCH_LIMITS } from '../services/search.ts';
import type { SearchForm, SearchHit } from './views/search-page.tsx';
import type { MatchCount } from '../search/keyword-engine.ts';
import { words } from '../search/query.ts';
import type { PaperEnrichment } from '../domain/enrichment.ts';

export interface PageSearch {
  hits: SearchHit[];
  /** The hits' enrichments (stars, TL;DR or keywords, thumbnails, author-set links), read in one query. */
  enrichments: ReadonlyMap<string, PaperEnrichment>;
  hasMore: boolean;
  /** The query was a paper id or arXiv URL: go straight to that paper. */
  paperId?: string;
  warnings: string[];
  /** How many papers match ("about" when estimated or when meaning-based neighbours join the words). */
  total?: MatchCount;
  /** The query with misspelt words corrected from the corpus's vocabulary. */
  didYouMean?: string;
}

/**
 * One page of search results for the search page: the service pages by offset and highlights only
 * the papers of the page. Each result is a compact card: the highlighted title, the service's
 * snippet around the matches (not the whole abstract; of the PDF's first pages when only they matched), the authors an `author:` filter matched, and
 * the paper's enrichments as feed cards show them (thumbnail, stars, TL;DR or keywords).
 */
export async function runSearch(services: Services, form: SearchForm, perPage: number): Promise<PageSearch> {
  const offset = (form.page - 1) * perPage;
  const res = await services.search.search({ q: form.q, from: form.from, to: form.to, category: form.category, sort: form.sort, limit: perPage, offset, extras: true });
  const hits = res.results.map(({ paper, title, summary, pdfText }) => ({
    paper,
    title,
    snippet: pdfText ?? summary,
    fromPdf: Boolean(pdfText),
    matchedAuthors: paper.authors.filter((a) => res.query.authors.some((words) => authorMatches(a, words))),
  }));
  const total = res.total && res.mode !== 'keyword' ? { ...res.total, exact: false } : res.total;
  const enrichments = await services.enrichment.forPapers(hits.map((h) => h.paper.id));
  // Paging stops where the service's does (`maxOffset`).
  return { hits, enrichments, hasMore: res.hasMore && offset + perPage <= SEARCH_LIMITS.maxOffset, paperId: res.paperId, warnings: res.query.warnings, total, didYouMean: res.didYouMean };
}

/** Whether an author's name has every word of an `author:` filter (as the search matches them). */
function authorMatches(name: string, filter: string[]): boolean {
  const have = new Set(words(name));
  return filter.every((w) => have.has(w));
}

/** How long a paper page waits for similar papers (the first call may open or train an embedder). */
const SIMILAR_WAIT_MS = 400;
/**
 * How long the page cache may serve a paper page that shows the same day's papers because the
 * similar papers were late or failed: the page is not what the paper's page is, so it is not kept
 * for PAGE_CACHE_SECONDS, only long enough that a burst of readers does not re-render it each time.
 */
export const SIMILAR_FALLBACK_CACHE_MS = 1000;

/**
 * Similar papers from the search service; the same day's papers in the same category when it has
 * none or is not ready within SIMILAR_WAIT_MS (the page is not held up by a cold embedder). A late
 * ranking is aborted (it stops at its next check instead of spending CPU nobody waits for), and
 * `complete` is false: the page holds a stand-in list (`SIMILAR_FALLBACK_CACHE_MS`).
 */
export async function findSimilar(services: Services, paper: PaperWithStats, entry: FeedEntry | null, limit: number): Promise<{ papers: Array<Pick<PaperWithStats, 'id' | 'title'>>; complete: boolean }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), SIMILAR_WAIT_MS);
    timer.unref();
  });
  const pending = services.search.similar(paper.id, limit, { signal: controller.signal, visible: paper }).catch((err: Error) => {
    if (controller.signal.aborted) return 'late' as const;
    services.logger.warn({ err: err.message, paperId: paper.id }, 'similar papers failed: showing same-day papers');
    return 'failed' as const;
  });
  const similar = await Promise.race([pending, late]);
  clearTimeout(timer);
  if (similar === 'late') controller.abort(new Error(`similar papers not ranked within ${SIMILAR_WAIT_MS} ms`));
  if (Array.isArray(similar) && similar.length) return { papers: similar.map((s) => s.paper), complete: true };
  return { papers: await services.papers.sameDayNeighbours(paper, entry, limit), complete: similar !== 'late' && similar !== 'failed' };
}
