/** Joins hard line breaks and collapses runs of whitespace; LaTeX is left as written. */
export function normalizeText(s: string | null | undefined): string {
  if (!s) return '';
  return s.replace(/\s+/g, ' ').trim();
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
