import type { Kysely } from 'kysely';
import { withAutoId } from './helpers.ts';

/**
 * Organisations (by normalised-name slug), the papers arXiv affiliates with them, and the readers
 * who declared themselves members. Declared organisations stay `pending` until a moderator lists them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db, db.schema.createTable('organisations'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('website', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('declared_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('organisations_status_idx').on('organisations').columns(['status', 'name']).execute();

  await db.schema
    .createTable('paper_organisations')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('author', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_organisations_pk', ['paper_id', 'org_id', 'author'])
    .execute();
  await db.schema.createIndex('paper_organisations_org_idx').on('paper_organisations').columns(['org_id', 'paper_id']).execute();

  await db.schema
    .createTable('organisation_members')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('organisation_members_pk', ['user_id', 'org_id'])
    .execute();
  await db.schema.createIndex('organisation_members_org_idx').on('organisation_members').columns(['org_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['organisation_members', 'paper_organisations', 'organisations']) await db.schema.dropTable(t).ifExists().execute();
}
