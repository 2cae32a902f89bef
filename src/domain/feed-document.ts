import type { PaperWithStats } from './paper.ts';
import { httpUrl } from './links.ts';

/** A syndication feed before it is written as RSS or Atom. Dates are ISO 8601; URLs absolute. */
export interface FeedDocument {
  title: string;
  description: string;
  /** The HTML page the feed mirrors. */
  pageUrl: string;
  /** The feed's own URL in each format (`https://host/feeds/daily.rss`). */
  selfUrls: { rss: string; atom: string };
  /** The newest item date: the feed changes only when its items do. Null for an empty feed. */
  updated: string | null;
  items: FeedDocumentItem[];
}

export interface FeedDocumentItem {
  /** The paper's page on this site (also the item's permanent id). */
  url: string;
  /** The paper at its source (arXiv abstract page), when known. */
  sourceUrl: string | null;
  title: string;
  authors: string[];
  abstract: string;
  categories: string[];
  /** When the item entered this feed (feed day, publication, or addition to a collection). */
  date: string;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/** `2025-08-01` or any ISO date-time → a full ISO date-time in UTC (unparseable → the epoch). */
export function toIsoDateTime(s: string | null | undefined): string {
  if (!s) return EPOCH;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(ms) ? EPOCH : new Date(ms).toISOString();
}

export function feedItem(paper: PaperWithStats, date: string | null, siteUrl: string, pagePath: string): FeedDocumentItem {
  return {
    url: `${siteUrl}${pagePath}`,
    sourceUrl: httpUrl(paper.links.abs),
    title: paper.title,
    authors: paper.authors,
    abstract: paper.abstract,
    categories: paper.categories,
    date: toIsoDateTime(date ?? paper.publishedAt ?? paper.updatedAt),
  };
}

/** The newest item date, or null for no items. */
export function newestDate(items: FeedDocumentItem[]): string | null {
  return items.reduce<string | null>((max, i) => (max === null || i.date > max ? i.date : max), null);
}
