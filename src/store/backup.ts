import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.ts';

export class BackupError extends Error {
  override name = 'BackupError';
}

/**
 * Online, consistent copy of a live SQLite store (SQLite's backup API: readers and writers carry on;
 * the copy is one snapshot). Returns the number of pages copied.
 */
export async function backupSqlite(raw: SQLite.Database, target: string): Promise<{ bytes: number }> {
  if (fs.existsSync(target)) throw new BackupError(`${target} exists: choose a new file name`);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = `${target}.partial`;
  fs.rmSync(tmp, { force: true });
  await raw.backup(tmp);
  fs.renameSync(tmp, target);
  return { bytes: fs.statSync(target).size };
}

/** Checks that a file is a Paperboy SQLite store this version can open, and says what is in it. */
export function inspectBackup(file: string): { papers: number; migrations: string[] } {
  if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist`);
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError(`${file} is not a SQLite database: ${(err as Error).message}`);
  }
  try {
    let check: unknown;
    try {
      check = db.pragma('quick_check', { simple: true });
    } catch (err) {
      throw new BackupError(`${file} is not a SQLite database: ${(err as Error).message}`);
    }
    if (check !== 'ok') throw new BackupError(`${file} is damaged: ${check}`);
    let migrations: string[];
    try {
      migrations = (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
    } catch {
      throw new BackupError(`${file} is not a Paperboy store (no migration table)`);
    }
    const unknown = migrations.filter((m) => !(m in MIGRATIONS));
    if (unknown.length) throw new BackupError(`${file} comes from a newer Paperboy (unknown migrations: ${unknown.join(', ')})`);
    const papers = (db.prepare('select count(*) as n from papers').get() as { n: number }).n;
    return { papers, migrations };
  } finally {
    db.close();
  }
}

/**
 * Replaces the SQLite store at `target` with the backup `file` (after checking it). The server must
 * not be running on `target`. The old store is kept as `<target>.before-restore`.
 */
export async function restoreSqlite(file: string, target: string): Promise<{ papers: number }> {
  const info = inspectBackup(file);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = `${target}.restoring`;
  fs.rmSync(tmp, { force: true });
  const src = new SQLite(file, { readonly: true });
  try {
    await src.backup(tmp);
  } finally {
    src.close();
  }
  if (fs.existsSync(target)) {
    // Fold the old store's WAL into it so the kept copy is complete on its own.
    const old = new SQLite(target);
    old.pragma('wal_checkpoint(TRUNCATE)');
    old.close();
    fs.renameSync(target, `${target}.before-restore`);
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(target + suffix, { force: true });
  fs.renameSync(tmp, target);
  return { papers: info.papers };
}
