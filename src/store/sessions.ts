import type { Kysely } from 'kysely';
import type { Session, User } from '../domain/community.ts';
import type { Database } from './schema.ts';
import { rowToUser } from './users.ts';

/** Server-side sessions, keyed by the SHA-256 of the cookie value. */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: { idHash: string; userId: number; csrfToken: string; expiresAt: string }, now = new Date().toISOString()): Promise<void> {
    await this.db.insertInto('sessions').values({ id_hash: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: now, expires_at: s.expiresAt }).execute();
  }

  /** The live session and its user; expired sessions are not returned. */
  async find(idHash: string, now = new Date().toISOString()): Promise<{ session: Session; user: User } | null> {
    const r = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .selectAll('u')
      .select(['s.csrf_token', 's.created_at as s_created_at', 's.expires_at'])
      .where('s.id_hash', '=', idHash)
      .where('s.expires_at', '>', now)
      .executeTakeFirst();
    if (!r) return null;
    return { session: { userId: Number(r.id), csrfToken: r.csrf_token, createdAt: r.s_created_at, expiresAt: r.expires_at }, user: rowToUser(r) };
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  /** "Log out everywhere". Returns how many sessions ended. */
  async deleteForUser(userId: number): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async countForUser(userId: number, now = new Date().toISOString()): Promise<number> {
    const r = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async pruneExpired(now = new Date().toISOString()): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
