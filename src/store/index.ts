import { openConnection, type Connection } from './db.ts';
import { migrateToLatest } from './migrate.ts';
import { Store } from './store.ts';
import { SqliteBulk } from './sqlite-bulk.ts';
import { checkpointInThread, type CheckpointThread } from './checkpoint-thread.ts';

export { Store } from './store.ts';
export type { Connection } from './db.ts';

export interface OpenedStore {
  store: Store;
  connection: Connection;
  /** Migrations this open applied. */
  migrated: string[];
  /** SQLite, opened with `checkpointThread`: the thread that checkpoints the write-ahead log. */
  checkpoints?: CheckpointThread;
  close(): Promise<void>;
}

/**
 * Opens the store at `location` and brings its schema up to date. `checkpointThread` (a serving
 * process, SQLite file): the write-ahead log is checkpointed by a thread, not by the request
 * thread's commits (`checkpoint-thread.ts`).
 */
export async function openStore(location: string, opts: { migrate?: boolean; poolSize?: number; connectTimeoutMs?: number; poolWaitMs?: number; lockWaitMs?: number; checkpointThread?: boolean } = {}): Promise<OpenedStore> {
  const connection = await openConnection(location, { poolSize: opts.poolSize, connectTimeoutMs: opts.connectTimeoutMs, poolWaitMs: opts.poolWaitMs, lockWaitMs: opts.lockWaitMs });
  try {
    const migrated = opts.migrate === false ? [] : await migrateToLatest(connection.db);
    const bulk = connection.sqlite ? new SqliteBulk(connection.sqlite) : undefined;
    const store = new Store(connection.db, bulk, connection.pgCopy);
    // A bulk import killed before it rebuilt the indexes it set aside leaves them to this open.
    if (opts.migrate !== false) await store.papers.restoreSetAsideIndexes();
    const checkpoints = opts.checkpointThread && connection.sqlite && connection.sqlitePath ? checkpointInThread(connection.sqlite, connection.sqlitePath) : undefined;
    // Its connection answers the reads too long for the request thread, too (`SqliteBulk.offThread`).
    if (bulk && checkpoints) bulk.offThread = checkpoints;
    return {
      store,
      connection,
      migrated,
      checkpoints,
      close: async () => {
        await checkpoints?.close();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
