import type { Kysely } from 'kysely';

/**
 * API tokens get scopes and an expiry. Existing tokens keep what they could do for members
 * (`read write`) but lose admin powers (an admin makes a new token with the `admin` scope), and
 * expire 90 days from the upgrade instead of never.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('scopes', 'text', (c) => c.notNull().defaultTo('read write')).execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  const in90Days = new Date(Date.now() + 90 * 86_400_000).toISOString();
  await db.updateTable('api_tokens').set({ expires_at: in90Days }).where('expires_at', 'is', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.alterTable('api_tokens').dropColumn('scopes').execute();
}
