import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { openStore } from '../../store/index.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the store schema up to date (also done at every start)',
  usage: 'paperboy migrate [--db LOCATION]',
  options: {},
  async run({ values }) {
    const config = configFromFlags(values);
    const opened = await openStore(config.db);
    try {
      console.log(opened.migrated.length ? `applied: ${opened.migrated.join(', ')}` : `${opened.connection.describe}: schema is up to date`);
    } finally {
      await opened.close();
    }
    return 0;
  },
};
