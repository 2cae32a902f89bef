import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Kysely } from 'kysely';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { Store } from '../../src/store/store.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { PGliteDialect } from '../../src/store/pglite-dialect.ts';
import type { Database } from '../../src/store/schema.ts';

/**
 * The stores every contract test runs against. PostgreSQL comes from DATABASE_URL (default: the
 * local server's `test` database); each test store is a fresh database, so test files and
 * developers running side by side never share rows. Without a reachable server the PostgreSQL
 * suite runs on PGlite and says so; PAPERBOY_REQUIRE_PG=1 (set by CI) makes that an error.
 */
export type StoreKind = 'sqlite' | 'postgres';

/**
 * The stores a run covers: both, unless `PAPERBOY_STORES` names fewer (`PAPERBOY_STORES=sqlite` for
 * a fast development loop; the full run and CI keep both). An unknown name is an error, not a skip.
 */
export function storeKinds(env: string | undefined = process.env.PAPERBOY_STORES): StoreKind[] {
  if (!env?.trim()) return ['sqlite', 'postgres'];
  const kinds = env.split(/[\s,]+/).filter(Boolean);
  const bad = kinds.filter((k) => k !== 'sqlite' && k !== 'postgres');
  if (bad.length) throw new Error(`PAPERBOY_STORES: unknown store ${bad.join(', ')} (use sqlite, postgres or both)`);
  return [...new Set(kinds)] as StoreKind[];
}
export const STORE_KINDS: StoreKind[] = storeKinds();


export interface TestStore extends OpenedStore {
  kind: StoreKind;
  /** The location to hand to another process (`PAPERBOY_DB`); absent for PGlite. */
  location?: string;
}

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** How long "PostgreSQL is not reachable" is believed before it is checked again. */
export const UNREACHABLE_RECHECK_MS = 5_000;
const PROBE_ATTEMPTS = 3;
const PROBE_PAUSE_MS = 300;
let announced = false;

/** One connection attempt; the error when it fails. */
async function probeOnce(url: string): Promise<Error | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return null;
  } catch (err) {
    await client.end().catch(() => {});
    return err as Error;
  }
}

/**
 * Whether PostgreSQL at `url` takes connections. A refusal is retried a few times (a server busy
 * starting up, or briefly out of connection slots, must not turn a whole run into PGlite).
 */
export async function probePostgres(url: string, attempts = PROBE_ATTEMPTS): Promise<{ ok: boolean; error?: Error }> {
  let error: Error | null = null;
  for (let i = 0; i < attempts; i++) {
    if (i) await new Promise((r) => setTimeout(r, PROBE_PAUSE_MS));
    error = await probeOnce(url);
    if (!error) return { ok: true };
  }
  return { ok: false, error: error ?? undefined };
}

/**
 * Reachability per URL. A success is remembered for the process; a failure only for
 * `recheckMs`, so a refused connection is not taken as "no PostgreSQL" for the rest of the run.
 */
export function reachabilityCache(recheckMs = UNREACHABLE_RECHECK_MS, probe = probePostgres, requirePg = process.env.PAPERBOY_REQUIRE_PG === '1') {
  const known = new Map<string, { ok: boolean; at: number; pending?: Promise<boolean> }>();
  return (url: string): Promise<boolean> => {
    const k = known.get(url);
    if (k?.pending) return k.pending;
    if (k && (k.ok || Date.now() - k.at < recheckMs)) return Promise.resolve(k.ok);
    const pending = probe(url).then(({ ok, error }) => {
      known.set(url, { ok, at: Date.now() });
      if (!ok && requirePg) {
        throw new Error(`PAPERBOY_REQUIRE_PG=1 but PostgreSQL at ${url} is unreachable: ${error?.message}`);
      }
      return ok;
    });
    known.set(url, { ok: false, at: Date.now(), pending });
    pending.catch(() => known.delete(url));
    return pending;
  };
}

const reachable = reachabilityCache();

export function postgresIsReal(): Promise<boolean> {
  return reachable(BASE_URL);
}

/** What a `postgres` test store runs on: the real server, or PGlite when there is none. */
export type PostgresBackend = 'server' | 'pglite';

export async function postgresBackend(): Promise<PostgresBackend> {
  return (await postgresIsReal()) ? 'server' : 'pglite';
}

/** The label of a store kind in test names: PGlite runs say so (`[postgres:pglite]`). */
export function storeLabel(kind: StoreKind, backend: PostgresBackend): string {
  return kind === 'postgres' && backend === 'pglite' ? 'postgres:pglite' : kind;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh store. `backend` pins what a `postgres` store runs on (the suite's label promised it):
 * a suite labelled `[postgres]` whose server has gone away fails instead of quietly using PGlite.
 */
export async function createTestStore(kind: StoreKind, backend?: PostgresBackend): Promise<TestStore> {
  const opened = await openTestStore(kind, backend);
  databases.set(opened.store, opened.connection.db);
  return opened;
}

const databases = new WeakMap<Store, Kysely<Database>>();

/**
 * The harness's own handle on a test store's database, for fixtures no store method writes (a
 * count set directly, an expiry in the past). Code under src/ has no such handle: `Store.db` is
 * private, and tests/architecture/layering.test.ts keeps it so.
 */
export function testDb(store: Store): Kysely<Database> {
  const db = databases.get(store);
  if (!db) throw new Error('not a store made by createTestStore');
  return db;
}

async function openTestStore(kind: StoreKind, backend?: PostgresBackend): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-test-'));
    const file = path.join(dir, 'test.db');
    const opened = await openStore(file);
    return {
      ...opened,
      kind,
      location: file,
      close: async () => {
        await opened.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const real = await postgresIsReal();
  if (backend === 'server' && !real) throw new Error(`PostgreSQL at ${BASE_URL} stopped taking connections during the run`);
  if (real && backend !== 'pglite') {
    const name = `paperboy_t_${process.pid}_${randomBytes(4).toString('hex')}`;
    await withAdmin((c) => c.query(`create database ${name}`));
    const url = new URL(BASE_URL);
    url.pathname = `/${name}`;
    const opened = await openStore(url.toString(), { poolSize: 10 });
    return {
      ...opened,
      kind,
      location: url.toString(),
      close: async () => {
        await opened.close();
        await withAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
      },
    };
  }
  if (!announced) {
    announced = true;
    console.warn('# PostgreSQL is not reachable: the postgres store tests run on PGlite (PostgreSQL in WebAssembly).');
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = new PGlite({ parsers: { 20: (v: string) => Number(v) } });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite as never) });
  const migrated = await migrateToLatest(db);
  return {
    store: new Store(db),
    connection: { db, dialect: 'postgres', describe: 'pglite:memory', close: () => db.destroy() },
    migrated,
    kind,
    close: () => db.destroy(),
  };
}
