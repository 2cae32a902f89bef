import { markHtml } from '../../search/highlight.ts';
import type { SearchResult, SimilarResult } from '../../services/search.ts';
import type { SearchResultJson, SimilarPaperJson } from '../schemas/search.ts';
import { enrichmentFields, type Enriched } from './paper.ts';

/** A search hit as the API shows it; highlights are escaped text with Paperboy's own <mark> tags. */
export function presentSearchResult(r: SearchResult, enriched?: Enriched): SearchResultJson {
  return { ...presentSimilar(r, enriched), highlightedTitle: markHtml(r.title), highlightedSummary: markHtml(r.summary), highlightedPdfText: r.pdfText ? markHtml(r.pdfText) : null };
}

/** A similar paper (or the paper of a hit), with the enrichment fields the Daily Papers API carries. */
export function presentSimilar(r: SimilarResult, enriched?: Enriched): SimilarPaperJson {
  const p = r.paper;
  const { links: _links, ...fields } = enrichmentFields(p, enriched);
  return {
    id: p.id,
    title: p.title,
    authors: p.authors.map((name) => ({ name })),
    summary: p.abstract,
    publishedAt: p.publishedAt,
    upvotes: p.upvotes,
    numComments: p.numComments,
    ...fields,
    score: Number.isFinite(r.score) ? r.score : 0,
  };
}
