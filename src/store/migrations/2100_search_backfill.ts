import type { Kysely } from 'kysely';

/**
 * PostgreSQL: a walk of `papers` in id order that the full-text catch-up indexes, instead of a
 * queue row per paper. A first import sets the insert trigger that fills `search_pending` aside
 * with the secondary indexes (`PaperRepository.duringBulkImport`): queuing 75,000 papers one row
 * each cost the server ≈ 0.5 s of CPU and 16 MB of write-ahead log during the import, and the
 * trigger's transition table spilled every inserted row (≈ 130 MB) to temporary files. When the
 * trigger comes back, a row here (`after_id` = '') makes the catch-up index every paper, a batch at
 * a time from `after_id` on, then the row goes. SQLite keeps its high-water mark (migration 0402)
 * and never writes this table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('search_backfill')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('after_id', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_backfill').execute();
}
