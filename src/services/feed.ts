import type { FeedItem } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';

export interface FeedPage {
  day: string | null;
  items: FeedItem[];
  previousDay: string | null;
  nextDay: string | null;
}

/** Reads the daily feed: the newest day, or a given day, with its neighbours that have papers. */
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
}
