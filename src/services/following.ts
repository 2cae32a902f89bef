import { followKey, followedItems, normalizeValue, parseSavedSearch, type Follow, type FollowKind, type FollowedItem } from '../domain/discovery.ts';
import type { FeedItem } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';
import { SLUG_RE } from '../domain/organisation.ts';

export type { FollowedItem };

export interface FollowingNews {
  follows: Follow[];
  since: string;
  items: FollowedItem[];
  /** Names of the followed organisations, by slug. */
  orgNames: Map<string, string>;
}

const MAX_FOLLOWS = 100;
/** At most this many feed items are matched per call: weeks of a busy feed. */
const MAX_SCANNED = 20_000;
const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

/**
 * Following authors, categories and saved searches. `newFor` is what the Following page and the API
 * show: the feed's papers since a day that match any of the reader's follows; `newAmong` is the
 * same matching (`followedItems`) for the digest, over papers it already loaded, for many readers.
 * Saved searches match every word (or "quoted phrase") in the title or abstract, `-word` excluded.
 */
export class FollowingService {
  constructor(private readonly store: Store) {}

  list(userId: number): Promise<Follow[]> {
    return this.store.discovery.follows(userId);
  }

  /** What the reader follows, by `followKey`, with each follow's id (for follow / unfollow buttons). */
  async followedKeys(userId: number): Promise<Map<string, number>> {
    return new Map((await this.store.discovery.follows(userId)).map((f) => [followKey(f.kind, f.value), f.id]));
  }

  async follow(userId: number, kind: FollowKind, raw: string): Promise<Follow> {
    const value = normalizeValue(raw);
    if (!value) throw new ServiceError(400, 'invalid_follow', 'a follow needs a value of 1 to 200 characters');
    if (kind === 'category' && !CATEGORY.test(value)) throw new ServiceError(400, 'invalid_follow', `"${value}" is not an arXiv category (e.g. cs.CV or cs)`);
    if (kind === 'search' && !parseSavedSearch(value).must.length) throw new ServiceError(400, 'invalid_follow', 'a saved search needs at least one word to look for');
    if (kind === 'org') {
      const org = SLUG_RE.test(value) ? await this.store.organisations.bySlug(value) : null;
      // Pending or refused organisations are not public: following one would reveal it.
      if (!org || org.status !== 'listed') throw new ServiceError(404, 'not_found', `no organisation “${value.slice(0, 80)}”`);
    }
    if ((await this.store.discovery.countFollows(userId)) >= MAX_FOLLOWS) throw new ServiceError(409, 'too_many_follows', `at most ${MAX_FOLLOWS} follows`);
    return this.store.discovery.follow(userId, kind, value);
  }

  async unfollow(userId: number, id: number): Promise<void> {
    if (!(await this.store.discovery.unfollow(userId, id))) throw new ServiceError(404, 'not_found', `follow ${id} not found`);
  }

  /** Where "new" starts when the reader does not say: the week up to the newest feed day (today on an empty feed). */
  async defaultSince(): Promise<string> {
    const newest = (await this.store.feed.newestDay()) ?? new Date().toISOString().slice(0, 10);
    return new Date(Date.parse(`${newest}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  }

  /** Papers on the feed from `since` (a day, inclusive) on that match the reader's follows, newest day first. */
  async newFor(userId: number, since: string, opts: { until?: string; limit?: number } = {}): Promise<FollowingNews> {
    const follows = await this.store.discovery.follows(userId);
    const orgNames = await this.orgNames(follows);
    if (!follows.length) return { follows, since, items: [], orgNames };
    const items = await this.store.feed.items(since, opts.until ?? '9999-12-31', { limit: MAX_SCANNED });
    return { follows, since, items: followedItems(items, follows, await this.orgsOf(follows, items)).slice(0, opts.limit ?? 100), orgNames };
  }

  /** For each reader with follows: which of `items` (e.g. a digest period's papers) match them, as `newFor` orders them. */
  async newAmong(userIds: readonly number[], items: readonly FeedItem[]): Promise<Map<number, FollowedItem[]>> {
    const out = new Map<number, FollowedItem[]>();
    const all = await this.store.discovery.followsOf(userIds);
    const orgsOf = await this.orgsOf([...all.values()].flat(), items);
    for (const [userId, follows] of all) {
      const matched = followedItems(items, follows, orgsOf);
      if (matched.length) out.set(userId, matched);
    }
    return out;
  }

  /** The organisations `items` belong to, by paper id: loaded only when some follow is of an organisation. */
  private async orgsOf(follows: readonly Follow[], items: readonly FeedItem[]): Promise<Map<string, string[]> | undefined> {
    if (!follows.some((f) => f.kind === 'org') || !items.length) return undefined;
    return this.store.organisations.slugsOfPapers(items.map((i) => i.paper.id));
  }

  /** Names of the organisations among `follows`, by slug (for reasons and the Following page). */
  async orgNames(follows: readonly Follow[]): Promise<Map<string, string>> {
    return this.store.organisations.names([...new Set(follows.filter((f) => f.kind === 'org').map((f) => f.value))]);
  }
}
