import { UsageError, type Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { openStore } from '../../store/index.ts';
import { isPostgresUrl } from '../../store/db.ts';
import { backupSqlite, restoreSqlite } from '../../store/backup.ts';

const PG_HINT = 'on PostgreSQL use pg_dump / pg_restore (see docs/deploy.md)';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'copy the SQLite store to a file, online and consistent (PostgreSQL: pg_dump)',
  usage: 'paperboy backup <file>',
  options: {},
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('backup takes one target file');
    const config = configFromFlags(values);
    if (isPostgresUrl(config.db)) throw new UsageError(PG_HINT);
    const opened = await openStore(config.db);
    try {
      const { bytes } = await backupSqlite(opened.connection.sqlite!, positionals[0]);
      const papers = await opened.store.papers.count();
      console.log(`backed up ${papers} papers (${Math.round(bytes / 1024)} kB) to ${positionals[0]}`);
    } finally {
      await opened.close();
    }
    return 0;
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'replace the SQLite store with a backup (stop the server first)',
  usage: 'paperboy restore <file>',
  options: {},
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('restore takes one backup file');
    const config = configFromFlags(values);
    if (isPostgresUrl(config.db)) throw new UsageError(PG_HINT);
    const { papers } = await restoreSqlite(positionals[0], config.db);
    // Open once so that a backup from an older version is migrated now, not at the next start.
    const opened = await openStore(config.db);
    await opened.close();
    console.log(`restored ${papers} papers into ${config.db} (the previous store is kept as ${config.db}.before-restore)`);
    return 0;
  },
};
