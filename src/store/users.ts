import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Role, User } from '../domain/community.ts';
import type { Database, UsersTable } from './schema.ts';

export function rowToUser(r: Selectable<UsersTable>): User {
  return { id: Number(r.id), username: r.username, email: r.email, role: r.role === 'admin' ? 'admin' : 'member', banned: Boolean(r.banned), createdAt: r.created_at };
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
   * Creates an account; the first account ever is an admin (decided in the same statement as the
   * insert). Usernames and e-mails are unique case-insensitively: they are stored as given and
   * compared lower-cased.
   */
  async create(u: { username: string; email: string; passwordHash: string }, now = new Date().toISOString()): Promise<User> {
    const clash = await this.db
      .selectFrom('users')
      .select(['username', 'email'])
      .where((eb) => eb.or([eb(eb.fn('lower', ['username']), '=', u.username.toLowerCase()), eb(eb.fn('lower', ['email']), '=', u.email.toLowerCase())]))
      .executeTakeFirst();
    if (clash) throw new UsernameTakenError(clash.username.toLowerCase() === u.username.toLowerCase() ? 'username' : 'email');
    const role = sql<string>`case when exists (select 1 from users) then 'member' else 'admin' end`;
    try {
      const row = await this.db
        .insertInto('users')
        .values({ username: u.username, email: u.email, password_hash: u.passwordHash, role, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return rowToUser(row);
    } catch (err) {
      if (/unique|duplicate/i.test((err as Error).message)) throw new UsernameTakenError(/email/i.test((err as Error).message) ? 'email' : 'username');
      throw err;
    }
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
