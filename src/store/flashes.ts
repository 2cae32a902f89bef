import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface FlashRow {
  userId: number | null;
  message: string;
  secret: string | null;
}

/** Flash messages by id (migration 1060); expired rows are never returned and are pruned on write. */
export class FlashRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async put(id: string, row: FlashRow, expiresAt: string, now = new Date().toISOString()): Promise<void> {
    await this.db.deleteFrom('flash_messages').where('expires_at', '<=', now).execute();
    await this.db.insertInto('flash_messages').values({ id, user_id: row.userId, message: row.message, secret: row.secret, expires_at: expiresAt }).execute();
  }

  async get(id: string, now = new Date().toISOString()): Promise<FlashRow | null> {
    const r = await this.db.selectFrom('flash_messages').select(['user_id', 'message', 'secret']).where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
    return r ? { userId: r.user_id === null ? null : Number(r.user_id), message: r.message, secret: r.secret } : null;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('flash_messages').where('id', '=', id).execute();
  }
}
