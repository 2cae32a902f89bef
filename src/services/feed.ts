import type { FeedItem } from '../domain/paper.ts';
import { addDays, periodContaining, type Period } from '../domain/periods.ts';
import { TRENDING_WINDOW_DAYS, rankTrending } from '../domain/trending.ts';
import type { Store } from '../store/store.ts';

export interface FeedPage {
  day: string | null;
  items: FeedItem[];
  previousDay: string | null;
  nextDay: string | null;
}

export interface PeriodPage {
  period: Period;
  items: FeedItem[];
  /** Papers in the whole period (for paging). */
  total: number;
  /** The nearest periods of the same kind that have papers (empty ones are skipped). */
  previous: Period | null;
  next: Period | null;
}

/** How many recent feed items trending considers: the most upvoted of the window. */
const TRENDING_CANDIDATES = 1000;

/** Reads the daily feed: the newest day, or a given day, week or month, with its neighbours that have papers. */
export class FeedService {
  constructor(private readonly store: Store) {}

  async day(day?: string, limit = 50): Promise<FeedPage> {
    const d = day ?? (await this.store.feed.newestDay());
    if (!d) return { day: null, items: [], previousDay: null, nextDay: null };
    const [items, previousDay, nextDay] = await Promise.all([
      this.store.feed.items(d, d, { limit }),
      this.store.feed.adjacentDay(d, 'before'),
      this.store.feed.adjacentDay(d, 'after'),
    ]);
    return { day: d, items, previousDay, nextDay };
  }

  /** A day, week or month of the feed: most upvoted first, then feed position. */
  async period(period: Period, opts: { limit?: number; offset?: number } = {}): Promise<PeriodPage> {
    const limit = opts.limit ?? 50;
    const offset = opts.offset ?? 0;
    const [items, before, after] = await Promise.all([
      this.store.feed.items(period.from, period.to, { limit, offset }),
      this.store.feed.adjacentDay(period.from, 'before'),
      this.store.feed.adjacentDay(period.to, 'after'),
    ]);
    // A short page is the last one: its length gives the total without counting.
    const total = items.length < limit && (items.length > 0 || offset === 0) ? offset + items.length : await this.store.feed.countItems(period.from, period.to);
    return {
      period,
      items,
      total,
      previous: before ? periodContaining(period.kind, before) : null,
      next: after ? periodContaining(period.kind, after) : null,
    };
  }

  /**
   * Trending papers: recent feed items ranked by `rankTrending`. The clock is the newest feed day's
   * end when the feed has stopped (an archive or the demo set), so the page is never empty.
   */
  async trending(limit = 50, now = new Date()): Promise<{ items: FeedItem[]; asOf: Date }> {
    const newest = await this.store.feed.newestDay();
    if (!newest) return { items: [], asOf: now };
    const newestEnd = new Date(`${addDays(newest, 1)}T00:00:00Z`);
    const asOf = newestEnd < now ? newestEnd : now;
    const from = addDays(asOf.toISOString().slice(0, 10), -TRENDING_WINDOW_DAYS);
    const candidates = await this.store.feed.items(from, newest, { limit: TRENDING_CANDIDATES });
    const ranked = rankTrending(candidates, (i) => ({ upvotes: i.paper.upvotes, numComments: i.paper.numComments, since: i.entry.day }), asOf);
    return { items: ranked.slice(0, limit), asOf };
  }
}
