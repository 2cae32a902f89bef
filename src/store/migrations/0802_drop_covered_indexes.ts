import { sql, type Kysely } from 'kysely';

/**
 * Drops two indexes that 0801's cover: `papers_published_idx` (published_at, id) — every query
 * orders and filters by `coalesce(published_at, '')` or `substr(published_at, ...)`, which only
 * the expression index serves — and `feed_entries_day_idx` (day, position), whose lookups
 * (`day = ?`, `day in (...)`, day ranges, ordered by position) read `feed_entries_newest_idx`
 * (day desc, position asc) as well. Each index is written on every imported paper: the import
 * benchmark measured the first alone at about a third of the papers table's write time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists papers_published_idx`.execute(db);
  await sql`drop index if exists feed_entries_day_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists papers_published_idx on papers (published_at, id)`.execute(db);
  await sql`create index if not exists feed_entries_day_idx on feed_entries (day, position)`.execute(db);
}
