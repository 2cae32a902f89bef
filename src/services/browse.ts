import type { FeedItem } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';

/** How long the search filter's category list is reused: one grouped query over every paper. */
const CATEGORY_TTL_MS = 300_000;

/** The site's reads beyond the feed and search: an author's papers, title suggestions, the category list. */
export class BrowseService {
  private categoryCache: { at: number; list: string[] } | undefined;

  constructor(private readonly store: Store) {}

  /** Visible papers listing any of `names` exactly among their authors (a verified author's name variants), newest feed day first. */
  byAnyAuthor(names: readonly string[], opts: { limit?: number; offset?: number } = {}): Promise<FeedItem[]> {
    return this.store.browse.byAnyAuthor(names, opts);
  }

  /** Titles containing `text`, most upvoted first: search suggestions as you type. */
  suggestTitles(text: string, limit = 8): Promise<Array<{ id: string; title: string }>> {
    return this.store.browse.suggestTitles(text, limit);
  }

  /** Primary categories with visible papers, sorted by name, for the search filter (remembered a few minutes). */
  async categories(now = Date.now()): Promise<string[]> {
    if (!this.categoryCache || now - this.categoryCache.at > CATEGORY_TTL_MS) {
      this.categoryCache = { at: now, list: (await this.store.browse.categories(300)).map((x) => x.category).sort() };
    }
    return this.categoryCache.list;
  }
}
