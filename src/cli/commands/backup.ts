import { UsageError, type Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { isPostgresUrl } from '../../config.ts';
import { backupStore, restoreStore } from '../../services/backup.ts';

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
    const { bytes, papers } = await backupStore(config, positionals[0]);
    console.log(`backed up ${papers} papers (${Math.round(bytes / 1024)} kB) to ${positionals[0]}`);
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
    const { papers } = await restoreStore(config, positionals[0]);
    console.log(`restored ${papers} papers into ${config.db} (the previous store is kept as ${config.db}.before-restore)`);
    return 0;
  },
};
