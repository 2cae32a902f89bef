/** Joins hard line breaks and collapses runs of whitespace; LaTeX is left as written. */
// Runs of two or more, or any single whitespace that is not a plain space: several times faster
// than /\s+/ on abstracts, which are mostly single spaces.
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[\t\n\r\f\v\u00a0\u2028\u2029]/g;

export function normalizeText(s: string | null | undefined): string {
  if (!s) return '';
  return s.replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
}

export function normalizeOptional(s: string | null | undefined): string | null {
  const t = normalizeText(s);
  return t === '' ? null : t;
}

/** The first sentence of an abstract (for digests and cards). */
export function firstSentence(s: string, max = 300): string {
  const m = /^(.+?[.!?])(\s+[A-Z(\\$]|$)/.exec(s);
  const out = m ? m[1] : s;
  return out.length > max ? out.slice(0, max - 1).trimEnd() + '…' : out;
}
