import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * SQLite: a count of the writes to `papers` that the in-memory keyword index's catch-up scan can
 * see (issue 19). Before each search the catch-up asked `pragma data_version` whether another
 * connection wrote, and any write did — a rate-limit row, a session, a vote — so with a second
 * `serve` (or the worker) on the file nearly every search read the whole papers table for rows
 * modified since (no index on `modified_at` here: about 2 s of CPU at 1M papers).
 *
 * The count moves when a row's `modified_at` is set (an edit, an import's update, hiding or
 * withdrawing, PDF text arriving: migration 1502's triggers set it) and when a row is deleted
 * (SQLite may hand the largest rowid out again). New rows need no trigger: rowids only grow, so
 * the highest rowid tells them apart, and a row trigger on every insert cost a quarter of an
 * import's write time (migration 0402). Votes and comment counts update `upvotes` and
 * `num_comments` only, which the scan does not read, and leave it alone.
 *
 * PostgreSQL keeps no such row: its index on `(modified_at, id)` (migration 0403) answers "modified
 * since" with one index probe, as cheap as reading a counter would be, and a single counter row
 * every writer updates would serialise concurrent imports on its row lock.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`create table papers_change_count (id integer primary key check (id = 1), n integer not null)`.execute(db);
  await sql`insert into papers_change_count (id, n) values (1, 0)`.execute(db);
  await sql`create trigger papers_change_count_update after update of modified_at on papers begin
      update papers_change_count set n = n + 1 where id = 1;
    end`.execute(db);
  await sql`create trigger papers_change_count_delete after delete on papers begin
      update papers_change_count set n = n + 1 where id = 1;
    end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`drop trigger if exists papers_change_count_update`.execute(db);
  await sql`drop trigger if exists papers_change_count_delete`.execute(db);
  await sql`drop table if exists papers_change_count`.execute(db);
}
