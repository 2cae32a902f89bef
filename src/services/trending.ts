import type { FeedItem } from '../domain/paper.ts';
import { rankTrending, trendingWindow } from '../domain/trending.ts';
import type { Store } from '../store/store.ts';

/** At most this many feed items are scored: a week of a busy feed. */
const MAX_CANDIDATES = 5000;

export interface TrendingPage {
  items: FeedItem[];
  /** How many papers are trending in all (for "is there a next page"). */
  total: number;
  /** The moment the scores are computed for; null when the feed is empty. */
  asOf: Date | null;
}

/**
 * Trending papers as of a moment: the feed items of the trending window ending then, ranked by
 * `trendingScore` (age counted from the day a paper reached the feed). The moment is `now`, or
 * the end of `until` when that is earlier, or the end of the newest feed day when the feed is
 * older than the window — so an instance that stopped harvesting still shows what was trending
 * last, and `?week=...&sort=trending` means "trending at the end of that week". Ranks on narrow
 * rows and loads only the requested page's papers. The digest calls it too, for the whole ranked
 * period (`maxCandidates` raised to the period's size: it filters by each reader's categories, so
 * it needs the full list, not the newest 5,000).
 */
export async function trendingItems(
  store: Store,
  opts: { now?: Date; from?: string; until?: string; submittedBy?: string; offset?: number; limit?: number; maxCandidates?: number; unseenBy?: number } = {},
): Promise<TrendingPage> {
  const now = opts.now ?? new Date();
  const newest = await store.feed.newestDay();
  if (!newest) return { items: [], total: 0, asOf: null };
  const { from: windowStart, to: lastDay, at } = trendingWindow(now, newest, opts.until);
  const from = opts.from && opts.from > windowStart ? opts.from : windowStart;
  if (from > lastDay) return { items: [], total: 0, asOf: at };
  const facts = await store.feed.rankingFacts(from, lastDay, { limit: opts.maxCandidates ?? MAX_CANDIDATES, submittedBy: opts.submittedBy, unseenBy: opts.unseenBy });
  const ranked = rankTrending(facts, (f) => ({ upvotes: f.upvotes, numComments: f.numComments, since: f.entry.day }), at);
  const offset = opts.offset ?? 0;
  const page = ranked.slice(offset, offset + (opts.limit ?? ranked.length));
  const papers = new Map((await store.papers.visibleMany(page.map((f) => f.entry.paperId))).map((p) => [p.id, p]));
  const items = page.filter((f) => papers.has(f.entry.paperId)).map((f) => ({ entry: f.entry, paper: papers.get(f.entry.paperId)! }));
  return { items, total: ranked.length, asOf: at };
}

export interface TrendingOptions {
  now?: Date;
  /** Only papers from this feed day on (inside the window). */
  from?: string;
  /** Trending as of the end of this day (e.g. a past week's digest). */
  until?: string;
  submittedBy?: string;
  limit?: number;
}

/** The one trending list as a service: /papers/trending, the API's `sort=trending`, feeds and the digest use it. */
export class TrendingService {
  constructor(private readonly store: Store) {}

  async items(opts: TrendingOptions = {}): Promise<{ items: FeedItem[]; asOf: Date | null }> {
    const { items, asOf } = await trendingItems(this.store, { ...opts, limit: opts.limit ?? 50 });
    return { items, asOf };
  }
}
