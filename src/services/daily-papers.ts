import type { FeedItem } from '../domain/paper.ts';
import type { Period } from '../domain/period.ts';
import type { Store } from '../store/store.ts';
import { trendingItems } from './trending.ts';

export interface DailyPapersQuery {
  /** Only papers that reached the feed in this period; all days when absent. */
  period: Period | null;
  submitter?: string;
  /** `stars`: most GitHub stars of the paper's repository first (then upvotes). */
  sort: 'publishedAt' | 'trending' | 'stars';
  /** Zero-based page number. */
  page: number;
  limit: number;
  /** Leave out the papers this reader has seen (opened or marked). */
  unseenBy?: number;
  now?: Date;
}

export interface DailyPapersPage {
  items: FeedItem[];
  hasMore: boolean;
}

/** The Daily Papers list the API serves: the feed by period and submitter, newest or trending first. */
export class DailyPapersService {
  constructor(private readonly store: Store) {}

  async list(q: DailyPapersQuery): Promise<DailyPapersPage> {
    const offset = q.page * q.limit;
    if (q.sort === 'trending') {
      const ranked = await trendingItems(this.store, { now: q.now, from: q.period?.from, until: q.period?.to, submittedBy: q.submitter, offset, limit: q.limit, unseenBy: q.unseenBy });
      return { items: ranked.items, hasMore: ranked.total > offset + q.limit };
    }
    if (q.sort === 'stars') {
      const items = await this.store.feed.items(q.period?.from ?? '0000-01-01', q.period?.to ?? '9999-12-31', { limit: q.limit + 1, offset, submittedBy: q.submitter, unseenBy: q.unseenBy, order: 'stars' });
      return { items: items.slice(0, q.limit), hasMore: items.length > q.limit };
    }
    const items = await this.store.feed.itemsNewestFirst(q.period?.from ?? '0000-01-01', q.period?.to ?? '9999-12-31', {
      limit: q.limit + 1,
      offset,
      submittedBy: q.submitter,
      unseenBy: q.unseenBy,
    });
    return { items: items.slice(0, q.limit), hasMore: items.length > q.limit };
  }
}
