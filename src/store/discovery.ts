import type { Kysely } from 'kysely';
import type { Follow, FollowKind, Interest, InterestKind } from '../domain/discovery.ts';
import type { Database } from './schema.ts';

/** A reader's own marks on papers: what the "For you" model learns from. */
export interface ReaderExamples {
  /** Upvoted papers, most recent vote first. */
  upvoted: string[];
  /** Papers in the reader's collections, with the (first) collection's name. */
  collected: { paperId: string; collection: string }[];
  notInterested: string[];
}

const toInterest = (r: { id: number; user_id: number; kind: string; value: string; created_at: string }): Interest => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  kind: r.kind as InterestKind,
  value: r.value,
  createdAt: r.created_at,
});
const toFollow = (r: { id: number; user_id: number; kind: string; value: string; created_at: string }): Follow => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  kind: r.kind as FollowKind,
  value: r.value,
  createdAt: r.created_at,
});

/** "Not interested" marks, cold-start interests and follows; and the reader's examples for "For you". */
export class DiscoveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns whether the mark was added (false: it was there already). */
  async markNotInterested(userId: number, paperId: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .insertInto('not_interested')
      .values({ user_id: userId, paper_id: paperId, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing())
      .returning('paper_id')
      .executeTakeFirst();
    return Boolean(r);
  }

  async unmarkNotInterested(userId: number, paperId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('not_interested').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async examples(userId: number, limit = 1000): Promise<ReaderExamples> {
    const [up, col, ni] = await Promise.all([
      this.db.selectFrom('upvotes').select('paper_id').where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit).execute(),
      this.db
        .selectFrom('collection_papers as cp')
        .innerJoin('collections as c', 'c.id', 'cp.collection_id')
        .select(['cp.paper_id', 'c.name'])
        .where('c.user_id', '=', userId)
        .orderBy('cp.added_at', 'desc')
        .limit(limit)
        .execute(),
      this.db.selectFrom('not_interested').select('paper_id').where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit).execute(),
    ]);
    const seen = new Set<string>();
    const collected = col.filter((r) => !seen.has(r.paper_id) && (seen.add(r.paper_id), true)).map((r) => ({ paperId: r.paper_id, collection: r.name }));
    return { upvoted: up.map((r) => r.paper_id), collected, notInterested: ni.map((r) => r.paper_id) };
  }

  /** Adds an interest; an existing one is returned as it is. */
  async addInterest(userId: number, kind: InterestKind, value: string, now = new Date().toISOString()): Promise<Interest> {
    await this.db
      .insertInto('reader_interests')
      .values({ user_id: userId, kind, value, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'kind', 'value']).doNothing())
      .execute();
    const r = await this.db.selectFrom('reader_interests').selectAll().where('user_id', '=', userId).where('kind', '=', kind).where('value', '=', value).executeTakeFirstOrThrow();
    return toInterest(r);
  }

  async removeInterest(userId: number, id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('reader_interests').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async interests(userId: number): Promise<Interest[]> {
    return (await this.db.selectFrom('reader_interests').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(toInterest);
  }

  /** Follows something; following it again returns the existing follow. */
  async follow(userId: number, kind: FollowKind, value: string, now = new Date().toISOString()): Promise<Follow> {
    await this.db
      .insertInto('follows')
      .values({ user_id: userId, kind, value, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'kind', 'value']).doNothing())
      .execute();
    const r = await this.db.selectFrom('follows').selectAll().where('user_id', '=', userId).where('kind', '=', kind).where('value', '=', value).executeTakeFirstOrThrow();
    return toFollow(r);
  }

  async unfollow(userId: number, id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('follows').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async follows(userId: number): Promise<Follow[]> {
    return (await this.db.selectFrom('follows').selectAll().where('user_id', '=', userId).orderBy('kind').orderBy('value').execute()).map(toFollow);
  }

  /** The follows of many readers at once (readers without follows are absent). */
  async followsOf(userIds: readonly number[]): Promise<Map<number, Follow[]>> {
    const out = new Map<number, Follow[]>();
    const ids = [...new Set(userIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db.selectFrom('follows').selectAll().where('user_id', 'in', ids.slice(i, i + 500)).orderBy('user_id').orderBy('kind').orderBy('value').execute();
      for (const r of rows) {
        const f = toFollow(r);
        let list = out.get(f.userId);
        if (!list) out.set(f.userId, (list = []));
        list.push(f);
      }
    }
    return out;
  }

  async countFollows(userId: number): Promise<number> {
    const r = await this.db.selectFrom('follows').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
