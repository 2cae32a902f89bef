import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * Trained search models (the offline embedder, trained by `paperboy reindex` on the instance's own
 * papers), kept in the store so every server process on PostgreSQL loads the same model.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('search_models')
    .addColumn('name', 'text', (c) => c.primaryKey())
    /** Which model this is; vectors remember it as their embedder id. */
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('data', dialectOf(db) === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .addColumn('trained_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_models').ifExists().execute();
}
