import type { ParsedQuery } from '../domain/search-query.ts';

/**
 * Highlights computed from the query and the text, the same for every keyword engine. Output is
 * either ranges, segments (for hono/jsx: render `match` segments in <mark>, no raw HTML) or an
 * HTML string built escape-then-mark, so text from the data is never emitted unescaped.
 */
export interface HighlightRange {
  start: number;
  end: number;
}

export interface HighlightSegment {
  text: string;
  match: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A light suffix stemmer, enough to mark `networks` for `network` and `learning` for `learn`:
 * highlighting only needs the query's words and the text's words to meet at the same stem.
 */
export function lightStem(word: string): string {
  let stem = STEMS.get(word);
  if (stem === undefined) {
    // Every word of every abstract shown passes here: a search result page was 1.3 ms of stemming.
    if (STEMS.size >= MAX_STEMS) STEMS.clear();
    STEMS.set(word, (stem = stemOnce(word)));
  }
  return stem;
}

const STEMS = new Map<string, string>();
const MAX_STEMS = 100_000;

function stemOnce(word: string): string {
  // Diacritics folded like FTS5's `remove_diacritics`: "café" marks "cafe".
  let w = word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  if (w.length <= 3) return w;
  for (const [suffix, repl] of [
    ['ational', 'ate'], ['ization', 'ize'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'],
    ['ations', 'ate'], ['ation', 'ate'], ['ities', 'ity'], ['ingly', ''], ['edly', ''],
    ['ies', 'y'], ['ing', ''], ['ed', ''], ['ly', ''], ['es', ''], ['s', ''],
  ] as const) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      if (suffix === 's' && (w.endsWith('ss') || w.endsWith('us') || w.endsWith('is'))) continue;
      w = w.slice(0, w.length - suffix.length) + repl;
      break;
    }
  }
  return w.replace(/e$/, '');
}

/** The stems a query marks: its words and the words of its phrases (not excluded words or authors). */
export function queryStems(q: ParsedQuery): Set<string> {
  return new Set([...q.terms, ...q.phrases.flat()].map(lightStem));
}

export function highlightRanges(text: string, stems: Set<string>): HighlightRange[] {
  if (!stems.size || !text) return [];
  const heads = stemHeads(stems);
  const out: HighlightRange[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    // Most words of an abstract share no head with any query stem: they are passed over without
    // normalising or stemming them (a page of 20 abstracts was 2–7 ms of this, more than the index).
    const head = asciiHead(word);
    if (head >= 0 && !heads.has(head)) continue;
    if (stems.has(lightStem(word.normalize('NFKC')))) out.push({ start: m.index!, end: m.index! + word.length });
  }
  return out;
}

/**
 * A word's first two characters as a number, folded as `stemOnce` folds them, when both (or the
 * one of a one-letter word) are ASCII; -1 otherwise. `stemOnce` never touches a word's first two
 * characters — a stem keeps at least them of a word of 4 or more, and is the word itself below
 * that — and a word (`WORD`: letters and digits, never a combining mark) keeps ASCII letters and
 * digits through NFKC and accent removal (lower-cased), so a word whose head is no stem's head
 * cannot have any of the stems.
 */
function asciiHead(word: string): number {
  const a = word.charCodeAt(0);
  const b = word.length > 1 ? word.charCodeAt(1) : 0;
  if (a >= 0x80 || b >= 0x80) return -1;
  return (lower(a) << 8) | lower(b);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/** The heads (`asciiHead`) of a query's stems, computed once per set of stems. */
const HEADS = new WeakMap<Set<string>, Set<number>>();
function stemHeads(stems: Set<string>): Set<number> {
  let heads = HEADS.get(stems);
  if (!heads) {
    heads = new Set();
    for (const s of stems) if (s) heads.add((lower(s.charCodeAt(0)) << 8) | (s.length > 1 ? lower(s.charCodeAt(1)) : 0));
    HEADS.set(stems, heads);
  }
  return heads;
}

export function segments(text: string, ranges: readonly HighlightRange[]): HighlightSegment[] {
  const out: HighlightSegment[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start > at) out.push({ text: text.slice(at, r.start), match: false });
    out.push({ text: text.slice(r.start, r.end), match: true });
    at = r.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false });
  return out;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escape-then-mark: every piece of text is escaped; only Paperboy's own `<mark>` tags are HTML. */
export function markHtml(segs: readonly HighlightSegment[]): string {
  return segs.map((s) => (s.match ? `<mark>${escapeHtml(s.text)}</mark>` : escapeHtml(s.text))).join('');
}

/**
 * A window of about `maxChars` around the densest run of matches (the start of the text when
 * nothing matches), cut at word boundaries, with an ellipsis where text was left out.
 */
export function snippet(text: string, ranges: readonly HighlightRange[], maxChars = 320): HighlightSegment[] {
  if (text.length <= maxChars) return segments(text, ranges);
  let bestStart = 0;
  let bestCount = 0;
  for (let i = 0, j = 0; i < ranges.length; i++) {
    while (ranges[j] && ranges[j].end - ranges[i].start <= maxChars) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      bestStart = ranges[i].start;
    }
  }
  let start = Math.max(0, bestStart - Math.floor(maxChars / 5));
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < bestStart ? space + 1 : start;
  }
  let end = Math.min(text.length, start + maxChars);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  const inside = ranges.filter((r) => r.start >= start && r.end <= end).map((r) => ({ start: r.start - start, end: r.end - start }));
  const segs = segments(text.slice(start, end), inside);
  if (start > 0) segs.unshift({ text: '… ', match: false });
  if (end < text.length) segs.push({ text: ' …', match: false });
  return segs;
}

/** How long a snippet of a PDF's text is: a line or two under the result, not a second abstract. */
export const PDF_SNIPPET_CHARS = 200;

/**
 * A short snippet of a paper's PDF text (its first pages, as the PDF step kept them) around the
 * query's words, for a result that only the PDF text matched; null when none of the words are in
 * it (the engines stem differently from `lightStem`, so a PDF-text hit may have nothing to mark).
 * Line breaks and runs of spaces from the PDF's layout read as one space.
 */
export function pdfTextSnippet(text: string, stems: Set<string>, maxChars = PDF_SNIPPET_CHARS): HighlightSegment[] | null {
  const flat = text.replace(/\s+/g, ' ').trim();
  const ranges = highlightRanges(flat, stems);
  return ranges.length ? snippet(flat, ranges, maxChars) : null;
}
