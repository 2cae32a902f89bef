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

/** The URL path of a paper's page or API resource (old-style ids keep their slash). */
export function paperPath(id: string): string {
  return id
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%3A/gi, ':'))
    .join('/');
}
