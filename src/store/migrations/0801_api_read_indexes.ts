import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the API's and feeds' orderings, so a page reads index order instead of sorting the
 * whole table: every paper newest first (`/api/papers`, category and search feeds; the expression
 * must match `NEWEST_KEY` in papers.ts exactly), and the feed newest day first in feed order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index papers_newest_idx on papers ((coalesce(published_at, '')), id)`.execute(db);
  await sql`create index feed_entries_newest_idx on feed_entries (day desc, position asc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists feed_entries_newest_idx`.execute(db);
  await sql`drop index if exists papers_newest_idx`.execute(db);
}
