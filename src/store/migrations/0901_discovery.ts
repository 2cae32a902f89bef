import type { Kysely } from 'kysely';
import { withAutoId } from './helpers.ts';

/** Discovery: "not interested" marks, cold-start interests and follows (authors, categories, saved searches). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('not_interested')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('not_interested_pk', ['user_id', 'paper_id'])
    .execute();

  await withAutoId(db, db.schema.createTable('reader_interests'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('reader_interests_unique', ['user_id', 'kind', 'value'])
    .execute();

  await withAutoId(db, db.schema.createTable('follows'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('follows_unique', ['user_id', 'kind', 'value'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['follows', 'reader_interests', 'not_interested']) await db.schema.dropTable(t).ifExists().execute();
}
