import { sql, type Kysely } from 'kysely';
import { withAutoId } from './helpers.ts';

/**
 * Author claims and the links verified authors set. A claim is pending until a moderator decides;
 * one pending claim per reader and paper (a partial unique index, on both stores). Author-set
 * links live apart from harvested or discovered ones, so they can win on display and be undone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db, db.schema.createTable('author_claims'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_key', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema.createIndex('author_claims_one_pending').unique().on('author_claims').columns(['user_id', 'paper_id']).where(sql.ref('status'), '=', sql.lit('pending')).execute();
  await db.schema.createIndex('author_claims_status_idx').on('author_claims').columns(['status', 'id']).execute();
  await db.schema.createIndex('author_claims_paper_idx').on('author_claims').columns(['paper_id', 'status']).execute();
  await db.schema.createIndex('author_claims_user_idx').on('author_claims').columns(['user_id', 'status']).execute();

  await db.schema
    .createTable('author_links')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('set_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('author_links_pk', ['paper_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('author_links').ifExists().execute();
  await db.schema.dropTable('author_claims').ifExists().execute();
}
