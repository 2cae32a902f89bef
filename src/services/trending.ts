import type { FeedItem } from '../domain/paper.ts';
import { rankTrending, trendingWindow } from '../domain/trending.ts';
import type { Store } from '../store/store.ts';

/** At most this many feed items are scored: a week of a busy feed. */
const MAX_CANDIDATES = 5000;

export interface TrendingOptions {
  now?: Date;
  /** Only papers from this feed day on (inside the window). */
  from?: string;
  /** Trending as of the end of this day (e.g. a past week's digest). */
  until?: string;
  submittedBy?: string;
  limit?: number;
}

/**
 * The one trending list: the feed items of the sliding window (`trendingWindow`) ranked by
 * `rankTrending`. /papers/trending, the API's `sort=trending` and the digest call this.
 */
export class TrendingService {
  constructor(private readonly store: Store) {}

  async items(opts: TrendingOptions = {}): Promise<{ items: FeedItem[]; asOf: Date | null }> {
    const newest = await this.store.feed.newestDay();
    if (!newest) return { items: [], asOf: null };
    const w = trendingWindow(opts.now ?? new Date(), newest, opts.until);
    const from = opts.from && opts.from > w.from ? opts.from : w.from;
    if (from > w.to) return { items: [], asOf: w.at };
    const candidates = await this.store.feed.items(from, w.to, { limit: MAX_CANDIDATES, submittedBy: opts.submittedBy });
    const ranked = rankTrending(candidates, (i) => ({ upvotes: i.paper.upvotes, numComments: i.paper.numComments, since: i.entry.day }), w.at);
    return { items: ranked.slice(0, opts.limit ?? 50), asOf: w.at };
  }
}
