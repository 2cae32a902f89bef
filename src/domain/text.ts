/**
 * Joins hard line breaks and collapses runs of whitespace; LaTeX is left as written. The rule
 * (`WHITESPACE_TO_COLLAPSE`): a run of two or more whitespace characters, or a single whitespace
 * character that is not a plain space, becomes one space.
 *
 * Most text (nearly every abstract, title and author of an import) holds no whitespace but the
 * plain space and the newline: there the rule is "every newline becomes a space, then runs of
 * spaces become one", done with string searches instead of the regex, whose replace cost a
 * fifth of an import's parse time. Anything else takes the regex (tests/domain/text.test.ts
 * holds the two equal).
 */
export const WHITESPACE_TO_COLLAPSE = /\s{2,}|[\t\n\r\f\v\u00a0\u2028\u2029]/g;
/** Whitespace other than the plain space and the newline. */
const OTHER_WHITESPACE = /[^\S \n]/;
const NEWLINES = /\n/g;
const SPACE_RUNS = / {2,}/g;

/** ES2024's well-formedness check (Node 20 has it; the ES2023 lib does not declare it). */
type WellFormable = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * `normalizeText(s, plain)`: `plain` promises that `s` is ASCII and holds no whitespace but the
 * plain space and the newline, as an import knows of every string parsed from a line that is
 * (`plainJsonLine`, src/ingest/parse-lines.ts). The checks for other whitespace and lone
 * surrogates are then left out: over an abstract the whitespace regex alone cost more than the
 * whole normalisation (bench/import, round 23).
 */
export function normalizeText(s: string | null | undefined, plain = false): string {
  if (!s) return '';
  if (!plain) {
    // A lone surrogate has no UTF-8: PostgreSQL would get one U+FFFD for it and SQLite the three bytes
    // V8 writes (read back as three), so the stores would hold different text. One U+FFFD on both.
    if (!(s as WellFormable).isWellFormed()) s = (s as WellFormable).toWellFormed();
    if (OTHER_WHITESPACE.test(s)) return s.replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
  }
  // A regex replace, not `replaceAll`: V8 builds `replaceAll`'s result as a rope of pieces, which
  // the `trim` after it copied flat again, slowly (3 µs an abstract against 1 µs, bench/import).
  const joined = s.includes('\n') ? s.replace(NEWLINES, ' ') : s;
  return (joined.includes('  ') ? joined.replace(SPACE_RUNS, ' ') : joined).trim();
}

export function normalizeOptional(s: string | null | undefined, plain = false): string | null {
  const t = normalizeText(s, plain);
  return t === '' ? null : t;
}

/** The first sentence of an abstract (for digests and cards). */
export function firstSentence(s: string, max = 300): string {
  const m = /^(.+?[.!?])(\s+[A-Z(\\$]|$)/.exec(s);
  const out = m ? m[1] : s;
  return out.length > max ? out.slice(0, max - 1).trimEnd() + '…' : out;
}
