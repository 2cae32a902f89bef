import type { Config } from '../config.ts';
import { openStore } from '../store/index.ts';
import { backupSqlite, restoreSqlite } from '../store/backup.ts';

/** An online, consistent copy of the SQLite store at `config.db` into `target`. */
export async function backupStore(config: Config, target: string): Promise<{ bytes: number; papers: number }> {
  const opened = await openStore(config.db);
  try {
    const { bytes } = await backupSqlite(opened.connection.sqlite!, target);
    return { bytes, papers: await opened.store.papers.count() };
  } finally {
    await opened.close();
  }
}

/** Replaces the SQLite store at `config.db` with the backup `file` (the server stopped), migrated at once. */
export async function restoreStore(config: Config, file: string): Promise<{ papers: number }> {
  const restored = await restoreSqlite(file, config.db);
  // Open once so that a backup from an older version is migrated now, not at the next start.
  const opened = await openStore(config.db);
  await opened.close();
  return restored;
}
