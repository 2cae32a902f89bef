/**
 * arXiv identifiers: new style `YYMM.NNNN(N)` and old style `archive(.SUBJ)/YYMMNNN`, each with an
 * optional `vN`. Canonical ids carry no version.
 */
const NEW_STYLE = /^(\d{4})\.(\d{4,5})(v(\d+))?$/;
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?)\/(\d{7})(v(\d+))?$/;

export interface ArxivId {
  id: string;
  version: number | null;
}

export function parseArxivId(raw: string): ArxivId | null {
  let s = raw.trim();
  s = s.replace(/^arxiv:/i, '');
  const url = /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\/(.+?)(?:\.pdf)?\/?(?:[?#].*)?$/i.exec(s);
  if (url) s = url[1];
  let m = NEW_STYLE.exec(s);
  if (m) {
    const month = Number(m[1].slice(2));
    if (month < 1 || month > 12) return null;
    // Five-digit numbers began in 1501; four-digit ones ended with 1412.
    if (m[2].length === 5 && Number(m[1]) < 1501) return null;
    if (m[2].length === 4 && Number(m[1]) >= 1501) return null;
    return { id: `${m[1]}.${m[2]}`, version: m[4] ? Number(m[4]) : null };
  }
  m = OLD_STYLE.exec(s);
  if (m) return { id: `${m[1]}/${m[2]}`, version: m[4] ? Number(m[4]) : null };
  return null;
}

export function isArxivId(raw: string): boolean {
  return parseArxivId(raw) !== null;
}

/** `<source>:<id>` ids for papers from elsewhere; sources are lower-case words. */
const SOURCE_ID = /^([a-z][a-z0-9_-]{0,31}):(\S{1,200})$/;

/** Canonical paper id for anything a user may type: arXiv id (any style), arXiv URL or `source:id`. */
export function canonicalPaperId(raw: string): string | null {
  const a = parseArxivId(raw);
  if (a) return a.id;
  return SOURCE_ID.test(raw.trim()) && !raw.trim().startsWith('arxiv:') ? raw.trim() : null;
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}
