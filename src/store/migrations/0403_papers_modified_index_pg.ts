import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * PostgreSQL: an index for "papers modified since", which each server's in-memory search index
 * asks before a search to follow what other processes changed. SQLite answers that question
 * without it (`PRAGMA data_version` tells whether another connection wrote at all), and there the
 * index would cost every import a third more write time (bench/import, measured on the writer).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`create index if not exists papers_modified_idx on papers (modified_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists papers_modified_idx`.execute(db);
}
