import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type ConfirmationPurpose = 'signup' | 'verify';

export interface AccountConfirmation {
  purpose: ConfirmationPurpose;
  userId: number | null;
  username: string | null;
  email: string;
  passwordHash: string | null;
  expiresAt: string;
}

/**
 * Mailed links that prove an address: a sign-up waiting to become an account, or an existing
 * account verifying its address. Stored by the SHA-256 of the link's token; used once.
 */
export class AccountConfirmationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(c: AccountConfirmation & { tokenHash: string }, now = new Date().toISOString()): Promise<void> {
    await this.db
      .insertInto('account_confirmations')
      .values({ token_hash: c.tokenHash, purpose: c.purpose, user_id: c.userId, username: c.username, email: c.email, password_hash: c.passwordHash, created_at: now, expires_at: c.expiresAt })
      .execute();
  }

  /** The live link, without using it (to show the confirm button). */
  async peek(tokenHash: string, now = new Date().toISOString()): Promise<AccountConfirmation | null> {
    const r = await this.db.selectFrom('account_confirmations').selectAll().where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
    return r ? toConfirmation(r) : null;
  }

  /** Uses a link: one delete, so two concurrent uses cannot both win. Null when unknown, used or expired. */
  async consume(tokenHash: string, now = new Date().toISOString()): Promise<AccountConfirmation | null> {
    const r = await this.db.deleteFrom('account_confirmations').where('token_hash', '=', tokenHash).where('expires_at', '>', now).returningAll().executeTakeFirst();
    return r ? toConfirmation(r) : null;
  }

  async pruneExpired(now = new Date().toISOString()): Promise<number> {
    const r = await this.db.deleteFrom('account_confirmations').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toConfirmation(r: { purpose: string; user_id: number | null; username: string | null; email: string; password_hash: string | null; expires_at: string }): AccountConfirmation {
  return { purpose: r.purpose === 'verify' ? 'verify' : 'signup', userId: r.user_id === null ? null : Number(r.user_id), username: r.username, email: r.email, passwordHash: r.password_hash, expiresAt: r.expires_at };
}
