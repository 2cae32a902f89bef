import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Single-use, expiring password-reset tokens (stored hashed). */
export class PasswordResetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(r: { tokenHash: string; userId: number; expiresAt: string }, now = new Date().toISOString()): Promise<void> {
    await this.db.insertInto('password_resets').values({ token_hash: r.tokenHash, user_id: r.userId, created_at: now, expires_at: r.expiresAt }).execute();
  }

  /**
   * Uses a token: marks it used in one conditional update, so two concurrent uses cannot both win.
   * Returns the user id, or null when the token is unknown, used or expired.
   */
  async consume(tokenHash: string, now = new Date().toISOString()): Promise<number | null> {
    const r = await this.db
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return r ? Number(r.user_id) : null;
  }

  /** Whether a token would be accepted (to show the form), without using it. */
  async isValid(tokenHash: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.selectFrom('password_resets').select('user_id').where('token_hash', '=', tokenHash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
    return Boolean(r);
  }

  /** Any other outstanding links of the user stop working once one is used. */
  async invalidateForUser(userId: number, now = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
  }

  /** Drops links that were used or have expired. */
  async prune(now = new Date().toISOString()): Promise<number> {
    const r = await this.db.deleteFrom('password_resets').where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<=', now)])).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
