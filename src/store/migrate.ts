import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';

export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

const provider = { getMigrations: async () => MIGRATIONS };

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider, allowUnorderedMigrations: true });
}

/** Names of migrations the database has run, in order; empty for a new database. */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    return rows.rows.map((r) => r.name);
  } catch {
    return [];
  }
}

/** Migrations the code knows but the database has not run. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const applied = new Set(await appliedMigrations(db));
  return Object.keys(MIGRATIONS).filter((n) => !applied.has(n)).sort();
}

/**
 * Brings the schema up to date. Safe to run at every start and from several processes at once
 * (Kysely takes a lock). Refuses a database that a newer Paperboy has migrated.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const unknown = (await appliedMigrations(db)).filter((n) => !(n in MIGRATIONS));
  if (unknown.length) {
    throw new SchemaTooNewError(
      `the database schema is newer than this version of Paperboy (unknown migrations: ${unknown.join(', ')}); upgrade Paperboy instead`,
    );
  }
  const { error, results }: MigrationResultSet = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? error}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
