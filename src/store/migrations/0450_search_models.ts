import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * Trained search models (the offline embedder), one row per name, so every server process on the
 * same store — SQLite or PostgreSQL — loads the model `paperboy reindex` trained.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('search_models')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('data', dialectOf(db) === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .addColumn('trained_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_models').ifExists().execute();
}
