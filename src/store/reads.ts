import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type SeenHow = 'opened' | 'marked';

/** Papers each reader has seen (migration 1110): opened or marked by hand; "not seen" deletes the row. */
export class ReadRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records that `userId` saw `paperId`; an earlier record (opened or marked) is kept as it was. */
  async markSeen(userId: number, paperId: string, how: SeenHow, now = new Date().toISOString()): Promise<void> {
    await this.db
      .insertInto('paper_reads')
      .values({ user_id: userId, paper_id: paperId, how, seen_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing())
      .execute();
  }

  async markUnseen(userId: number, paperId: string): Promise<void> {
    await this.db.deleteFrom('paper_reads').where('user_id', '=', userId).where('paper_id', '=', paperId).execute();
  }

  /** Which of `paperIds` the reader has seen. */
  async seenAmong(userId: number, paperIds: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < paperIds.length; i += 500) {
      const rows = await this.db.selectFrom('paper_reads').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', paperIds.slice(i, i + 500)).execute();
      for (const r of rows) out.add(r.paper_id);
    }
    return out;
  }
}
