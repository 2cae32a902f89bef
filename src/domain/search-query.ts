/**
 * The one set of search query types, shared by the parser (`src/search/query.ts`), the keyword
 * engines (`src/search`), the search service and the store's full-text SQL (`src/store/search.ts`).
 */

export type SearchSort = 'relevance' | 'date' | 'upvotes';
export const SEARCH_SORTS: readonly SearchSort[] = ['relevance', 'date', 'upvotes'];

/** What full-text matching needs: every word already lower-cased and reduced to letters and digits. */
export interface TextQuery {
  /** Lower-cased, de-duplicated words (letters and digits only). */
  terms: string[];
  /** Each required phrase as its words. */
  phrases: string[][];
  /** Each excluded word or phrase as its words. */
  excluded: string[][];
  /** Each `author:` filter as its words. */
  authors: string[][];
}

/** A parsed search query: the words to match plus the filters and options written in it. */
export interface ParsedQuery extends TextQuery {
  raw: string;
  categories: string[];
  from?: string;
  to?: string;
  sort?: SearchSort;
  /** Canonical id when the whole query is an arXiv id or URL. */
  paperId?: string;
  /** What was ignored and why (bad dates, unknown sorts, truncation). */
  warnings: string[];
}

/** The filters every search path applies (keyword, browse, vector hits, counts). */
export interface SearchFilters {
  /** Inclusive YYYY-MM-DD bounds on the publication date. */
  from?: string;
  to?: string;
  /** The paper has any of these categories (case-insensitive). */
  categories: string[];
}

/** How much title, abstract and authors weigh in keyword ranking. */
export interface FieldWeights {
  title: number;
  abstract: number;
  authors: number;
  /** The text of the PDF's first pages (the enrichment `pdf` step's): a low weight, it finds more than it ranks. */
  pdfText: number;
}

/**
 * A query's filters with a request's own: the request's `from`/`to` (a form's date fields) win over
 * `from:`/`to:` in the query, and its `category` joins the query's `category:`s.
 */
export function searchFilters(q: Pick<ParsedQuery, 'categories' | 'from' | 'to'>, request: { from?: string; to?: string; category?: string } = {}): SearchFilters {
  return { from: request.from ?? q.from, to: request.to ?? q.to, categories: [...q.categories, ...(request.category ? [request.category] : [])] };
}
