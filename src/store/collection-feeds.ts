import type { Kysely } from 'kysely';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import { rowToPaper } from './mappers.ts';
import { visiblePaper } from './visibility.ts';

export interface PublicCollection {
  id: number;
  name: string;
  description: string | null;
  owner: string;
  createdAt: string;
}

export interface CollectionPaper {
  paper: PaperWithStats;
  addedAt: string;
}

/**
 * Read-only access to public collections for feeds and the API. Private collections are
 * invisible here: `getPublic` answers null for them, exactly as for a missing one.
 */
export class CollectionFeedRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async getPublic(id: number): Promise<PublicCollection | null> {
    const r = await this.db
      .selectFrom('collections as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.name', 'c.description', 'c.created_at', 'u.username'])
      .where('c.id', '=', id)
      .where('c.public', '=', 1)
      .where('u.banned', '=', 0)
      .executeTakeFirst();
    return r ? { id: Number(r.id), name: r.name, description: r.description, owner: r.username, createdAt: r.created_at } : null;
  }

  /** The collection's visible papers, most recently added first. */
  async papers(collectionId: number, limit: number): Promise<CollectionPaper[]> {
    const rows = await this.db
      .selectFrom('collection_papers as cp')
      .innerJoin('papers as p', 'p.id', 'cp.paper_id')
      .selectAll('p')
      .select('cp.added_at as cp_added_at')
      .where('cp.collection_id', '=', collectionId)
      .where(visiblePaper('p'))
      .orderBy('cp.added_at', 'desc')
      .orderBy('p.id', 'asc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ paper: rowToPaper(r), addedAt: r.cp_added_at }));
  }
}
