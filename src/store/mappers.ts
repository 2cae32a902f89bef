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
export function paperToRow(p: Paper, hash: string, now: string) {
  return {
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
    content_hash: hash,
    created_at: now,
    modified_at: now,
  };
}

export function paperContentHash(p: Paper): string {
  const { id, source, version, title, abstract, authors, categories, primaryCategory, publishedAt, updatedAt, comment, journalRef, doi, license, links, deleted } = p;
  const canonical = JSON.stringify([id, source, version, title, abstract, authors, categories, primaryCategory, publishedAt, updatedAt, comment, journalRef, doi, license, links.abs, links.pdf, links.code, links.project, deleted]);
  return crypto.hash('sha1', canonical, 'base64url');
}

export function rowToFeedEntry(r: Selectable<FeedEntriesTable>): FeedEntry {
  return { day: r.day, paperId: r.paper_id, position: Number(r.position), submittedBy: r.submitted_by };
}
