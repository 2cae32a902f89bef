import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { LockWaitingSqliteDialect } from './sqlite-lock-wait.ts';
import type { Database } from './schema.ts';
import type { DialectName } from './dialect.ts';
import { isPostgresUrl, redactUrl } from '../config.ts';
import { PgCopy } from './pg-copy.ts';
import { cachingStatements } from './statement-cache.ts';
import { preparingClient } from './pg-prepared.ts';


export interface Connection {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Human-readable location, without credentials. */
  describe: string;
  /** The SQLite file, when the store is SQLite. */
  sqlitePath?: string;
  /** The better-sqlite3 handle under Kysely, for the repositories' bulk paths. */
  sqlite?: SQLite.Database;
  /** COPY FROM STDIN on a transaction's connection (PostgreSQL through `pg`), for bulk writes. */
  pgCopy?: PgCopy;
  /** Pool use (PostgreSQL). */
  poolStats?: () => Record<string, number>;
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}


/** Opens the store `PAPERBOY_DB` names: a `postgres://` URL, or else a SQLite file path. */
export async function openConnection(location: string, opts: { poolSize?: number; connectTimeoutMs?: number; poolWaitMs?: number; lockWaitMs?: number } = {}): Promise<Connection> {
  if (isPostgresUrl(location)) return openPostgres(location, opts.poolSize ?? 10, opts.connectTimeoutMs ?? 5000, opts.poolWaitMs ?? opts.connectTimeoutMs ?? 5000);
  return openSqlite(location, { lockWaitMs: opts.lockWaitMs });
}

function openSqlite(file: string, opts: { lockWaitMs?: number } = {}): Connection {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (err) {
    throw new StoreUnavailableError(`cannot open SQLite file ${file}: ${(err as Error).message}`);
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Each SQL text compiled once (`cachingStatements`): Kysely's driver compiled every query again.
  // Another process's write lock is waited for on a timer, not in SQLite's busy handler, which
  // slept the whole process (`sqlite-lock-wait.ts`).
  const db = new Kysely<Database>({ dialect: new LockWaitingSqliteDialect({ database: cachingStatements(sqlite) }, sqlite, opts.lockWaitMs) });
  return {
    db,
    dialect: 'sqlite',
    describe: `sqlite:${file}`,
    sqlitePath: file === ':memory:' ? undefined : path.resolve(file),
    sqlite,
    close: () => db.destroy(),
  };
}

// PostgreSQL returns bigint (count(*)) and numeric as strings; int8 fits in a JS number for our counts.
pg.types.setTypeParser(20, (v) => Number(v));

async function openPostgres(url: string, poolSize: number, connectTimeoutMs: number, poolWaitMs: number): Promise<Connection> {
  // pg-pool uses connectionTimeoutMillis both for the wait for a free client and for opening one;
  // a down database should fail fast while a busy pool may queue longer, so the clients get their own.
  // Each parameterised statement prepared once per connection (`pg-prepared.ts`).
  const Preparing = preparingClient(pg.Client);
  class Client extends Preparing {
    constructor(config: pg.ClientConfig = {}) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: poolWaitMs, Client });
  pool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  const pgCopy = new PgCopy();
  pool.on('connect', (client) => {
    // pg-pool listens for errors only on idle clients: a connection that breaks while lent out (in a
    // transaction between two statements, say) would emit an unhandled 'error' and end the process.
    // The statement under way fails on its own, and the pool drops the broken client on release.
    client.on('error', () => {});
    pgCopy.register(client);
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    const u = new URL(url);
    const e = err as NodeJS.ErrnoException;
    throw new StoreUnavailableError(
      `cannot connect to PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}: ${e.code ? e.code + ' ' : ''}${e.message}`,
    );
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    describe: redactUrl(url),
    pgCopy,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}
