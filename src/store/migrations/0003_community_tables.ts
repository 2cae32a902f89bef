import type { Kysely } from 'kysely';
import { withAutoId } from './helpers.ts';

/**
 * The community's tables, created early because the site, the API, the digest and the "For you"
 * feed all read them. The community feature adds sessions, tokens and the rest in its own migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db, db.schema.createTable('users'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member'))
    .addColumn('banned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('upvotes')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('upvotes_pk', ['user_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('upvotes_paper_idx').on('upvotes').column('paper_id').execute();

  await withAutoId(db, db.schema.createTable('comments'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('comments_paper_idx').on('comments').columns(['paper_id', 'created_at']).execute();

  await withAutoId(db, db.schema.createTable('collections'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('collections_user_idx').on('collections').column('user_id').execute();

  await db.schema
    .createTable('collection_papers')
    .addColumn('collection_id', 'integer', (c) => c.notNull().references('collections.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('collection_papers_pk', ['collection_id', 'paper_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['collection_papers', 'collections', 'comments', 'upvotes', 'users']) await db.schema.dropTable(t).ifExists().execute();
}
