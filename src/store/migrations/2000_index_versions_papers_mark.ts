import type { Kysely } from 'kysely';

/**
 * SQLite: where the papers stood (`PaperRepository.changeMark().papers`: the highest rowid and the
 * change count migration 1700's triggers keep) when a published keyword index was built, taken
 * before its first page was read. A server loading that version whose store shows the same mark
 * knows no paper was added, changed or deleted since, and skips the "modified since" scan that
 * otherwise reads the whole papers table before it is ready (no index on `modified_at` on SQLite:
 * about 8 s of a 2.5M-paper server's start at load 20, BENCHMARKS round 23 `big-start`). Null for
 * versions published before, and on PostgreSQL (its index answers the scan): the scan runs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('search_index_versions').addColumn('papers_mark', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('search_index_versions').dropColumn('papers_mark').execute();
}
