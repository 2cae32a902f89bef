import type { Kysely } from 'kysely';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import { rowToPaper } from './mappers.ts';
import { inTransaction } from './tx.ts';
import { visiblePaper } from './visibility.ts';

/**
 * One upvote per user per paper. `papers.upvotes` is changed in the same transaction as the vote
 * row, and only when the row really was inserted or deleted, so the counter stays exact however
 * many requests race.
 */
export class UpvoteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns whether a vote was added (false: it was already there). */
  async add(userId: number, paperId: string, now = new Date().toISOString()): Promise<boolean> {
    return (await this.set(userId, paperId, true, now)).changed;
  }

  /** Returns whether a vote was removed. */
  async remove(userId: number, paperId: string): Promise<boolean> {
    return (await this.set(userId, paperId, false)).changed;
  }

  /**
   * Adds (`upvoted`) or removes the user's vote and returns the paper's count after it, read in the
   * same transaction: from the counter's update when the vote changed it (one statement fewer than a
   * separate read), else as it stands.
   */
  async set(userId: number, paperId: string, upvoted: boolean, now = new Date().toISOString()): Promise<{ changed: boolean; upvotes: number }> {
    return inTransaction(this.db, async (trx) => {
      const changed = upvoted
        ? await trx.insertInto('upvotes').values({ user_id: userId, paper_id: paperId, created_at: now }).onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing()).returning('user_id').executeTakeFirst()
        : await trx.deleteFrom('upvotes').where('user_id', '=', userId).where('paper_id', '=', paperId).returning('user_id').executeTakeFirst();
      const row = changed
        ? await trx.updateTable('papers').set((eb) => ({ upvotes: eb('upvotes', upvoted ? '+' : '-', 1) })).where('id', '=', paperId).returning('upvotes').executeTakeFirst()
        : await trx.selectFrom('papers').select('upvotes').where('id', '=', paperId).executeTakeFirst();
      return { changed: Boolean(changed), upvotes: Number(row?.upvotes ?? 0) };
    });
  }

  async has(userId: number, paperId: string): Promise<boolean> {
    const r = await this.db.selectFrom('upvotes').select('user_id').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
    return Boolean(r);
  }

  /** Which of `paperIds` the user has upvoted (for rendering a page of buttons). */
  async votedAmong(userId: number, paperIds: readonly string[]): Promise<Set<string>> {
    if (!paperIds.length) return new Set();
    const rows = await this.db.selectFrom('upvotes').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', [...new Set(paperIds)]).execute();
    return new Set(rows.map((r) => r.paper_id));
  }

  async countFor(paperId: string): Promise<number> {
    const r = await this.db.selectFrom('upvotes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', paperId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The papers a user upvoted, most recent vote first (hidden and withdrawn papers left out). */
  async papersOf(userId: number, limit = 50): Promise<PaperWithStats[]> {
    const rows = await this.db
      .selectFrom('upvotes as v')
      .innerJoin('papers as p', 'p.id', 'v.paper_id')
      .selectAll('p')
      .where('v.user_id', '=', userId)
      .where(visiblePaper('p'))
      .orderBy('v.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(rowToPaper);
  }
}
