import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * SQLite: new papers reach the full-text index by a high-water mark instead of a trigger. A row
 * trigger on every insert cost a quarter of an import's write time (bench/import, measured on the
 * writer alone: 1.95 s of CPU with it, 1.42 s without), and rowids only grow, so "every paper
 * above the highest rowid indexed so far" names the new ones. Updates and deletes still queue
 * their rowids in `search_pending`. A delete lowers the mark below the deleted rowid: SQLite hands
 * the largest rowid out again after its row is deleted, and that paper must not be skipped.
 * PostgreSQL keeps its queue (its papers have no rowid).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`create table search_state (id integer primary key check (id = 1), indexed_rowid integer not null)`.execute(db);
  // Papers inserted before this point were queued by the trigger being dropped.
  await sql`insert into search_state(id, indexed_rowid) select 1, coalesce(max(rowid), 0) from papers`.execute(db);
  await sql`drop trigger papers_search_insert`.execute(db);
  await sql`drop trigger papers_search_delete`.execute(db);
  await sql`create trigger papers_search_delete after delete on papers begin
      insert into search_pending(paper_rowid) select old.rowid where not exists (select 1 from search_pending where paper_rowid = old.rowid);
      update search_state set indexed_rowid = old.rowid - 1 where indexed_rowid >= old.rowid;
    end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`insert into search_pending(paper_rowid) select rowid from papers where rowid > (select indexed_rowid from search_state) and rowid not in (select paper_rowid from search_pending)`.execute(db);
  await sql`drop trigger papers_search_delete`.execute(db);
  await sql`drop table search_state`.execute(db);
  await sql`create trigger papers_search_insert after insert on papers begin
      insert into search_pending(paper_rowid) select new.rowid where not exists (select 1 from search_pending where paper_rowid = new.rowid);
    end`.execute(db);
  await sql`create trigger papers_search_delete after delete on papers begin
      insert into search_pending(paper_rowid) select old.rowid where not exists (select 1 from search_pending where paper_rowid = old.rowid);
    end`.execute(db);
}
