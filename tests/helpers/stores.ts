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

/** The suite label of a store kind: `[postgres:pglite]` when PostgreSQL runs as PGlite, so a run never passes PGlite off as the server. */
export async function storeLabel(kind: StoreKind): Promise<string> {
  return kind === 'postgres' && !(await postgresIsReal()) ? 'postgres:pglite' : kind;
}

export interface TestStore extends OpenedStore {
  kind: StoreKind;
  /** The location to hand to another process (`PAPERBOY_DB`); absent for PGlite. */
  location?: string;
}

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let pgAvailable: Promise<boolean> | undefined;
let announced = false;

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    if (process.env.PAPERBOY_REQUIRE_PG === '1') {
      throw new Error(`PAPERBOY_REQUIRE_PG=1 but PostgreSQL at ${BASE_URL} is unreachable: ${(err as Error).message}`);
    }
    return false;
  }
}

export function postgresIsReal(): Promise<boolean> {
  return (pgAvailable ??= postgresReachable());
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

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
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
  if (await postgresIsReal()) {
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
