import type { PaperWithStats } from '../../domain/paper.ts';
import { httpUrl, httpUrls } from '../../domain/links.ts';
import { artifactPath, keywordsOf, NO_ENRICHMENT, type HubArtifact, type PaperEnrichment } from '../../domain/enrichment.ts';
import { authorUrl, preferAuthorLinks, starsStillApply, type AuthorLinks } from '../../domain/authorship.ts';
import type { PaperDetailJson, PaperJson } from '../schemas/paper.ts';

/** What one paper's view may add: its thumbnail, and the links its verified author set (one read per request, never per list item). */
export interface PaperExtra {
  thumbnail?: string | null;
  authorLinks?: AuthorLinks | null;
}

/**
 * A paper as the API shows it. Field names follow the Daily Papers API (`summary`, `authors:
 * [{name}]`, `publishedAt`, `githubRepo`, `githubStars`, `projectPage`, `ai_summary`,
 * `ai_keywords`), camelCase everywhere else, ISO 8601 dates. `enrichment` is what the enrichment
 * steps found; without it (or before the code step ran) code links are those found at import.
 */
export function presentPaper(p: PaperWithStats, enrichment: PaperEnrichment = NO_ENRICHMENT, extra: PaperExtra = {}): PaperJson {
  // A verified author's own links win (as on the page); lists pass none, so they cost nothing per item.
  const authorSet = extra.authorLinks;
  const shown = preferAuthorLinks({ code: enrichment.codeChecked ? enrichment.codeLinks : p.links.code, project: p.links.project }, authorSet);
  // Links are checked again on the way out: whatever is stored, only http(s) reaches a client.
  const code = httpUrls(shown.code);
  const links = { abs: httpUrl(p.links.abs), pdf: httpUrl(p.links.pdf), code, project: httpUrls(shown.project) };
  const keywords = keywordsOf(enrichment);
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
    githubRepo: code.find((u) => u.startsWith('https://github.com/')) ?? code[0] ?? null,
    // An author's own code link may name another repository than the one the stars were read for.
    githubStars: !authorUrl(authorSet?.code) || starsStillApply(enrichment.githubRepo, code) ? enrichment.githubStars : null,
    projectPage: links.project[0] ?? null,
    ai_summary: enrichment.summary?.text ?? null,
    ai_keywords: keywords.keywords,
    keywordsSource: keywords.source,
    thumbnail: extra.thumbnail ?? null,
    links,
    source: p.source,
    withdrawn: p.deleted,
  };
}

/** One paper with everything the enrichments found, for `/api/papers/{id}`. */
export function presentPaperDetail(p: PaperWithStats, enrichment: PaperEnrichment, artifacts: HubArtifact[], hubUrl: string, extra: PaperExtra = {}): PaperDetailJson {
  const hub = hubUrl.replace(/\/+$/, '');
  const of = (kind: HubArtifact['kind']) =>
    artifacts.filter((a) => a.kind === kind).map((a) => ({ id: a.id, url: `${hub}${artifactPath(a)}`, likes: a.likes, downloads: a.downloads, detail: a.detail }));
  return {
    ...presentPaper(p, enrichment, extra),
    summaryModel: enrichment.summary?.model ?? null,
    artifacts: { models: of('model'), datasets: of('dataset'), spaces: of('space') },
  };
}
