import { markHtml } from '../../search/highlight.ts';
import type { SearchResult, SimilarResult } from '../../services/search.ts';
import type { SearchResultJson, SimilarPaperJson } from '../schemas/search.ts';

/** A search hit as the API shows it; highlights are escaped text with Paperboy's own <mark> tags. */
export function presentSearchResult(r: SearchResult): SearchResultJson {
  return { ...presentSimilar(r), highlightedTitle: markHtml(r.title), highlightedSummary: markHtml(r.summary) };
}

export function presentSimilar(r: SimilarResult): SimilarPaperJson {
  const p = r.paper;
  return {
    id: p.id,
    title: p.title,
    authors: p.authors.map((name) => ({ name })),
    summary: p.abstract,
    publishedAt: p.publishedAt,
    upvotes: p.upvotes,
    numComments: p.numComments,
    score: Number.isFinite(r.score) ? r.score : 0,
  };
}
