import type { Collection, Comment, User } from '../domain/community.ts';
import type { FeedEntry, PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import type { CommentService } from './comments.ts';
import { paperNotFound } from './errors.ts';

/** The paper if readers may see it, else the one not-found answer (`paperNotFound`). */
export async function visiblePaperOr404(store: Store, id: string): Promise<PaperWithStats> {
  const paper = await store.papers.visible(id);
  if (!paper) throw paperNotFound(id);
  return paper;
}

/** What a paper's page and its discussion page show, for one viewer. */
export interface PaperPageData {
  paper: PaperWithStats;
  /** Its place on the daily feed, when it has one. */
  entry: FeedEntry | null;
  comments: Comment[];
  /** The viewer's own state (false / empty when signed out). */
  upvoted: boolean;
  collections: Collection[];
  inCollections: Set<number>;
}

/** Single papers as readers see them (hidden and withdrawn ones are not found). */
export class PaperService {
  constructor(
    private readonly store: Store,
    private readonly comments: CommentService,
  ) {}

  /** The visible paper by canonical id; a 404 `ServiceError` otherwise. */
  get(id: string): Promise<PaperWithStats> {
    return visiblePaperOr404(this.store, id);
  }

  /** Every visible paper, newest first, by keyset: pass the previous page's last paper as `after`. */
  newest(limit: number, after?: { publishedAt: string | null; id: string }): Promise<PaperWithStats[]> {
    return this.store.papers.listNewest(limit, after);
  }

  /** Everything a paper's page and its discussion page show, loaded at once; 404 for a paper readers may not see. */
  async page(id: string, viewer: User | null): Promise<PaperPageData> {
    // The paper and its feed entry in one read (through the visible-paper rule).
    const found = await this.store.papers.visibleWithEntry(id);
    if (!found) throw paperNotFound(id);
    const { paper, entry } = found;
    const [comments, upvoted, picker] = await Promise.all([
      this.comments.listOfVisible(paper),
      viewer ? this.store.upvotes.has(viewer.id, id) : false,
      // The viewer's collections and which of them hold the paper: one read.
      viewer ? this.store.collections.forUserHolding(viewer.id, id) : { collections: [], containing: new Set<number>() },
    ]);
    return { paper, entry, comments, upvoted, collections: picker.collections, inCollections: picker.containing };
  }

  /** Papers of the same primary category on the same feed day: the paper page's stand-in for similar papers. */
  async sameDayNeighbours(paper: PaperWithStats, entry: FeedEntry | null, limit: number): Promise<PaperWithStats[]> {
    if (!entry) return [];
    const sameDay = await this.store.feed.items(entry.day, entry.day, { limit: 200 });
    return sameDay
      .map((i) => i.paper)
      .filter((p) => p.id !== paper.id && p.primaryCategory === paper.primaryCategory)
      .slice(0, limit);
  }
}
