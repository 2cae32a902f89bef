import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * PostgreSQL bulk loads (bench/import: the first import ran at 0.17× the bare SQLite insert).
 *
 * - New papers reach the full-text queue by one statement-level trigger over the inserted rows
 *   (a transition table) instead of a PL/pgSQL call per row: one `insert … select` per batch.
 *   Updates keep their row trigger: transition tables cannot be combined with a column list, and
 *   an update of title, abstract or authors is rare next to an import's inserts.
 * - Abstracts and author lists are compressed with lz4 where the server was built with it: pglz
 *   took a sixth of the server's CPU on a first import. Servers without lz4 keep pglz.
 * - `bulk_load_indexes` remembers the secondary indexes a first import sets aside (see
 *   `PaperRepository.duringBulkImport`): if the process dies before it rebuilds them, the next
 *   open of the store does.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bulk_load_indexes')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('definition', 'text', (c) => c.notNull())
    .execute();
  if (dialectOf(db) !== 'postgres') return;
  await sql`drop trigger papers_search_insert on papers`.execute(db);
  await sql`create function papers_search_enqueue_inserted() returns trigger language plpgsql as $$
      begin
        insert into search_pending(paper_id) select id from inserted_papers on conflict do nothing;
        return null;
      end $$`.execute(db);
  await sql`create trigger papers_search_insert after insert on papers referencing new table as inserted_papers
      for each statement execute function papers_search_enqueue_inserted()`.execute(db);
  await sql`do $$ begin
      alter table papers alter column abstract set compression lz4;
      alter table papers alter column authors set compression lz4;
    exception when feature_not_supported or invalid_parameter_value then null;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bulk_load_indexes').execute();
  if (dialectOf(db) !== 'postgres') return;
  await sql`drop trigger papers_search_insert on papers`.execute(db);
  await sql`drop function papers_search_enqueue_inserted()`.execute(db);
  await sql`create trigger papers_search_insert after insert on papers for each row execute function papers_search_enqueue()`.execute(db);
  await sql`alter table papers alter column abstract set compression default`.execute(db);
  await sql`alter table papers alter column authors set compression default`.execute(db);
}
