import type { Collection, Comment, User } from '../domain/community.ts';
import type { FeedItem, PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';

export interface Profile {
  profile: User;
  upvoted: PaperWithStats[];
  submitted: FeedItem[];
  comments: (Comment & { paperTitle: string })[];
  collections: Collection[];
}

/** A member's public page: what they upvoted, submitted, said and collected (private collections: only to themselves). */
export class ProfileService {
  constructor(private readonly store: Store) {}

  async profile(username: string, viewer: User | null): Promise<Profile> {
    const profile = await this.store.users.byUsername(username);
    if (!profile) throw new ServiceError(404, 'not_found', 'no such user');
    const [upvoted, submitted, comments, collections] = await Promise.all([
      this.store.upvotes.papersOf(profile.id),
      this.store.feed.submittedBy(profile.username),
      this.store.comments.byUser(profile.id),
      this.store.collections.forUser(profile.id, { publicOnly: viewer?.id !== profile.id }),
    ]);
    return { profile, upvoted, submitted, comments, collections };
  }
}
