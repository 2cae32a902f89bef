import type { FeedItem, Paper } from './paper.ts';

/** What a reader told Paperboy about their interests (cold start) and what they follow. Pure. */
export type InterestKind = 'category' | 'author' | 'paper';
/** `org` follows an organisation by its slug (`/orgs/{slug}`). */
export type FollowKind = 'author' | 'category' | 'search' | 'org';

export interface Interest {
  id: number;
  userId: number;
  kind: InterestKind;
  value: string;
  createdAt: string;
}

export interface Follow {
  id: number;
  userId: number;
  kind: FollowKind;
  value: string;
  createdAt: string;
}

export const MAX_FOLLOW_VALUE = 200;

/** Trims and collapses spaces; categories keep arXiv's case (`cs.CV`). Returns null when empty or too long. */
export function normalizeValue(value: string): string | null {
  const v = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  return v.length === 0 || v.length > MAX_FOLLOW_VALUE ? null : v;
}

/** Letters NFKD does not decompose into a base letter and an accent (Skłodowska, Ørsted, Đoković, Weiß). */
const UNDECOMPOSED: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ð: 'd', ħ: 'h' };

const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[łøđßæœıþðħ]/g, (c) => UNDECOMPOSED[c]);

/** One key per thing a reader may follow, equal for the values the matching treats as the same (author names folded). */
export function followKey(kind: FollowKind, value: string): string {
  const v = normalizeValue(value) ?? '';
  return `${kind}:${kind === 'category' || kind === 'org' ? v : fold(v)}`;
}

/** The words a saved search needs: every word must appear in the title or abstract ("quoted phrases" as phrases, `-word` excluded). */
export function parseSavedSearch(q: string): { must: string[]; not: string[] } {
  const must: string[] = [];
  const not: string[] = [];
  for (const m of fold(q).matchAll(/(-?)"([^"]+)"|(-?)([^\s"]+)/g)) {
    const neg = (m[1] || m[3]) === '-';
    const term = (m[2] ?? m[4] ?? '').replace(/[^\p{L}\p{N}\s.+#-]/gu, ' ').trim().replace(/\s+/g, ' ');
    if (!term) continue;
    (neg ? not : must).push(term);
  }
  return { must, not };
}

function containsTerm(text: string, term: string): boolean {
  // Whole words only: "art" does not match "state-of-the-artist".
  let from = 0;
  for (;;) {
    const i = text.indexOf(term, from);
    if (i < 0) return false;
    const before = i === 0 ? ' ' : text[i - 1];
    const after = i + term.length >= text.length ? ' ' : text[i + term.length];
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
    from = i + 1;
  }
}

type FollowablePaper = Pick<Paper, 'title' | 'abstract' | 'authors' | 'categories'>;

/**
 * A paper's folded forms, computed once per paper object: the digest matches every reader's follows
 * against the same period's papers, so folding each title and abstract once instead of once per
 * reader and follow is most of its matching cost.
 */
const foldedPapers = new WeakMap<FollowablePaper, { text: string; authors: Set<string> }>();
function foldedPaper(p: FollowablePaper): { text: string; authors: Set<string> } {
  let f = foldedPapers.get(p);
  if (!f) foldedPapers.set(p, (f = { text: fold(`${p.title} ${p.abstract}`).replace(/\s+/g, ' '), authors: new Set(p.authors.map(fold)) }));
  return f;
}

const parsedSearches = new Map<string, ReturnType<typeof parseSavedSearch>>();
function parsedSearch(q: string): ReturnType<typeof parseSavedSearch> {
  let r = parsedSearches.get(q);
  if (!r) {
    if (parsedSearches.size > 10_000) parsedSearches.clear();
    parsedSearches.set(q, (r = parseSavedSearch(q)));
  }
  return r;
}

/**
 * Whether a paper is news for a follow: by the author, in the category, matching the saved search,
 * or from the organisation (`orgs`: the slugs of the organisations the paper belongs to).
 */
export function matchesFollow(p: FollowablePaper, f: Pick<Follow, 'kind' | 'value'>, orgs?: readonly string[]): boolean {
  if (f.kind === 'org') return orgs?.includes(f.value) ?? false;
  if (f.kind === 'category') {
    const v = f.value.toLowerCase();
    // `cs` follows every cs.* category; `cs.CV` just that one.
    return p.categories.some((c) => c.toLowerCase() === v || (!v.includes('.') && c.toLowerCase().startsWith(`${v}.`)));
  }
  if (f.kind === 'author') return foldedPaper(p).authors.has(fold(f.value));
  const { must, not } = parsedSearch(f.value);
  if (!must.length) return false;
  const text = foldedPaper(p).text;
  return must.every((t) => containsTerm(text, t)) && !not.some((t) => containsTerm(text, t));
}

export interface FollowedItem {
  item: FeedItem;
  /** The reader's follows this paper matches. */
  matched: Follow[];
}

/**
 * The items that match any of the reader's follows, newest feed day first and each day in feed
 * order: what the Following page, the API and the digest show.
 */
export function followedItems(items: readonly FeedItem[], follows: readonly Follow[], orgsOf?: ReadonlyMap<string, readonly string[]>): FollowedItem[] {
  if (!follows.length) return [];
  const out: FollowedItem[] = [];
  for (const item of items) {
    const matched = follows.filter((f) => matchesFollow(item.paper, f, orgsOf?.get(item.paper.id)));
    if (matched.length) out.push({ item, matched });
  }
  return out.sort((a, b) => (a.item.entry.day < b.item.entry.day ? 1 : a.item.entry.day > b.item.entry.day ? -1 : a.item.entry.position - b.item.entry.position));
}

/**
 * Why a followed paper is news, in words: "by Jane Doe, whom you follow" (the author as the paper
 * spells the name), "in cs.CV, which you follow", "matches your saved search “diffusion”".
 */
export function followReason(p: Pick<Paper, 'authors'>, matched: readonly Pick<Follow, 'kind' | 'value'>[], orgNames?: ReadonlyMap<string, string>): string {
  return matched
    .map((f) => {
      if (f.kind === 'org') return `from ${orgNames?.get(f.value) ?? f.value}, which you follow`;
      if (f.kind === 'author') return `by ${p.authors.find((a) => fold(a) === fold(f.value)) ?? f.value}, whom you follow`;
      if (f.kind === 'category') return `in ${f.value}, which you follow`;
      return `matches your saved search “${f.value}”`;
    })
    .join('; ');
}

/** Whether `s` is a real calendar day written YYYY-MM-DD. */
export function isoDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}
