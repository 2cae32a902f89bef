import type { Kysely } from 'kysely';

/**
 * Flash messages: the one-time note a page shows after a form redirects ("Comment deleted."), kept
 * on the server for a few minutes and addressed by a random id in a cookie, so they work without
 * JavaScript, across server processes, and can carry a secret shown once (a new API token) without
 * putting it in a URL. `user_id` binds a message to the account it was written for.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('flash_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flash_messages_expires_idx').on('flash_messages').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('flash_messages').ifExists().execute();
}
