import type { Kysely } from 'kysely';

/**
 * Read state (issue 18): the papers a reader has seen — opened (their page was shown while signed
 * in) or marked seen by hand. Marking "not seen" deletes the row. Feed queries filter on it with
 * `not exists`, so the primary key (user, paper) is the index they use.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('paper_reads')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('how', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_reads_pk', ['user_id', 'paper_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('paper_reads').ifExists().execute();
}
