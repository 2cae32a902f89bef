import { canonicalPaperId } from '../domain/arxiv-id.ts';
import { badRequest } from './errors.ts';

/**
 * Route parameter for a paper id: old-style arXiv ids contain a slash (`hep-th/9901001`), so the
 * pattern accepts `archive/NNNNNNN` as one segment pair, and anything without a slash otherwise.
 */
export const PAPER_ID = ':id{[a-z][a-z.-]*(?:\\.[A-Z]{2})?/\\d{7}(?:v\\d+)?|[^/]+}';

/** The largest row id (a 32-bit signed integer: PostgreSQL's `integer`). */
export const MAX_ROW_ID = 2_147_483_647;

/** A row id written in a URL: digits, at most MAX_ROW_ID. */
export function isRowId(v: string): boolean {
  return /^\d{1,10}$/.test(v) && Number(v) <= MAX_ROW_ID;
}

/** The URL path of a paper's page or API resource (old-style ids keep their slash): src/domain/site-paths.ts. */
export { paperPath } from '../domain/site-paths.ts';

/**
 * The one parser of a paper id taken from a request (path, form or body): its canonical form
 * (`2401.01234v2` → `2401.01234`, an arXiv URL → its id), or a 400 `bad_paper_id` naming it.
 */
export function paperIdFromPath(raw: string): string {
  const id = canonicalPaperId(raw);
  if (!id) throw badRequest(`"${raw.slice(0, 100)}" is not a paper id (expected e.g. 2401.01234, hep-th/9901001 or source:id)`, 'bad_paper_id');
  return id;
}

const PAGE_ID_RE = /^(?:[a-z][a-z.-]*(?:\.[A-Z]{2})?\/\d{7}|[^/]+)$/;

/**
 * `/papers/hep-th/9901001` → `hep-th/9901001`: the paper page's wildcard route reads its id from the
 * path (Hono cannot match a slash inside a parameter beside the static `/papers/…` routes); null
 * when the rest of the path is not a paper id, so the next route may answer.
 */
export function paperIdFromPagePath(path: string): string | null {
  let id: string;
  try {
    id = decodeURIComponent(path.slice('/papers/'.length));
  } catch {
    return null;
  }
  return id && id.length <= 200 && PAGE_ID_RE.test(id) ? id : null;
}
