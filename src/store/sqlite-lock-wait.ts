import { AsyncLocalStorage } from 'node:async_hooks';
import type SQLite from 'better-sqlite3';
import { isStoreBusy } from './errors.ts';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type QueryResult, type SqliteDialectConfig } from 'kysely';

/**
 * SQLite waits for another process's write lock (the worker, `paperboy import`, `reindex`) on a
 * timer, with the event loop free, instead of in SQLite's busy handler.
 *
 * better-sqlite3 is synchronous: with `busy_timeout = 5000` a write that found the lock held slept
 * inside SQLite, and the whole process with it, for up to 5 s — every request of a serving process
 * waited behind one vote (issue 19, "nothing heavy on the request thread"). Here the handle's
 * busy timeout is 0 and:
 * - a transaction begins with `BEGIN IMMEDIATE`: it takes the write lock first, so nothing inside it
 *   waits again (in WAL mode the writer never waits for readers). A deferred `BEGIN` that read first
 *   could not be retried at all: its upgrade to a writer fails at once while another process writes;
 * - a statement outside a transaction (or a `BEGIN IMMEDIATE`) that finds the lock held hands the
 *   connection back, sleeps a few milliseconds on a timer and tries again, for up to `lockWaitMs`;
 *   meanwhile this process's other queries (reads, which never need the lock) run. After
 *   `lockWaitMs` the SQLITE_BUSY error goes up: the HTTP layer answers 503 with Retry-After
 *   (`isStoreBusy`), and the transaction left nothing written.
 * - inside `withoutLockWait` a held lock fails at once (the full-text catch-up before a search: it
 *   serves the index as it is and tries again later, off the request path).
 */

/** As long as the busy timeout this replaces. */
export const LOCK_WAIT_MS = 5000;
/** The first pause after finding the lock held, doubled up to `MAX_PAUSE_MS`. */
const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 50;

const noWait = new AsyncLocalStorage<true>();

let statementsWaiting = 0;
/** Statements of this process waiting now for another connection's write lock (a test waits for one instead of sleeping). */
export function statementsWaitingForLock(): number {
  return statementsWaiting;
}

/** Runs `fn` with every statement that finds another connection's write lock failing at once (SQLITE_BUSY). */
export function withoutLockWait<T>(fn: () => Promise<T>): Promise<T> {
  return noWait.run(true, fn);
}


class LockWaitingDriver extends SqliteDriver {
  private wrapped?: DatabaseConnection;

  constructor(
    config: SqliteDialectConfig,
    private readonly raw: SQLite.Database,
    private readonly lockWaitMs: number,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    this.wrapped ??= {
      executeQuery: <R>(q: CompiledQuery) => this.run<R>(inner, q),
      streamQuery: <R>(q: CompiledQuery, chunkSize?: number) => inner.streamQuery<R>(q, chunkSize),
    };
    return this.wrapped;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  private async run<R>(inner: DatabaseConnection, q: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + this.lockWaitMs;
    let pause = FIRST_PAUSE_MS;
    let waiting = false;
    try {
      for (;;) {
        try {
          return await inner.executeQuery<R>(q);
        } catch (err) {
          // Inside a transaction nothing is retried (the transaction holds the lock already, or its
          // caller decides); nor where waiting is not wanted, nor once the wait is used up.
          if (!isStoreBusy(err) || this.raw.inTransaction || noWait.getStore() || Date.now() + pause > deadline) throw err;
        }
        if (!waiting) {
          waiting = true;
          statementsWaiting++;
        }
        // The connection goes back while this waits: this process's reads need no lock and go on.
        await super.releaseConnection();
        await new Promise((r) => setTimeout(r, pause));
        await super.acquireConnection();
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
    } finally {
      if (waiting) statementsWaiting--;
    }
  }
}

/** Kysely's SQLite dialect over `raw`, waiting for other processes' write lock off the event loop. */
export class LockWaitingSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly raw: SQLite.Database,
    private readonly lockWaitMs = LOCK_WAIT_MS,
  ) {
    super(config);
    // SQLite's own busy handler would sleep the whole process: the driver waits instead.
    raw.pragma('busy_timeout = 0');
  }

  override createDriver(): Driver {
    return new LockWaitingDriver(this.config, this.raw, this.lockWaitMs);
  }
}
