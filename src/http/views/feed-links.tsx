import { sitePaths } from '../../domain/site-paths.ts';
/** A feed a page offers to feed readers: `<link rel="alternate">` in the page head. */
export interface FeedLink {
  title: string;
  /** Path without extension, e.g. `/feeds/category/cs.LG`; each link is offered as RSS and Atom. */
  path: string;
  /** A query string to keep, e.g. `?q=attention` for a search feed. */
  query?: string;
}

export const DAILY_FEEDS: FeedLink[] = [
  { title: 'Daily papers', path: sitePaths.feeds.daily() },
  { title: 'Trending papers', path: sitePaths.feeds.trending() },
];

/** The feeds a search, category or collection page offers (head links and visible links alike). */
export const feedLinksFor = {
  search: (q: string): FeedLink => ({ title: `Search: ${q}`, path: sitePaths.feeds.search(), query: `?q=${encodeURIComponent(q)}` }),
  category: (category: string): FeedLink => ({ title: category, path: sitePaths.feeds.category(category) }),
  collection: (id: number, name: string): FeedLink => ({ title: name, path: sitePaths.feeds.collection(id) }),
};

/** The head's alternate links (hono/jsx escapes every attribute). */
export function FeedLinks({ feeds }: { feeds: FeedLink[] }) {
  return (
    <>
      {feeds.flatMap((f) => [
        <link rel="alternate" type="application/rss+xml" title={`${f.title} (RSS)`} href={`${f.path}.rss${f.query ?? ''}`} />,
        <link rel="alternate" type="application/atom+xml" title={`${f.title} (Atom)`} href={`${f.path}.atom${f.query ?? ''}`} />,
      ])}
    </>
  );
}
