import type { User } from '../domain/community.ts';
import type { Store } from '../store/store.ts';
import { visiblePaperOr404 } from './papers.ts';
import type { ContentChanges } from './content-changes.ts';

export interface UpvoteState {
  paperId: string;
  upvoted: boolean;
  upvotes: number;
}

/** One upvote per user per paper; adding twice or removing twice changes nothing. */
export class UpvoteService {
  constructor(
    private readonly store: Store,
    /** Told of every vote that changed a count, with the paper's feed day (the page cache makes stale only what it can change). */
    private readonly changes?: ContentChanges,
  ) {}

  async set(user: User, paperId: string, upvoted: boolean): Promise<UpvoteState> {
    await visiblePaperOr404(this.store, paperId);
    const { changed, upvotes } = await this.store.upvotes.set(user.id, paperId, upvoted);
    if (changed && this.changes) {
      const entry = await this.store.feed.entryFor(paperId);
      this.changes.notify({ kind: 'vote', paperId, days: entry ? [entry.day] : [] });
    }
    return { paperId, upvoted, upvotes };
  }

  /** Which of `paperIds` the user has upvoted (for the cards of a list). */
  votedAmong(userId: number, paperIds: string[]): Promise<Set<string>> {
    return this.store.upvotes.votedAmong(userId, paperIds);
  }

  /** Flips the user's vote (for forms that do not say which state they want). */
  async toggle(user: User, paperId: string): Promise<UpvoteState> {
    return this.set(user, paperId, !(await this.store.upvotes.has(user.id, paperId)));
  }
}
