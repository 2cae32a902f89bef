import type { FeedDocument } from '../../domain/feed-document.ts';
import { el, rfc3339 } from './xml.ts';
import { itemHtml, MEDIA_NS, mediaThumbnail } from './item-html.ts';

/** The date an empty Atom feed reports: `updated` is required and must not move while nothing changes. */
const NEVER = '1970-01-01T00:00:00.000Z';

/** Atom 1.0 (RFC 4287). The feed-level author covers entries without authors. */
export function renderAtom(doc: FeedDocument): string {
  const entries = doc.items.map((i) =>
    [
      '<entry>',
      el('id', i.url),
      el('title', i.title, { type: 'text' }),
      el('link', null, { rel: 'alternate', type: 'text/html', href: i.url }),
      i.sourceUrl ? el('link', null, { rel: 'related', type: 'text/html', href: i.sourceUrl }) : '',
      el('updated', rfc3339(i.updated)),
      el('published', rfc3339(i.date)),
      ...i.authors.map((a) => `<author>${el('name', a)}</author>`),
      el('summary', i.abstract, { type: 'text' }),
      // An enriched paper also has HTML content: its thumbnail, TL;DR or keywords, and the abstract.
      ((h) => (h ? el('content', h, { type: 'html' }) : ''))(itemHtml(i)),
      mediaThumbnail(i),
      ...i.categories.map((c) => el('category', null, { term: c })),
      '</entry>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="${MEDIA_NS}">`,
    el('id', doc.selfUrls.atom),
    el('title', doc.title, { type: 'text' }),
    el('subtitle', doc.description, { type: 'text' }),
    el('updated', rfc3339(doc.updated ?? NEVER)),
    el('link', null, { rel: 'self', type: 'application/atom+xml', href: doc.selfUrls.atom }),
    el('link', null, { rel: 'alternate', type: 'text/html', href: doc.pageUrl }),
    `<author>${el('name', 'Paperboy')}</author>`,
    el('generator', 'Paperboy'),
    ...entries.map((e) => '\n' + e),
    '\n</feed>\n',
  ].join('');
}
