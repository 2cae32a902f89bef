import { openConnection, type Connection } from './db.ts';
import { migrateToLatest } from './migrate.ts';
import { Store } from './store.ts';
import { SqliteBulk } from './sqlite-bulk.ts';

export { Store } from './store.ts';
export type { Connection } from './db.ts';

export interface OpenedStore {
  store: Store;
  connection: Connection;
  /** Migrations this open applied. */
  migrated: string[];
  close(): Promise<void>;
}

/** Opens the store at `location` and brings its schema up to date. */
export async function openStore(location: string, opts: { migrate?: boolean; poolSize?: number; connectTimeoutMs?: number; poolWaitMs?: number; lockWaitMs?: number } = {}): Promise<OpenedStore> {
  const connection = await openConnection(location, { poolSize: opts.poolSize, connectTimeoutMs: opts.connectTimeoutMs, poolWaitMs: opts.poolWaitMs, lockWaitMs: opts.lockWaitMs });
  try {
    const migrated = opts.migrate === false ? [] : await migrateToLatest(connection.db);
    const store = new Store(connection.db, connection.sqlite ? new SqliteBulk(connection.sqlite) : undefined, connection.pgCopy);
    // A bulk import killed before it rebuilt the indexes it set aside leaves them to this open.
    if (opts.migrate !== false) await store.papers.restoreSetAsideIndexes();
    return { store, connection, migrated, close: () => connection.close() };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
