import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Per-account, per-UTC-day submission counters. `take` is one upsert whose update only happens
 * below the quota, so the check and the count cannot be separated by a concurrent submission.
 */
export class SubmissionQuotaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Takes one slot of `quota` for the day; false when none is left. */
  async take(userId: number, day: string, quota: number): Promise<boolean> {
    if (quota <= 0) return false;
    const r = await this.db
      .insertInto('submission_quota')
      .values({ user_id: userId, day, used: 1 })
      .onConflict((oc) => oc.columns(['user_id', 'day']).doUpdateSet((eb) => ({ used: eb('submission_quota.used', '+', 1) })).where('submission_quota.used', '<', quota))
      .returning('used')
      .executeTakeFirst();
    return r !== undefined;
  }

  /** Gives a slot back (the submission it was taken for failed). */
  async give(userId: number, day: string): Promise<void> {
    await this.db
      .updateTable('submission_quota')
      .set((eb) => ({ used: eb('used', '-', 1) }))
      .where('user_id', '=', userId)
      .where('day', '=', day)
      .where('used', '>', 0)
      .execute();
  }

  async used(userId: number, day: string): Promise<number> {
    const r = await this.db.selectFrom('submission_quota').select('used').where('user_id', '=', userId).where('day', '=', day).executeTakeFirst();
    return Number(r?.used ?? 0);
  }

  async pruneBefore(day: string): Promise<number> {
    const r = await this.db.deleteFrom('submission_quota').where('day', '<', day).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
