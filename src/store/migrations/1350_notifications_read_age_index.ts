import { sql, type Kysely } from 'kysely';

/**
 * The hourly cleanup deletes read notifications past NOTIFICATIONS_KEEP_DAYS: a partial index on
 * their age, so it does not scan every reader's inbox (unread rows are never pruned, so not indexed).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists notifications_read_age_idx on notifications (created_at) where read_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists notifications_read_age_idx`.execute(db);
}
