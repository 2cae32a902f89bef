import type { PaperWithStats } from '../../domain/paper.ts';
import { httpUrl, httpUrls } from '../../domain/links.ts';
import type { PaperJson } from '../schemas/paper.ts';

/**
 * A paper as the API shows it. Field names follow the Daily Papers API (`summary`, `authors:
 * [{name}]`, `publishedAt`, `githubRepo`, `projectPage`), camelCase everywhere, ISO 8601 dates.
 */
export function presentPaper(p: PaperWithStats, extra: { thumbnail?: string | null } = {}): PaperJson {
  // Links are checked again on the way out: whatever is stored, only http(s) reaches a client.
  const links = { abs: httpUrl(p.links.abs), pdf: httpUrl(p.links.pdf), code: httpUrls(p.links.code), project: httpUrls(p.links.project) };
  return {
    id: p.id,
    title: p.title,
    summary: p.abstract,
    authors: p.authors.map((name) => ({ name })),
    publishedAt: p.publishedAt,
    updatedAt: p.updatedAt,
    version: p.version,
    categories: p.categories,
    primaryCategory: p.primaryCategory,
    comment: p.comment,
    journalRef: p.journalRef,
    doi: p.doi,
    license: p.license,
    upvotes: p.upvotes,
    numComments: p.numComments,
    githubRepo: links.code.find((u) => u.startsWith('https://github.com/')) ?? links.code[0] ?? null,
    projectPage: links.project[0] ?? null,
    thumbnail: extra.thumbnail ?? null,
    links,
    source: p.source,
    withdrawn: p.deleted,
  };
}
