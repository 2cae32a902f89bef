import type { Kysely } from 'kysely';

/**
 * A reader's connected Zotero library: the link (Zotero user id, API key, the library version the
 * last sync reached, the collection its papers go to) and each synced item's match, so an item
 * deleted in Zotero takes its paper out of that collection again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('zotero_links')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('zotero_user', 'text', (c) => c.notNull())
    .addColumn('api_key', 'text', (c) => c.notNull())
    .addColumn('collection_id', 'integer', (c) => c.notNull().references('collections.id').onDelete('cascade'))
    .addColumn('library_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('items', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('matched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('synced_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('zotero_items')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('paper_id', 'text')
    .addColumn('title', 'text')
    .addPrimaryKeyConstraint('zotero_items_pk', ['user_id', 'item_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['zotero_items', 'zotero_links']) await db.schema.dropTable(t).ifExists().execute();
}
