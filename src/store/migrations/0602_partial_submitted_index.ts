import { sql, type Kysely } from 'kysely';

/**
 * `feed_entries_submitted_idx` only ever answers "papers submitted by this user": imported and
 * harvested papers have no submitter, so the index now holds submitted entries alone instead of a
 * NULL key for every paper on the feed, which every import paid to write.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists feed_entries_submitted_idx`.execute(db);
  await sql`create index feed_entries_submitted_idx on feed_entries (submitted_by, created_at) where submitted_by is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists feed_entries_submitted_idx`.execute(db);
  await sql`create index feed_entries_submitted_idx on feed_entries (submitted_by, created_at)`.execute(db);
}
