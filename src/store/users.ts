import type { Kysely, Selectable } from 'kysely';
import type { Role, User } from '../domain/community.ts';
import type { Database, UsersTable } from './schema.ts';

export function rowToUser(r: Selectable<UsersTable>): User {
  return { id: Number(r.id), username: r.username, email: r.email, role: r.role === 'admin' ? 'admin' : 'member', banned: Boolean(r.banned), createdAt: r.created_at, emailVerified: r.email_verified_at !== null };
}

export class UsernameTakenError extends Error {
  constructor(readonly field: 'username' | 'email') {
    super(`that ${field} is already registered`);
    this.name = 'UsernameTakenError';
  }
}

export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Creates a member account (admins are made by `paperboy users promote`, never by the order of
   * sign-ups). Usernames and e-mails are unique case-insensitively, by unique indexes on their
   * lower-cased values (`1020_account_identity`): stored as given, compared lower-cased.
   */
  async create(u: { username: string; email: string; passwordHash: string; emailVerified?: boolean }, now = new Date().toISOString()): Promise<User> {
    try {
      const row = await this.db
        .insertInto('users')
        .values({ username: u.username, email: u.email, password_hash: u.passwordHash, role: 'member', created_at: now, email_verified_at: u.emailVerified ? now : null })
        .returningAll()
        .executeTakeFirstOrThrow();
      return rowToUser(row);
    } catch (err) {
      const message = (err as Error).message;
      if (/unique|duplicate/i.test(message)) throw new UsernameTakenError(/email/i.test(message) ? 'email' : 'username');
      throw err;
    }
  }

  /** Marks the address verified when it is still the account's. */
  async markEmailVerified(id: number, email: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ email_verified_at: now })
      .where('id', '=', id)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async byId(id: number): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowToUser(r) : null;
  }

  async byUsername(username: string): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase())).executeTakeFirst();
    return r ? rowToUser(r) : null;
  }

  async byEmail(email: string): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
    return r ? rowToUser(r) : null;
  }

  /** The stored argon2id hash, for verifying a log-in. */
  async passwordHash(id: number): Promise<string | null> {
    const r = await this.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
    return r?.password_hash ?? null;
  }

  async setPasswordHash(id: number, hash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: hash }).where('id', '=', id).execute();
  }

  async setRole(id: number, role: Role): Promise<void> {
    await this.db.updateTable('users').set({ role }).where('id', '=', id).execute();
  }

  async setBanned(id: number, banned: boolean): Promise<void> {
    await this.db.updateTable('users').set({ banned: banned ? 1 : 0 }).where('id', '=', id).execute();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
