import type { FeedEntry, FeedItem, PaperWithStats } from '../../domain/paper.ts';
import type { Services } from '../../services/index.ts';
import type { SearchForm } from '../views/search-page.tsx';
import { queryTerms } from '../views/search-page.tsx';

/**
 * What the pages need from search. Until the search service is wired in (`services.search`), the
 * store's keyword query answers, and similar papers are the same day's papers in the same category.
 */
export async function runSearch(services: Services, form: SearchForm, limit: number): Promise<FeedItem[]> {
  return services.store.browse.keywordSearch({
    terms: queryTerms(form.q),
    from: form.from,
    to: form.to,
    category: form.category,
    sort: form.sort,
    limit,
    offset: (form.page - 1) * (limit - 1),
  });
}

export async function findSimilar(services: Services, paper: PaperWithStats, entry: FeedEntry | null, limit: number): Promise<Array<Pick<PaperWithStats, 'id' | 'title'>>> {
  if (!entry) return [];
  const sameDay = await services.store.feed.items(entry.day, entry.day, { limit: 200 });
  return sameDay
    .map((i) => i.paper)
    .filter((p) => p.id !== paper.id && p.primaryCategory === paper.primaryCategory)
    .slice(0, limit);
}
