/**
 * The trending score, shared by /papers/trending, the API's `sort=trending` and the digest.
 *
 *   score = (upvotes + 0.5 · comments + 1) / (ageHours + 2) ^ 1.5
 *
 * A Hacker-News-style gravity: engagement counts, age decays it, so last week's hit gives way to
 * today's. The +1 lets a new paper with no votes rank by freshness; +2 hours keeps brand-new papers
 * from dividing by ~0. Papers older than the window are not trending at all.
 */
export const TRENDING_WINDOW_DAYS = 7;
export const TRENDING_GRAVITY = 1.5;

export interface TrendingInput {
  upvotes: number;
  numComments: number;
  /** When the paper reached the feed (ISO date or date-time). */
  since: string;
}

export function trendingScore(p: TrendingInput, now: Date): number {
  const t = Date.parse(p.since.length === 10 ? `${p.since}T00:00:00Z` : p.since);
  const ageHours = Math.max(0, (now.getTime() - t) / 3_600_000);
  if (ageHours > TRENDING_WINDOW_DAYS * 24) return 0;
  return (p.upvotes + 0.5 * p.numComments + 1) / Math.pow(ageHours + 2, TRENDING_GRAVITY);
}

/** Orders items by trending score, highest first (stable for ties). */
export function rankTrending<T>(items: T[], input: (t: T) => TrendingInput, now: Date): T[] {
  return items
    .map((item, i) => ({ item, i, s: trendingScore(input(item), now) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.item);
}

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The sliding window trending is computed over: the feed days `from`..`to` and the moment `at` the
 * scores are taken. `to` is today, or the newest feed day when the feed is older (an archive or the
 * demo set stays non-empty: it shows what was trending last), or `until` when that is earlier;
 * `at` is `now` or the end of `to`, whichever is earlier.
 */
export function trendingWindow(now: Date, newestDay: string, until?: string): { from: string; to: string; at: Date } {
  const to = [isoDay(now.getTime()), newestDay, until ?? '9999-12-31'].sort()[0];
  const endOfTo = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  return { from: isoDay(endOfTo - TRENDING_WINDOW_DAYS * DAY_MS), to, at: new Date(Math.min(now.getTime(), endOfTo)) };
}
