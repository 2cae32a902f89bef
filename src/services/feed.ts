import type { FeedItem } from '../domain/paper.ts';
import { periodOf, type Period } from '../domain/period.ts';
import type { Store } from '../store/store.ts';
import type { FeedFilter, FeedOrder } from '../store/feed.ts';

export interface PeriodPage {
  period: Period;
  items: FeedItem[];
  /** Papers in the whole period (for paging). */
  total: number;
  /** The nearest periods of the same kind that have papers (empty ones are skipped). */
  previous: Period | null;
  next: Period | null;
}

/** Reads the daily feed: the newest day, or a given day, week or month, with its neighbours that have papers. */
export class FeedService {
  constructor(private readonly store: Store) {}

  /** The newest feed day with a visible paper, or null for an empty feed. */
  newestDay(): Promise<string | null> {
    return this.store.feed.newestDay();
  }

  /** A day, week or month of the feed: most upvoted first, then feed position; optionally one category, or without what a reader has seen. */
  async period(period: Period, opts: { limit?: number; offset?: number; filter?: FeedFilter; order?: FeedOrder } = {}): Promise<PeriodPage> {
    const limit = opts.limit ?? 50;
    const offset = opts.offset ?? 0;
    const filter = opts.filter ?? {};
    const [items, before, after] = await Promise.all([
      this.store.feed.items(period.from, period.to, { limit, offset, ...filter, order: opts.order }),
      // With a category, previous / next skip periods without papers in it.
      this.store.feed.adjacentDay(period.from, 'before', false, { category: filter.category }),
      this.store.feed.adjacentDay(period.to, 'after', false, { category: filter.category }),
    ]);
    // A short page is the last one: its length gives the total without counting.
    const total = items.length < limit && (items.length > 0 || offset === 0) ? offset + items.length : await this.store.feed.countItems(period.from, period.to, filter);
    return {
      period,
      items,
      total,
      previous: before ? periodOf(period.kind, before) : null,
      next: after ? periodOf(period.kind, after) : null,
    };
  }
}
