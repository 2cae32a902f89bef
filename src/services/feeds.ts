import { feedItem, itemExtras, newestDate, type FeedDocument, type FeedDocumentItem } from '../domain/feed-document.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { trendingItems } from './trending.ts';
import { sitePaths } from '../domain/site-paths.ts';

/** Items per feed: enough for a day's reading, small enough for a feed reader to poll. */
export const FEED_ITEMS = 50;

/** Where things live on the site, from the HTTP layer: the absolute base URL and a paper page's path. */
export interface SiteLinks {
  base: string;
  paperPage(id: string): string;
}

/** The search the search feed runs (the search service's ranking). */
export type PaperSearch = (query: string, limit: number) => Promise<PaperWithStats[]>;

/**
 * Builds the feeds' content. Every date in a feed comes from its items (never "now"), so the same
 * content gives the same document byte for byte, and ETag / Last-Modified change only with it.
 */
export class FeedsService {
  constructor(
    private readonly store: Store,
    private readonly findPapers: PaperSearch,
  ) {}

  /** The document of these papers (each with the date it entered the feed), their enrichments read in one query. */
  private async doc(
    site: SiteLinks,
    d: Omit<FeedDocument, 'updated' | 'pageUrl' | 'selfUrls' | 'items'> & { page: string; self: string; query?: string; papers: Array<{ paper: PaperWithStats; date: string | null }> },
  ): Promise<FeedDocument> {
    const found = await this.store.enrichment.forPapers(d.papers.map((x) => x.paper.id));
    const items: FeedDocumentItem[] = d.papers.map(({ paper, date }) => feedItem(paper, date, site.base, site.paperPage(paper.id), itemExtras(found.get(paper.id), site.base)));
    return {
      title: d.title,
      description: d.description,
      pageUrl: `${site.base}${d.page}`,
      selfUrls: { rss: `${site.base}${d.self}.rss${d.query ?? ''}`, atom: `${site.base}${d.self}.atom${d.query ?? ''}` },
      items,
      updated: newestDate(items),
    };
  }

  async daily(site: SiteLinks): Promise<FeedDocument> {
    const items = await this.store.feed.itemsNewestFirst('0000-01-01', '9999-12-31', { limit: FEED_ITEMS });
    return this.doc(site, {
      title: 'Paperboy · Daily papers',
      description: 'New research papers, day by day.',
      page: sitePaths.home(),
      self: sitePaths.feeds.daily(),
      papers: items.map((i) => ({ paper: i.paper, date: i.entry.day })),
    });
  }

  async trending(site: SiteLinks, now?: Date): Promise<FeedDocument> {
    const { items } = await trendingItems(this.store, { now, limit: FEED_ITEMS });
    return this.doc(site, {
      title: 'Paperboy · Trending papers',
      description: 'The papers the community is upvoting and discussing this week.',
      page: sitePaths.trending(),
      self: sitePaths.feeds.trending(),
      papers: items.map((i) => ({ paper: i.paper, date: i.entry.day })),
    });
  }

  async search(site: SiteLinks, query: string): Promise<FeedDocument> {
    const papers = await this.findPapers(query, FEED_ITEMS);
    return this.doc(site, {
      title: `Paperboy · Search: ${query}`,
      description: `Papers matching “${query}”.`,
      page: sitePaths.search({ q: query }),
      self: sitePaths.feeds.search(),
      query: `?q=${encodeURIComponent(query)}`,
      papers: papers.map((paper) => ({ paper, date: null })),
    });
  }

  async category(site: SiteLinks, category: string): Promise<FeedDocument> {
    const papers = await this.store.papers.listByCategory(category, FEED_ITEMS);
    return this.doc(site, {
      title: `Paperboy · ${category}`,
      description: `New papers in ${category}.`,
      page: sitePaths.category(category),
      self: sitePaths.feeds.category(category),
      papers: papers.map((paper) => ({ paper, date: null })),
    });
  }

  /** Null when there is no public collection with this id. */
  async collection(site: SiteLinks, id: number): Promise<FeedDocument | null> {
    const c = await this.store.collectionFeeds.getPublic(id);
    if (!c) return null;
    const papers = await this.store.collectionFeeds.papers(id, FEED_ITEMS);
    return this.doc(site, {
      title: `Paperboy · ${c.name} (by ${c.owner})`,
      description: c.description ?? `A reading list by ${c.owner}.`,
      page: sitePaths.collection(id),
      self: sitePaths.feeds.collection(id),
      papers: papers.map((x) => ({ paper: x.paper, date: x.addedAt })),
    });
  }
}
