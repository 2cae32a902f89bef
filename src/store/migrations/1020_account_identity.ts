import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Accounts own their names and addresses case-insensitively, and an address counts only once
 * its owner has followed a mailed link.
 *
 * - Unique indexes on `lower(username)` and `lower(email)`: the check-then-insert in the code let
 *   two concurrent sign-ups differing only in case both in (on PostgreSQL). Existing duplicates are
 *   settled first: the oldest account keeps the name or address; a later one gets `name-<id>`, or
 *   the unroutable `duplicate-<id>@invalid` (it can ask an admin for its address back), and the
 *   change is written to the audit log.
 * - `users.email_verified_at`: set when the owner followed a confirmation link. Accounts made
 *   before this have none, so they verify from /settings once.
 * - `account_confirmations`: a sign-up waits here (its password already hashed) until the link in
 *   its mail is followed; the account exists only then. Also holds "verify my address" links.
 * - Subscriptions lose their account links: they were set by whoever was signed in when an address
 *   was subscribed or saved, which is how an account reached someone else's subscription. An
 *   account links again once its address is verified.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = new Date().toISOString();
  const dupNames = await sql<{ id: number; username: string }>`
    select u.id, u.username from users u
    where exists (select 1 from users o where lower(o.username) = lower(u.username) and o.id < u.id)`.execute(db);
  for (const r of dupNames.rows) {
    const renamed = `${r.username}-${r.id}`;
    await db.updateTable('users').set({ username: renamed }).where('id', '=', r.id).execute();
    await db.insertInto('audit_log').values({ actor_id: null, actor_name: 'migration', action: 'user.rename', target_type: 'user', target_id: renamed, detail: `was ${r.username} (the name differed from an older account only in case)`, created_at: now }).execute();
  }
  const dupMails = await sql<{ id: number; username: string; email: string }>`
    select u.id, u.username, u.email from users u
    where exists (select 1 from users o where lower(o.email) = lower(u.email) and o.id < u.id)`.execute(db);
  for (const r of dupMails.rows) {
    await db.updateTable('users').set({ email: `duplicate-${r.id}@invalid` }).where('id', '=', r.id).execute();
    await db.insertInto('audit_log').values({ actor_id: null, actor_name: 'migration', action: 'user.email_cleared', target_type: 'user', target_id: r.username, detail: 'its address belonged to an older account (differing only in case)', created_at: now }).execute();
  }
  await sql`create unique index users_username_lower_idx on users (lower(username))`.execute(db);
  await sql`create unique index users_email_lower_idx on users (lower(email))`.execute(db);
  await db.schema.alterTable('users').addColumn('email_verified_at', 'text').execute();

  await db.schema
    .createTable('account_confirmations')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    // `signup` (creates the account) or `verify` (marks an existing account's address verified).
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('username', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_confirmations_expires_idx').on('account_confirmations').column('expires_at').execute();

  await db.updateTable('mail_subscriptions').set({ user_id: null }).where('user_id', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_confirmations').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
  await db.schema.dropIndex('users_email_lower_idx').ifExists().execute();
  await db.schema.dropIndex('users_username_lower_idx').ifExists().execute();
}
