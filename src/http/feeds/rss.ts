import type { FeedDocument } from '../../domain/feed-document.ts';
import { el, rfc822 } from './xml.ts';
import { htmlText, itemHtml, MEDIA_NS, mediaThumbnail } from './item-html.ts';

/** RSS 2.0, with `atom:link rel="self"` and `dc:creator` for authors (RSS's own `author` wants an e-mail). */
export function renderRss(doc: FeedDocument): string {
  const items = doc.items.map((i) =>
    [
      '<item>',
      el('title', i.title),
      el('link', i.url),
      el('guid', i.url, { isPermaLink: 'true' }),
      i.authors.length ? el('dc:creator', i.authors.join(', ')) : '',
      // Readers treat an RSS description as HTML: escape the abstract as HTML first, so `a < b` stays
      // text. An enriched paper's description leads with its thumbnail and TL;DR or keywords.
      el('description', itemHtml(i) ?? htmlText(i.abstract)),
      mediaThumbnail(i),
      el('pubDate', rfc822(i.date)),
      ...i.categories.map((c) => el('category', c)),
      '</item>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="${MEDIA_NS}">`,
    '<channel>',
    el('title', doc.title),
    el('link', doc.pageUrl),
    el('description', doc.description),
    el('language', 'en'),
    el('generator', 'Paperboy'),
    el('atom:link', null, { href: doc.selfUrls.rss, rel: 'self', type: 'application/rss+xml' }),
    doc.updated ? el('lastBuildDate', rfc822(doc.updated)) : '',
    ...items.map((i) => '\n' + i),
    '\n</channel>',
    '</rss>\n',
  ].join('');
}
