import type { Kysely } from 'kysely';

/**
 * Where each OAI-PMH harvest stands: written in the same transaction as each page's papers, so a
 * harvest killed at any point resumes from the last stored page, and the next incremental harvest
 * knows where the last complete one ended.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('harvest_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('metadata_prefix', 'text', (c) => c.notNull())
    .addColumn('set_spec', 'text')
    .addColumn('from_day', 'text')
    .addColumn('until_day', 'text')
    .addColumn('resumption_token', 'text')
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_from', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('harvest_state').ifExists().execute();
}
