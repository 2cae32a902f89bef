import crypto from 'node:crypto';
import type { Paper, PaperWithStats, FeedEntry } from '../domain/paper.ts';
import type { FeedEntriesTable, PapersTable } from './schema.ts';
import type { Selectable } from 'kysely';

type PaperRow = Selectable<PapersTable>;

export function parseJsonArray(s: string | null | undefined): string[] {
  if (!s) return [];
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

export function rowToPaper(r: PaperRow): PaperWithStats {
  return {
    id: r.id,
    source: r.source,
    version: r.version,
    title: r.title,
    abstract: r.abstract,
    authors: parseJsonArray(r.authors),
    categories: parseJsonArray(r.categories),
    primaryCategory: r.primary_category,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    comment: r.comment,
    journalRef: r.journal_ref,
    doi: r.doi,
    license: r.license,
    links: { abs: r.abs_url, pdf: r.pdf_url, code: parseJsonArray(r.code_urls), project: parseJsonArray(r.project_urls) },
    deleted: Boolean(r.deleted),
    hidden: Boolean(r.hidden),
    upvotes: Number(r.upvotes),
    numComments: Number(r.num_comments),
  };
}

/** The columns an import writes; community counters and moderation flags are never among them. */
export type PaperWriteRow = Omit<Selectable<PapersTable>, 'hidden' | 'upvotes' | 'num_comments'>;

/** A paper as the row an import writes, with its content hash (pure: parse workers build rows too). */
export function paperToRow(p: Paper, now: string): PaperWriteRow {
  const row: PaperWriteRow = {
    id: p.id,
    source: p.source,
    version: p.version,
    title: p.title,
    abstract: p.abstract,
    authors: JSON.stringify(p.authors),
    categories: JSON.stringify(p.categories),
    primary_category: p.primaryCategory,
    published_at: p.publishedAt,
    updated_at: p.updatedAt,
    comment: p.comment,
    journal_ref: p.journalRef,
    doi: p.doi,
    license: p.license,
    abs_url: p.links.abs,
    pdf_url: p.links.pdf,
    code_urls: JSON.stringify(p.links.code),
    project_urls: JSON.stringify(p.links.project),
    deleted: p.deleted ? 1 : 0,
    content_hash: '',
    created_at: now,
    modified_at: now,
  };
  row.content_hash = rowContentHash(row);
  return row;
}

/**
 * A paper's content columns, in the order of the packed columns up to `deleted`
 * (`PACKED_COLUMNS`, src/store/packed-rows.ts) and of its content hash: an import's parse worker
 * packs a paper from these without building its row object (`PackedRowsBuilder.addPaper`).
 */
export function paperContentValues(p: Paper): (string | number | null)[] {
  return [
    p.id, p.source, p.version, p.title, p.abstract, JSON.stringify(p.authors), JSON.stringify(p.categories), p.primaryCategory,
    p.publishedAt, p.updatedAt, p.comment, p.journalRef, p.doi, p.license,
    p.links.abs, p.links.pdf, jsonList(p.links.code), jsonList(p.links.project), p.deleted ? 1 : 0,
  ];
}

/** `JSON.stringify` of a list of strings; most papers' link lists are empty. */
const jsonList = (xs: readonly string[]) => (xs.length === 0 ? '[]' : JSON.stringify(xs));

/** What the content hash is taken of: the content values joined by U+0001, a null as U+0000 (no field holds either). */
export function contentCanonical(values: readonly (string | number | null)[]): string {
  const parts: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = typeof v === 'string' ? v : v === null ? '\u0000' : String(v);
  }
  return parts.join('\u0001');
}

export function hashCanonical(canonical: string): string {
  return crypto.hash('sha1', canonical, 'base64url');
}

/**
 * What "unchanged" is judged by: a hash of every content column (not the timestamps). Built from
 * the row's own strings, joined by a separator no field contains, so the arrays are not
 * stringified twice (the import benchmark spends a tenth of its parse time here).
 */
export function rowContentHash(r: Omit<PaperWriteRow, 'content_hash' | 'created_at' | 'modified_at'>): string {
  return hashCanonical(contentCanonical([
    r.id, r.source, r.version, r.title, r.abstract, r.authors, r.categories, r.primary_category,
    r.published_at, r.updated_at, r.comment, r.journal_ref, r.doi, r.license,
    r.abs_url, r.pdf_url, r.code_urls, r.project_urls, r.deleted,
  ]));
}

export function rowToFeedEntry(r: Selectable<FeedEntriesTable>): FeedEntry {
  return { day: r.day, paperId: r.paper_id, position: Number(r.position), submittedBy: r.submitted_by };
}
