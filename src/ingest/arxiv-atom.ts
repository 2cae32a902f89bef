import { parseArxivId } from '../domain/arxiv-id.ts';
import { completePaper } from '../domain/complete-paper.ts';
import type { Paper } from '../domain/paper.ts';
import { XmlFormatError, attr, child, children, parseXml, text } from './xml.ts';

/** An entry of arXiv's error feed: the API's way of saying a request (often one id) was bad. */
export interface AtomFeedError {
  message: string;
  /** The id the message names (`incorrect id format for abc`), when it names one. */
  id: string | null;
}

export interface AtomFeed {
  papers: Paper[];
  errors: AtomFeedError[];
  totalResults: number | null;
}

const ERROR_ID = /\/api\/errors(#|$)/;

/**
 * Parses a response of arXiv's Atom API (`/api/query`), in the current format and the older one
 * (namespaces declared per element, hard-wrapped titles and abstracts).
 */
export function parseAtomFeed(xml: string): AtomFeed {
  const doc = parseXml(xml);
  const feed = child(doc, 'feed');
  if (!feed || typeof feed !== 'object') throw new XmlFormatError('not an Atom feed: no <feed> element');
  const papers: Paper[] = [];
  const errors: AtomFeedError[] = [];
  for (const entry of children(feed, 'entry')) {
    const entryId = text(child(entry, 'id'))?.trim() ?? '';
    if (ERROR_ID.test(entryId)) {
      const message = (text(child(entry, 'summary')) ?? text(child(entry, 'title')) ?? 'unknown error').trim();
      const named = / for (\S+)$/.exec(message);
      errors.push({ message, id: named ? named[1] : null });
      continue;
    }
    papers.push(atomEntryToPaper(entry, entryId));
  }
  const total = text(child(feed, 'totalResults'));
  return { papers, errors, totalResults: total !== null && /^\d+$/.test(total.trim()) ? Number(total) : null };
}

function atomEntryToPaper(entry: unknown, entryId: string): Paper {
  const parsed = parseArxivId(entryId);
  if (!parsed) throw new XmlFormatError(`entry has no arXiv id: ${JSON.stringify(entryId)}`);
  const title = text(child(entry, 'title'));
  if (!title) throw new XmlFormatError(`entry ${parsed.id} has no title`);
  const categories = children(entry, 'category')
    .map((c) => attr(c, 'term'))
    .filter((c): c is string => !!c);
  const pdf = children(entry, 'link').find((l) => attr(l, 'title') === 'pdf' || attr(l, 'type') === 'application/pdf');
  return completePaper({
    id: parsed.id,
    source: 'arxiv',
    version: parsed.version,
    title,
    abstract: text(child(entry, 'summary')) ?? '',
    authors: children(entry, 'author').map((a) => text(child(a, 'name')) ?? '').filter(Boolean),
    categories,
    primaryCategory: attr(child(entry, 'primary_category'), 'term'),
    publishedAt: isoOrNull(text(child(entry, 'published'))),
    updatedAt: isoOrNull(text(child(entry, 'updated'))),
    comment: text(child(entry, 'comment')),
    journalRef: text(child(entry, 'journal_ref')),
    doi: text(child(entry, 'doi')),
    license: null,
    links: { pdf: pdf ? versionless(attr(pdf, 'href')) : undefined },
  });
}

function isoOrNull(s: string | null): string | null {
  if (!s) return null;
  const d = new Date(s.trim());
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Links without the version suffix, so they always point at the latest version; https. */
function versionless(href: string | null): string | undefined {
  if (!href) return undefined;
  return href.replace(/^http:/, 'https:').replace(/v\d+$/, '');
}
