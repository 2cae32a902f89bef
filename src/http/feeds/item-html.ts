import type { FeedDocumentItem } from '../../domain/feed-document.ts';
import { el } from './xml.ts';

/** Text as HTML text (`a < b` stays text once a reader renders the HTML). */
export const htmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Width of a feed item's thumbnail in the reader (the card's, as on the site's feed). */
const THUMB_WIDTH = 120;

/**
 * An enriched item's body as HTML, for readers that render it (RSS `description`, Atom `content`):
 * the first-page thumbnail, the TL;DR (labelled as the site labels it) or keywords, and the
 * abstract. Every piece of text is HTML-escaped here; the XML writer escapes the whole again.
 * Null for an item without enrichments (its abstract alone says it all).
 */
export function itemHtml(i: FeedDocumentItem): string | null {
  const x = i.extras;
  if (!x) return null;
  const parts: string[] = [];
  if (x.thumbnail) {
    const height = Math.round((x.thumbnail.height * THUMB_WIDTH) / Math.max(1, x.thumbnail.width));
    parts.push(`<p><img src="${htmlText(x.thumbnail.url)}" width="${THUMB_WIDTH}" height="${height}" alt=""></p>`);
  }
  if (x.aiSummary) parts.push(`<p><strong>AI summary:</strong> ${htmlText(x.aiSummary)}</p>`);
  else if (x.keywords.length) parts.push(`<p><strong>Keywords:</strong> ${htmlText(x.keywords.join(' · '))}</p>`);
  parts.push(`<p>${htmlText(i.abstract)}</p>`);
  return parts.join('');
}

/** Media RSS's thumbnail element (read by feed readers in RSS and Atom alike). */
export const MEDIA_NS = 'http://search.yahoo.com/mrss/';
export function mediaThumbnail(i: FeedDocumentItem): string {
  const t = i.extras?.thumbnail;
  return t ? el('media:thumbnail', null, { url: t.url, width: String(t.width), height: String(t.height) }) : '';
}
