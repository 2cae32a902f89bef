import { stemmer } from 'stemmer';

/**
 * The one analyser shared by the in-memory keyword index and the offline embedder: lower-cased
 * words (letters and digits, split at everything else), English stopwords dropped, Porter stems —
 * the same shape as FTS5's `porter unicode61`, so keyword scores agree across engines.
 */
const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can could ' +
    'did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into ' +
    'is it its itself just me more most my myself no nor not of off on once only or other our ours ourselves out over own same she should so ' +
    'some such than that the their theirs them themselves then there these they this those through to too under until up very was we were ' +
    'what when where which while who whom why will with would you your yours yourself yourselves via us may might must shall etc'
  ).split(' '),
);

/**
 * Each paper's title and abstract as the keyword index's build analysed them (`scanWordSpans` +
 * `analyseWord`): the stem ids of its words in order, stopwords left out — the title's, then the
 * abstract's, as in `paperText`'s "title. abstract". `paperboy reindex` hands it to the offline
 * embedder, which would otherwise analyse every text again (BENCHMARKS "Round 23 (branch
 * `reindex-cpu`)"). A paper's entry is good only for the text whose `contentHash` it carries.
 */
export interface AnalysedTexts {
  /** The stem of each id. */
  stems: readonly string[];
  /** Every recorded paper's stem ids, back to back. */
  tokens: Uint32Array;
  /** Paper id → its stream `tokens[start..end)` and the content hash of the paper it was read from. */
  papers: ReadonlyMap<string, { start: number; end: number; contentHash: string }>;
}

/** Longer "words" are base64, hashes or URLs glued together: not worth indexing. */
const MAX_WORD = 40;

const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 500_000;

function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = /^\p{N}+$/u.test(word) ? word : stemmer(word);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function isWordChar(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  return LETTER_OR_DIGIT.test(text[i]);
}

/**
 * Calls `onSpan` with each word of `text` as a span of the lower-cased (and, when not ASCII, NFKC
 * normalised) text, `lower.slice(start, end)`, with an FNV-1a hash of its char codes: a caller
 * that keeps its own table of words can look a word up without making a string of it.
 */
export function scanWordSpans(text: string, onSpan: (lower: string, start: number, end: number, hash: number) => void): void {
  let lower = text.toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(lower)) lower = lower.normalize('NFKC');
  const n = lower.length;
  let i = 0;
  while (i < n) {
    while (i < n && !isWordChar(lower.charCodeAt(i), lower, i)) i++;
    const start = i;
    let hash = 0x811c9dc5;
    for (let c: number; i < n && isWordChar((c = lower.charCodeAt(i)), lower, i); i++) hash = Math.imul(hash ^ c, 0x01000193);
    if (i === start) break;
    if (i - start > MAX_WORD) continue;
    onSpan(lower, start, i, hash);
  }
}

/**
 * Calls `onWord` with each lower-cased word of `text` (letters and digits, at most 40 characters),
 * stopwords included and not stemmed. `tokenize` is this plus `analyseWord`; the index build uses
 * it directly to analyse each distinct word once (a map from word to term id).
 */
export function scanWords(text: string, onWord: (word: string) => void): void {
  scanWordSpans(text, (lower, start, end) => onWord(lower.slice(start, end)));
}

/** A word from `scanWords` as an index term: its stem, or null for a stopword. */
export function analyseWord(word: string): string | null {
  return STOPWORDS.has(word) ? null : stem(word);
}

/** Stemmed terms of `text`, in order, stopwords removed. Scans char codes: a regex over every abstract costs more than the rest of indexing. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  scanWords(text, (w) => {
    if (!STOPWORDS.has(w)) out.push(stem(w));
  });
  return out;
}
