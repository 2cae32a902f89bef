import type { Kysely, Selectable } from 'kysely';
import type { Comment } from '../domain/community.ts';
import { plainCommentHtml } from '../domain/comment-markdown.ts';
import type { CommentsTable, Database } from './schema.ts';
import { inTransaction } from './tx.ts';
import { visiblePaper } from './visibility.ts';

/** A comment's row with its author's name (the reads join `users`). */
type CommentRow = Selectable<CommentsTable> & { username: string };

function rowToComment(r: CommentRow): Comment {
  const deleted = Boolean(r.deleted);
  return {
    id: Number(r.id),
    paperId: r.paper_id,
    userId: Number(r.user_id),
    username: r.username,
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    body: deleted ? '' : r.body,
    // A row written before its HTML was stored shows as escaped text: reads never render.
    html: deleted ? '' : (r.body_html ?? plainCommentHtml(r.body)),
    createdAt: r.created_at,
    editedAt: r.edited_at,
    deleted,
  };
}

/**
 * Comments and replies. `papers.num_comments` counts the paper's comments that are not deleted; it
 * changes in the same transaction as the comment row.
 */
export class CommentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private base() {
    return this.db
      .selectFrom('comments as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.paper_id', 'c.user_id', 'c.parent_id', 'c.body', 'c.body_html', 'c.created_at', 'c.edited_at', 'c.deleted', 'u.username']);
  }

  /** `html` is `body` rendered (the caller renders: the store keeps what it is given). */
  async create(c: { paperId: string; userId: number; parentId: number | null; body: string; html: string }, now = new Date().toISOString()): Promise<Comment> {
    const id = await inTransaction(this.db, async (trx) => {
      const row = await trx
        .insertInto('comments')
        .values({ paper_id: c.paperId, user_id: c.userId, parent_id: c.parentId, body: c.body, body_html: c.html, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.updateTable('papers').set((eb) => ({ num_comments: eb('num_comments', '+', 1) })).where('id', '=', c.paperId).execute();
      return Number(row.id);
    });
    return (await this.get(id))!;
  }

  async get(id: number): Promise<Comment | null> {
    const r = await this.base().where('c.id', '=', id).executeTakeFirst();
    return r ? rowToComment(r as CommentRow) : null;
  }

  /** Every comment on a paper (deleted ones too, so replies keep their place), oldest first. */
  async forPaper(paperId: string): Promise<Comment[]> {
    const rows = await this.base().where('c.paper_id', '=', paperId).orderBy('c.created_at', 'asc').orderBy('c.id', 'asc').execute();
    return rows.map((r) => rowToComment(r as CommentRow));
  }

  async byUser(userId: number, limit = 50): Promise<(Comment & { paperTitle: string })[]> {
    const rows = await this.base()
      .innerJoin('papers as p', 'p.id', 'c.paper_id')
      .select('p.title as paper_title')
      .where('c.user_id', '=', userId)
      .where('c.deleted', '=', 0)
      .where(visiblePaper('p'))
      .orderBy('c.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...rowToComment(r as CommentRow), paperTitle: r.paper_title }));
  }

  async updateBody(id: number, body: string, html: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.updateTable('comments').set({ body, body_html: html, edited_at: now }).where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Soft-deletes (the body is cleared; replies stay). Returns false when it was already deleted. */
  async delete(id: number): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const r = await trx.updateTable('comments').set({ deleted: 1, body: '', body_html: '' }).where('id', '=', id).where('deleted', '=', 0).returning('paper_id').executeTakeFirst();
      if (!r) return false;
      await trx.updateTable('papers').set((eb) => ({ num_comments: eb('num_comments', '-', 1) })).where('id', '=', r.paper_id).execute();
      return true;
    });
  }

  async countLive(paperId: string): Promise<number> {
    const r = await this.db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('paper_id', '=', paperId)
      .where('deleted', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
