import { authorUrl, preferAuthorLinks, starsStillApply } from './authorship.ts';
import { httpUrl, httpUrls } from './links.ts';
import { sitePaths } from './site-paths.ts';

/**
 * What the enrichment steps add to a paper (issue 17): code links with GitHub stars, an LLM TL;DR
 * and keywords (with the model that wrote them), offline key phrases, first-page thumbnails — and
 * the links a verified author set, which win over the found ones. A page of papers reads all of it
 * in one query (hub artifacts, listed only on the paper's own page, are read apart).
 */
export interface PaperEnrichment {
  /** Whether the code step has run: its (possibly empty) links then replace those found at import. */
  codeChecked: boolean;
  /** Code repositories found in the abstract, comment and PDF text, normalised, best first. */
  codeLinks: string[];
  /** The repository shown as the paper's code (the official-looking one). */
  codeRepo: string | null;
  /** `owner/name` (lower case) of the GitHub repository among the links, whose stars are shown. */
  githubRepo: string | null;
  githubStars: number | null;
  /** Two sentences by an LLM, with its keywords; null without an LLM (or before it ran). */
  summary: { text: string; keywords: string[]; model: string } | null;
  /** Key phrases chosen offline from the title and abstract against the corpus. */
  keyphrases: string[];
  /** First-page thumbnails (the PDF step's); null until it made both sizes. */
  thumbnails: PaperThumbnails | null;
  /** The code and project links a verified author set; null when none did. */
  authorLinks: { code: string | null; project: string | null } | null;
  /** When each piece a card shows was last written (ISO), so a feed can say when an item last changed. */
  writtenAt: { summary: string | null; keyphrases: string | null; thumbnail: string | null };
}

export const NO_ENRICHMENT: PaperEnrichment = { codeChecked: false, codeLinks: [], codeRepo: null, githubRepo: null, githubStars: null, summary: null, keyphrases: [], thumbnails: null, authorLinks: null, writtenAt: { summary: null, keyphrases: null, thumbnail: null } };

/** What a paper's links look like wherever it is shown: its card, its page, the API, Markdown. */
export interface ShownLinks {
  /** Code links: the one a verified author set, else the code step's, else those found at import (http(s) only). */
  code: string[];
  project: string[];
  /** The one code link a card shows: the author's, else the code step's pick, else the first found at import. */
  best: string | null;
  /** The stars of the GitHub repository among `code` (null when it is not there any more, or unknown). */
  stars: number | null;
  /** That repository's link, for the stars to point at. */
  starsHref: string | null;
}

/**
 * The links a paper shows. A link its verified author set replaces the found ones of its kind (the
 * author knows which repository is theirs); stars stay only while their repository is still shown.
 */
export function shownLinks(p: { links: { code: readonly string[]; project: readonly string[] } }, e: PaperEnrichment): ShownLinks {
  const found = e.codeChecked ? e.codeLinks : p.links.code;
  const shown = preferAuthorLinks({ code: found, project: p.links.project }, e.authorLinks);
  const code = httpUrls(shown.code);
  const authorCode = authorUrl(e.authorLinks?.code);
  const best = authorCode ?? httpUrl(e.codeChecked ? e.codeRepo : found[0]);
  const repo = e.githubRepo ? `https://github.com/${e.githubRepo}`.toLowerCase() : null;
  const starsHref = repo && e.githubStars !== null && starsStillApply(e.githubRepo, code) ? (code.find((u) => u.toLowerCase().replace(/\/+$/, '') === repo) ?? null) : null;
  return { code, project: httpUrls(shown.project), best, stars: starsHref ? e.githubStars : null, starsHref };
}

export type ArtifactKind = 'model' | 'dataset' | 'space';

/** A model, dataset or Space on the Hugging Face hub whose card cites the paper. */
export interface HubArtifact {
  kind: ArtifactKind;
  /** `owner/name` on the hub. */
  id: string;
  likes: number;
  downloads: number | null;
  /** Pipeline tag of a model, SDK of a Space. */
  detail: string | null;
}

/** The keywords to show: the LLM's when there are, else the offline key phrases. */
export function keywordsOf(e: PaperEnrichment): { keywords: string[]; source: 'llm' | 'keyphrase' | null } {
  if (e.summary && e.summary.keywords.length) return { keywords: e.summary.keywords, source: 'llm' };
  if (e.keyphrases.length) return { keywords: e.keyphrases, source: 'keyphrase' };
  return { keywords: [], source: null };
}

/** The hub page of an artifact (`/datasets/…`, `/spaces/…`, models at the root). */
export function artifactPath(a: Pick<HubArtifact, 'kind' | 'id'>): string {
  const prefix = a.kind === 'dataset' ? '/datasets/' : a.kind === 'space' ? '/spaces/' : '/';
  return prefix + a.id.split('/').map(encodeURIComponent).join('/');
}

/**
 * Enrichment state as the rest of Paperboy sees it, and the pure rules the runner follows
 * (back-off, when a state is due again). No I/O here.
 */

export type EnrichmentStatus = 'pending' | 'done' | 'failed' | 'skipped';

export interface EnrichmentState {
  paperId: string;
  step: string;
  status: EnrichmentStatus;
  /** Failures in a row (0 after a success). */
  attempts: number;
  /** Why it failed or was skipped; a done step's detail. */
  reason: string | null;
  /** When it is due again (retry or refresh); null = not again until the step's version changes. */
  nextAt: string | null;
  version: number;
  updatedAt: string;
}

/** A state to write: the repository adds paper, step and time. */
export type EnrichmentStateUpdate = Pick<EnrichmentState, 'status' | 'attempts' | 'reason' | 'nextAt' | 'version'>;

export interface BackoffPolicy {
  /** First retry delay. */
  baseMs: number;
  /** Longest retry delay. */
  capMs: number;
  /** Failures in a row after which a step is given up (failed for good). */
  maxAttempts: number;
}

/** Exponential back-off: base, 2·base, 4·base, … up to the cap, for the `attempts`-th failure in a row (1-based). */
export function backoffMs(attempts: number, policy: Pick<BackoffPolicy, 'baseMs' | 'capMs'>): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 40);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exp);
}

/** A thumbnail as pages and the API address it: the hash names the bytes, so the URL never changes meaning. */
export interface ThumbnailRef {
  hash: string;
  mime: string;
  width: number;
  height: number;
}

/** A paper's two thumbnails: `card` for feed cards, `page` for its own page. */
export interface PaperThumbnails {
  card: ThumbnailRef;
  page: ThumbnailRef;
}

/** File extension of a thumbnail's media type (`/thumbs/{hash}.{ext}`). */
export function thumbnailExt(mime: string): 'webp' | 'png' {
  return mime === 'image/png' ? 'png' : 'webp';
}

/** Plain text fit for both stores: no NUL (PostgreSQL rejects it), no lone surrogates, capped. */
export function storableText(text: string, maxChars: number): string {
  // Cut first, then clean: a cut through a surrogate pair leaves a lone half, which is replaced.
  const cut = text.length > maxChars ? text.slice(0, maxChars) : text;
  return cut.replace(/\u0000/g, '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The site path of a thumbnail: `/thumbs/{hash}.webp`. */
export function thumbnailPath(t: Pick<ThumbnailRef, 'hash' | 'mime'>): string {
  return sitePaths.thumbnail(t.hash, thumbnailExt(t.mime));
}
