import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { openStore } from '../store/index.ts';
import type { ImportSummary } from '../ingest/importer.ts';
import { createServices, type ServiceDeps, type Services } from './index.ts';
import { loadDemoIfEmpty } from './demo.ts';

/** The services over an open store: what `serve`, `worker` and every CLI command start from. */
export interface Runtime {
  services: Services;
  /** Migrations this open applied. */
  migrated: string[];
  /** Where the store is, without credentials. */
  describe: string;
  /** The demo set this open loaded into an empty store (`loadDemo`), else null. */
  demo: ImportSummary | null;
  /** Whether the write-ahead log is checkpointed beside the request thread (a serving process on a SQLite file). */
  checkpointsInThread: boolean;
  /** Closes the services, then the store. */
  close(): Promise<void>;
}

/**
 * Opens (and migrates) the store named by `config.db` and wires the services over it. `serving`:
 * for long-running processes, with the connect and pool timeouts that turn an unreachable
 * PostgreSQL into 503s, pool statistics for /metrics, and (SQLite) the write-ahead log checkpointed
 * beside the request thread. `checkpointThread` (default: `serving`): that checkpointing thread for a
 * command too (`paperboy reindex`, whose bulk writes otherwise copy the log into the database file,
 * with its fsyncs, inside its own commits). Routes, commands and jobs reach data only
 * through the services it returns.
 */
export async function openRuntime(config: Config, logger: Logger, opts: { serving?: boolean; loadDemo?: boolean; deps?: Partial<ServiceDeps>; checkpointThread?: boolean } = {}): Promise<Runtime> {
  const checkpointThread = opts.checkpointThread ?? opts.serving ?? false;
  const opened = await openStore(config.db, opts.serving ? { connectTimeoutMs: config.storeConnectTimeoutMs, poolWaitMs: config.storePoolWaitMs, checkpointThread } : { checkpointThread });
  let services: Services;
  let demo: ImportSummary | null = null;
  try {
    // Before the services: the search index and "For you" start from a store that already holds the demo set.
    if (opts.loadDemo) demo = await loadDemoIfEmpty(opened.store);
    services = createServices({ ...opts.deps, config, logger, store: opened.store, poolStats: opened.connection.poolStats });
  } catch (err) {
    await opened.close();
    throw err;
  }
  return {
    services,
    migrated: opened.migrated,
    describe: opened.connection.describe,
    demo,
    checkpointsInThread: !!opened.checkpoints,
    close: async () => {
      try {
        await services.close();
      } finally {
        await opened.close();
      }
    },
  };
}
