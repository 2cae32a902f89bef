import { parseArxivId } from '../domain/arxiv-id.ts';
import { SEARCH_SORTS, type ParsedQuery, type SearchSort } from '../domain/search-query.ts';

/**
 * The search query language, parsed without I/O:
 *   words                     ranked, any of them (stopwords dropped unless the query is only stopwords)
 *   "exact phrase"            must occur, words adjacent (an unclosed quote runs to the end)
 *   -word  -"some phrase"     must not occur
 *   author:hinton  author:"geoffrey hinton"   an author's name contains these words
 *   category:cs.LG  (cat:)    one of the paper's categories
 *   from:2024-01-01  to:2024  publication date bounds, inclusive (YYYY, YYYY-MM or YYYY-MM-DD)
 *   sort:relevance|date|upvotes
 * A query that is an arXiv id or arXiv URL sets `paperId`. Anything else (FTS syntax characters,
 * emoji, 10 kB of text) parses to words or to nothing: the parser never throws.
 */
/**
 * The one sort vocabulary of the site, the API, the CLI and `sort:` in queries. Older words are
 * accepted as aliases (the site used to say `newest`) and every link and form emits the canonical one.
 */
const SORT_ALIASES: Record<string, SearchSort> = { newest: 'date' };

/** `date` → `date`, `Newest` → `date`; null when the word is no sort. */
export function parseSort(raw: string): SearchSort | null {
  const s = raw.trim().toLowerCase();
  if ((SEARCH_SORTS as readonly string[]).includes(s)) return s as SearchSort;
  return SORT_ALIASES[s] ?? null;
}

export const QUERY_LIMITS = { chars: 1000, terms: 32, phrases: 8, excluded: 16, authors: 4, categories: 4, phraseWords: 16 } as const;

export const STOPWORDS = new Set(
  'a an and are as at be but by for from has have if in into is it its of on or our such that the their then there these they this to was we were will with via can do does not no than which while using based towards toward'.split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased words of a text, diacritics kept but compatibility forms folded (ﬁ → fi). */
export function words(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().match(WORD) ?? []).slice(0, 4096);
}

const CATEGORY = /^[a-z][a-z-]*(\.[a-z][a-z-]*)?$/i;

/** `2024` → 2024-01-01 (from) / 2024-12-31 (to); `2024-03` → first / last day; null when not a date. */
export function normaliseDate(raw: string, end: 'from' | 'to'): string | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(raw.trim());
  if (!m) return null;
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : end === 'from' ? 1 : 12;
  if (mo < 1 || mo > 12 || y < 1900 || y > 2999) return null;
  const lastDay = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const d = m[3] ? Number(m[3]) : end === 'from' ? 1 : lastDay;
  if (d < 1 || d > lastDay) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

interface Token {
  negated: boolean;
  field: string | null;
  value: string;
  quoted: boolean;
}

/** Splits the raw query into tokens: [-][field:]value or [-][field:]"quoted value". */
function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    let negated = false;
    if (s[i] === '-' && i + 1 < s.length && !/\s/.test(s[i + 1])) {
      negated = true;
      i++;
    }
    let field: string | null = null;
    const fm = /^([a-zA-Z]+):(?=\S)/.exec(s.slice(i, i + 20));
    if (fm) {
      field = fm[1].toLowerCase();
      i += fm[0].length;
    }
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1);
      const value = end < 0 ? s.slice(i + 1) : s.slice(i + 1, end);
      i = end < 0 ? s.length : end + 1;
      out.push({ negated, field, value, quoted: true });
    } else {
      let j = i;
      while (j < s.length && !/\s/.test(s[j]) && s[j] !== '"') j++;
      out.push({ negated, field, value: s.slice(i, j), quoted: false });
      i = j;
    }
  }
  return out;
}

function pushUnique(list: string[][], item: string[], max: number): void {
  if (!item.length || list.length >= max) return;
  const key = item.join(' ');
  if (!list.some((x) => x.join(' ') === key)) list.push(item);
}

export function parseQuery(input: unknown): ParsedQuery {
  let raw = typeof input === 'string' ? input : '';
  const q: ParsedQuery = { raw, terms: [], phrases: [], excluded: [], authors: [], categories: [], warnings: [] };
  if (raw.length > QUERY_LIMITS.chars) {
    q.warnings.push(`query cut to its first ${QUERY_LIMITS.chars} characters`);
    raw = raw.slice(0, QUERY_LIMITS.chars);
  }
  // eslint-disable-next-line no-control-regex
  raw = raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  q.raw = raw;
  if (!raw) return q;

  const id = raw.includes(' ') ? null : parseArxivId(raw);
  if (id) {
    q.paperId = id.id;
    return q;
  }

  const allWords: string[] = [];
  for (const t of tokenize(raw)) {
    const field = t.field;
    if (field === 'author' || field === 'authors' || field === 'au') {
      if (t.negated) pushUnique(q.excluded, words(t.value), QUERY_LIMITS.excluded);
      else pushUnique(q.authors, words(t.value).slice(0, QUERY_LIMITS.phraseWords), QUERY_LIMITS.authors);
      continue;
    }
    if (field === 'category' || field === 'cat') {
      if (CATEGORY.test(t.value) && q.categories.length < QUERY_LIMITS.categories) {
        if (!q.categories.some((c) => c.toLowerCase() === t.value.toLowerCase())) q.categories.push(t.value);
      } else q.warnings.push(`ignored category "${t.value.slice(0, 40)}"`);
      continue;
    }
    if (field === 'from' || field === 'to') {
      const d = normaliseDate(t.value, field);
      if (d) q[field] = d;
      else q.warnings.push(`ignored ${field}:"${t.value.slice(0, 40)}" (expected YYYY, YYYY-MM or YYYY-MM-DD)`);
      continue;
    }
    if (field === 'sort') {
      const s = parseSort(t.value);
      if (s) q.sort = s;
      else q.warnings.push(`ignored sort:"${t.value.slice(0, 40)}" (relevance, date or upvotes)`);
      continue;
    }
    // An unknown field is just more words: "title:attention" searches for "title attention".
    const w = words((field ? field + ' ' : '') + t.value);
    if (t.negated) {
      if (t.quoted) pushUnique(q.excluded, w.slice(0, QUERY_LIMITS.phraseWords), QUERY_LIMITS.excluded);
      else for (const x of w) pushUnique(q.excluded, [x], QUERY_LIMITS.excluded);
    } else if (t.quoted && w.length > 1) {
      pushUnique(q.phrases, w.slice(0, QUERY_LIMITS.phraseWords), QUERY_LIMITS.phrases);
    } else {
      allWords.push(...w);
    }
  }
  const unique = [...new Set(allWords)];
  const content = unique.filter((w) => !STOPWORDS.has(w));
  q.terms = (content.length ? content : unique).slice(0, QUERY_LIMITS.terms);
  if (unique.length > QUERY_LIMITS.terms) q.warnings.push(`only the first ${QUERY_LIMITS.terms} words are searched`);
  return q;
}

/** Whether the query asks for any text (words, phrases or authors), rather than only filters. */
export function hasTextConstraint(q: ParsedQuery): boolean {
  return q.terms.length > 0 || q.phrases.length > 0 || q.authors.length > 0;
}
