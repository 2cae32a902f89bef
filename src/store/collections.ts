import type { Kysely } from 'kysely';
import type { Collection } from '../domain/community.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import { rowToPaper } from './mappers.ts';
import { visiblePaper } from './visibility.ts';

/** Named public or private lists of papers, owned by one user. */
export class CollectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private base() {
    return this.db
      .selectFrom('collections as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.user_id', 'u.username', 'c.name', 'c.description', 'c.public', 'c.created_at'])
      .select((eb) =>
        eb
          .selectFrom('collection_papers as cp')
          .select((e2) => e2.fn.countAll<number>().as('n'))
          .whereRef('cp.collection_id', '=', 'c.id')
          .as('paper_count'),
      );
  }

  private map(r: { id: number; user_id: number; username: string; name: string; description: string | null; public: number; created_at: string; paper_count: number | null }): Collection {
    return {
      id: Number(r.id),
      userId: Number(r.user_id),
      owner: r.username,
      name: r.name,
      description: r.description,
      isPublic: Boolean(r.public),
      createdAt: r.created_at,
      paperCount: Number(r.paper_count ?? 0),
    };
  }

  async create(c: { userId: number; name: string; description: string | null; isPublic: boolean }, now = new Date().toISOString()): Promise<Collection> {
    const r = await this.db
      .insertInto('collections')
      .values({ user_id: c.userId, name: c.name, description: c.description, public: c.isPublic ? 1 : 0, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.get(Number(r.id)))!;
  }

  async get(id: number): Promise<Collection | null> {
    const r = await this.base().where('c.id', '=', id).executeTakeFirst();
    return r ? this.map(r) : null;
  }

  async forUser(userId: number, opts: { publicOnly?: boolean } = {}): Promise<Collection[]> {
    let q = this.base().where('c.user_id', '=', userId);
    if (opts.publicOnly) q = q.where('c.public', '=', 1);
    return (await q.orderBy('c.name').execute()).map((r) => this.map(r));
  }

  /**
   * The user's collections, by name, each with whether it holds `paperId`: the paper page's picker
   * in one statement (issue 19: it was the list and then the ids holding the paper, two round
   * trips on PostgreSQL). Only the user's own collections, as `forUser` and `containing`.
   */
  async forUserHolding(userId: number, paperId: string): Promise<{ collections: Collection[]; containing: Set<number> }> {
    const rows = await this.base()
      .select((eb) => eb.exists(eb.selectFrom('collection_papers as held').select('held.paper_id').whereRef('held.collection_id', '=', 'c.id').where('held.paper_id', '=', paperId)).as('holds'))
      .where('c.user_id', '=', userId)
      .orderBy('c.name')
      .execute();
    // SQLite answers exists() with 0/1, PostgreSQL with a boolean.
    return { collections: rows.map((r) => this.map(r)), containing: new Set(rows.filter((r) => Boolean(Number(r.holds))).map((r) => Number(r.id))) };
  }

  async update(id: number, c: { name?: string; description?: string | null; isPublic?: boolean }): Promise<void> {
    const set: { name?: string; description?: string | null; public?: number } = {};
    if (c.name !== undefined) set.name = c.name;
    if (c.description !== undefined) set.description = c.description;
    if (c.isPublic !== undefined) set.public = c.isPublic ? 1 : 0;
    if (Object.keys(set).length) await this.db.updateTable('collections').set(set).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('collections').where('id', '=', id).execute();
  }

  /** Returns whether the paper was added (false: already there). */
  async addPaper(collectionId: number, paperId: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .insertInto('collection_papers')
      .values({ collection_id: collectionId, paper_id: paperId, added_at: now })
      .onConflict((oc) => oc.columns(['collection_id', 'paper_id']).doNothing())
      .returning('paper_id')
      .executeTakeFirst();
    return Boolean(r);
  }

  async removePaper(collectionId: number, paperId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('collection_papers').where('collection_id', '=', collectionId).where('paper_id', '=', paperId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The collection's papers, most recently added first (hidden and withdrawn papers left out). */
  async papers(collectionId: number, limit = 200): Promise<PaperWithStats[]> {
    const rows = await this.db
      .selectFrom('collection_papers as cp')
      .innerJoin('papers as p', 'p.id', 'cp.paper_id')
      .selectAll('p')
      .where('cp.collection_id', '=', collectionId)
      .where(visiblePaper('p'))
      .orderBy('cp.added_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(rowToPaper);
  }

  /** Ids of the user's collections that hold `paperId` (for the paper page's picker). */
  async containing(userId: number, paperId: string): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('collection_papers as cp')
      .innerJoin('collections as c', 'c.id', 'cp.collection_id')
      .select('c.id')
      .where('c.user_id', '=', userId)
      .where('cp.paper_id', '=', paperId)
      .execute();
    return new Set(rows.map((r) => Number(r.id)));
  }
}
