import type { PaperWithStats } from '../../domain/paper.ts';
import { httpUrl } from '../../domain/links.ts';
import { artifactPath, keywordsOf, NO_ENRICHMENT, shownLinks, thumbnailPath, type HubArtifact, type PaperEnrichment } from '../../domain/enrichment.ts';
import type { EnrichmentFieldsJson, PaperDetailJson, PaperJson } from '../schemas/paper.ts';

/** A paper's enrichments as a presenter needs them: what the steps found, and the site's base URL for the thumbnail's absolute URL. */
export interface Enriched {
  enrichment: PaperEnrichment;
  siteBase: string;
}

/**
 * The enrichment fields of a paper or a search hit, named as Hugging Face names them
 * (`githubRepo`, `githubStars`, `projectPage`, `ai_summary`, `ai_keywords`, `thumbnail`). Links a
 * verified author set win over the found ones, in lists as on the paper's own page; links are
 * checked again on the way out: whatever is stored, only http(s) reaches a client.
 */
export function enrichmentFields(p: PaperWithStats, enriched?: Enriched): EnrichmentFieldsJson & { links: { code: string[]; project: string[] } } {
  const e = enriched?.enrichment ?? NO_ENRICHMENT;
  const shown = shownLinks(p, e);
  const keywords = keywordsOf(e);
  return {
    githubRepo: shown.code.find((u) => u.startsWith('https://github.com/')) ?? shown.code[0] ?? null,
    githubStars: shown.stars,
    projectPage: shown.project[0] ?? null,
    ai_summary: e.summary?.text ?? null,
    ai_keywords: keywords.keywords,
    keywordsSource: keywords.source,
    thumbnail: e.thumbnails && enriched ? `${enriched.siteBase}${thumbnailPath(e.thumbnails.page)}` : null,
    links: { code: shown.code, project: shown.project },
  };
}

/**
 * A paper as the API shows it. Field names follow the Daily Papers API (`summary`, `authors:
 * [{name}]`, `publishedAt`, and the enrichment fields above), camelCase everywhere else, ISO 8601
 * dates. Without `enriched` (or before the code step ran) code links are those found at import.
 */
export function presentPaper(p: PaperWithStats, enriched?: Enriched): PaperJson {
  const { links, ...fields } = enrichmentFields(p, enriched);
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
    ...fields,
    links: { abs: httpUrl(p.links.abs), pdf: httpUrl(p.links.pdf), ...links },
    source: p.source,
    withdrawn: p.deleted,
  };
}

/** One paper with everything the enrichments found, for `/api/papers/{id}`. */
export function presentPaperDetail(p: PaperWithStats, enriched: Enriched, artifacts: HubArtifact[], hubUrl: string): PaperDetailJson {
  const hub = hubUrl.replace(/\/+$/, '');
  const of = (kind: HubArtifact['kind']) =>
    artifacts.filter((a) => a.kind === kind).map((a) => ({ id: a.id, url: `${hub}${artifactPath(a)}`, likes: a.likes, downloads: a.downloads, detail: a.detail }));
  return {
    ...presentPaper(p, enriched),
    summaryModel: enriched.enrichment.summary?.model ?? null,
    artifacts: { models: of('model'), datasets: of('dataset'), spaces: of('space') },
  };
}
