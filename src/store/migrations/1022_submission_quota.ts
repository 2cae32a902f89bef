import type { Kysely } from 'kysely';

/**
 * One counter row per account and UTC day of submissions. A submission takes a slot with one
 * atomic upsert that refuses to pass the quota, so concurrent submissions cannot all read "0 used"
 * and all get in (they did, on PostgreSQL).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('submission_quota')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('submission_quota_pk', ['user_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('submission_quota').ifExists().execute();
}
