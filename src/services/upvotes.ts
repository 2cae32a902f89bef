import type { User } from '../domain/community.ts';
import type { Store } from '../store/store.ts';
import { visiblePaperOr404 } from './papers.ts';

export interface UpvoteState {
  paperId: string;
  upvoted: boolean;
  upvotes: number;
}

/** One upvote per user per paper; adding twice or removing twice changes nothing. */
export class UpvoteService {
  constructor(private readonly store: Store) {}

  async set(user: User, paperId: string, upvoted: boolean): Promise<UpvoteState> {
    await visiblePaperOr404(this.store, paperId);
    if (upvoted) await this.store.upvotes.add(user.id, paperId);
    else await this.store.upvotes.remove(user.id, paperId);
    const after = await this.store.papers.get(paperId);
    return { paperId, upvoted, upvotes: after!.upvotes };
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
