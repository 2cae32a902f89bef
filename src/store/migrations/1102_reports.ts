import type { Kysely } from 'kysely';
import { withAutoId } from './helpers.ts';

/**
 * Readers' reports of comments and papers. One row per reporter and target (reporting again
 * updates it), so a crowd of reports from one account counts once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db, db.schema.createTable('reports'))
    .addColumn('reporter_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'text')
    .addUniqueConstraint('reports_one_per_reporter', ['reporter_id', 'target_type', 'target_id'])
    .execute();
  await db.schema.createIndex('reports_open_idx').on('reports').columns(['status', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reports').ifExists().execute();
}
