import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * PostgreSQL: the document vectors now keep a gap between title, abstract and authors (see
 * `tsvectorSql` in src/store/search.ts), so phrases no longer match across two fields. Every
 * stored vector is queued again; the search indexer rewrites them in the background (`catchUp`),
 * searches meanwhile use the old vectors. SQLite's FTS5 columns were always separate.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`insert into search_pending(paper_id) select paper_id from paper_search on conflict do nothing`.execute(db);
}

export async function down(): Promise<void> {
  // The old vectors were only less exact: nothing to undo.
}
