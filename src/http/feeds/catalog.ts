export type FeedFormat = 'rss' | 'atom';

/** The feeds, for /docs/api and /openapi.json (they are XML, so not `apiRoute`s). */
export const FEED_ROUTES: { path: string; summary: string; query?: Record<string, string>; params?: Record<string, string> }[] = [
  { path: '/feeds/daily.{format}', summary: 'The daily papers, newest feed day first' },
  { path: '/feeds/trending.{format}', summary: 'Trending papers (upvotes and comments, decaying with age)' },
  { path: '/feeds/search.{format}', summary: 'Papers matching a search query', query: { q: 'the search query (required, at most 200 characters)' } },
  { path: '/feeds/category/{category}.{format}', summary: 'New papers in an arXiv category', params: { category: 'e.g. cs.LG or hep-th' } },
  { path: '/feeds/collection/{id}.{format}', summary: 'The papers of a public collection, most recently added first', params: { id: 'collection number' } },
];
