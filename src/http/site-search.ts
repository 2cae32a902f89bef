import type { FeedEntry, PaperWithStats } from '../domain/paper.ts';
import { highlightRanges, queryStems, segments } from '../search/highlight.ts';
import { SEARCH_LIMITS } from '../services/search.ts';
import type { Services } from '../services/index.ts';
import type { SearchForm, SearchHit } from './views/search-page.tsx';

export interface PageSearch {
  hits: SearchHit[];
  hasMore: boolean;
  /** The query was a paper id or arXiv URL: go straight to that paper. */
  paperId?: string;
  warnings: string[];
}

/**
 * One page of search results for the search page, from the search service: the service has no
 * offset, so it is asked for everything up to this page (at most its limit) and the page is cut out.
 * The whole abstract is highlighted (the seed page shows abstracts in full).
 */
export async function runSearch(services: Services, form: SearchForm, perPage: number): Promise<PageSearch> {
  const want = Math.min(form.page * perPage + 1, SEARCH_LIMITS.max);
  const res = await services.search.search({
    q: form.q,
    from: form.from,
    to: form.to,
    category: form.category,
    sort: form.sort === 'newest' ? 'date' : form.sort,
    limit: want,
  });
  const stems = queryStems(res.query);
  const start = (form.page - 1) * perPage;
  const hits = res.results.slice(start, start + perPage).map(({ paper, title }) => ({
    paper,
    title,
    abstract: segments(paper.abstract, highlightRanges(paper.abstract, stems)),
  }));
  return { hits, hasMore: res.results.length > start + perPage, paperId: res.paperId, warnings: res.query.warnings };
}

/** How long a paper page waits for similar papers (the first call may open or train an embedder). */
const SIMILAR_WAIT_MS = 400;

/**
 * Similar papers from the search service; the same day's papers in the same category when it has
 * none or is not ready within SIMILAR_WAIT_MS (the page is not held up by a cold embedder).
 */
export async function findSimilar(services: Services, paper: PaperWithStats, entry: FeedEntry | null, limit: number): Promise<Array<Pick<PaperWithStats, 'id' | 'title'>>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), SIMILAR_WAIT_MS);
    timer.unref();
  });
  const pending = services.search.similar(paper.id, limit).catch((err: Error) => {
    services.logger.warn({ err: err.message, paperId: paper.id }, 'similar papers failed: showing same-day papers');
    return null;
  });
  const similar = await Promise.race([pending, late]);
  clearTimeout(timer);
  if (similar && similar.length) return similar.map((s) => s.paper);
  return services.papers.sameDayNeighbours(paper, entry, limit);
}
