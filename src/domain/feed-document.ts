import type { PaperWithStats } from './paper.ts';
import { httpUrl } from './links.ts';
import { keywordsOf, thumbnailPath, type PaperEnrichment } from './enrichment.ts';
import { sitePaths } from './site-paths.ts';

/** A syndication feed before it is written as RSS or Atom. Dates are ISO 8601; URLs absolute. */
export interface FeedDocument {
  title: string;
  description: string;
  /** The HTML page the feed mirrors. */
  pageUrl: string;
  /** The feed's own URL in each format (`https://host/feeds/daily.rss`). */
  selfUrls: { rss: string; atom: string };
  /** The newest item `updated`: the feed changes only when its items do. Null for an empty feed. */
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
  /**
   * When what the item shows last changed: its date, a later version of the paper, or an
   * enrichment written since (a TL;DR, key phrases, a thumbnail). Atom's entry `updated` and the
   * feed's `Last-Modified` come from it, so a reader polling with If-Modified-Since sees the change.
   */
  updated: string;
  /** What the enrichment steps found, as a card shows it; absent when there is nothing to show. */
  extras?: ItemExtras;
}

/**
 * A listed paper's enrichments as feed items and digest entries carry them: the card-size
 * thumbnail (absolute URL), and the LLM's TL;DR or else up to five keywords (offline key phrases
 * are never called an AI summary).
 */
export interface ItemExtras {
  /** `mailUrl` is the same image as a JPEG (`/thumbs/{hash}.jpg`), for mail clients without WebP. */
  thumbnail: { url: string; mailUrl: string; mime: string; width: number; height: number } | null;
  aiSummary: string | null;
  keywords: string[];
  /** When the newest of the pieces shown here was written (ISO), or null when unknown. */
  changedAt: string | null;
}

/** How many keywords a feed item or digest entry shows (as a card does). */
export const ITEM_KEYWORDS = 5;

/** The extras of a paper with these enrichments, or undefined when none of them is there. */
export function itemExtras(e: PaperEnrichment | undefined, siteUrl: string): ItemExtras | undefined {
  if (!e) return undefined;
  const card = e.thumbnails?.card;
  const thumbnail = card ? { url: `${siteUrl}${thumbnailPath(card)}`, mailUrl: `${siteUrl}${sitePaths.thumbnail(card.hash, 'jpg')}`, mime: card.mime, width: card.width, height: card.height } : null;
  const aiSummary = e.summary?.text ?? null;
  const { keywords: found, source } = keywordsOf(e);
  const keywords = aiSummary ? [] : found.slice(0, ITEM_KEYWORDS);
  const at = e.writtenAt;
  const changedAt = latest([thumbnail ? at.thumbnail : null, aiSummary ? at.summary : null, keywords.length && source === 'keyphrase' ? at.keyphrases : null]);
  return thumbnail || aiSummary || keywords.length ? { thumbnail, aiSummary, keywords, changedAt } : undefined;
}

/** The latest of these times as ISO date-times (null when there is none). */
function latest(times: Array<string | null | undefined>): string | null {
  let max: string | null = null;
  for (const t of times) if (t && (max === null || toIsoDateTime(t) > max)) max = toIsoDateTime(t);
  return max;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/** `2025-08-01` or any ISO date-time → a full ISO date-time in UTC (unparseable → the epoch). */
export function toIsoDateTime(s: string | null | undefined): string {
  if (!s) return EPOCH;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(ms) ? EPOCH : new Date(ms).toISOString();
}

export function feedItem(paper: PaperWithStats, date: string | null, siteUrl: string, pagePath: string, extras?: ItemExtras): FeedDocumentItem {
  const entered = toIsoDateTime(date ?? paper.publishedAt ?? paper.updatedAt);
  return {
    ...(extras ? { extras } : {}),
    url: `${siteUrl}${pagePath}`,
    sourceUrl: httpUrl(paper.links.abs),
    title: paper.title,
    authors: paper.authors,
    abstract: paper.abstract,
    categories: paper.categories,
    date: entered,
    updated: latest([entered, paper.updatedAt, extras?.changedAt]) ?? entered,
  };
}

/** The newest item `updated`, or null for no items. */
export function newestDate(items: FeedDocumentItem[]): string | null {
  return items.reduce<string | null>((max, i) => (max === null || i.updated > max ? i.updated : max), null);
}
