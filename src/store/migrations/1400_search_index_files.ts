import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * Published search index files (the keyword index `reindex` and the worker write), so every server
 * of a deployment loads the same version and notices a new one:
 * - `search_index_versions`: one row per published version of an index (`name`), with the file's
 *   format, length and SHA-256, the store position it was built at, and whether its bytes are in
 *   the store (`stored` = 1) or only in the shared index directory;
 * - `search_index_chunks`: the file's bytes in 4 MB rows when `stored`, for servers that share a
 *   PostgreSQL database but no disk (a single bytea value is capped at 1 GB, and one 700 MB value
 *   would be held whole, hex-encoded, by the driver).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = dialectOf(db) === 'sqlite' ? 'blob' : 'bytea';
  await db.schema
    .createTable('search_index_versions')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('format', 'integer', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('papers', 'integer', (c) => c.notNull())
    .addColumn('cursor_modified_at', 'text', (c) => c.notNull())
    .addColumn('cursor_id', 'text', (c) => c.notNull())
    .addColumn('stored', 'integer', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_index_versions_pk', ['name', 'version'])
    .execute();
  await db.schema
    .createTable('search_index_chunks')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addPrimaryKeyConstraint('search_index_chunks_pk', ['name', 'version', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_index_chunks').ifExists().execute();
  await db.schema.dropTable('search_index_versions').ifExists().execute();
}
