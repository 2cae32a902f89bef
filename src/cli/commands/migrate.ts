import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { createLogger } from '../../logger.ts';
import { openRuntime } from '../../services/runtime.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the store schema up to date (also done at every start)',
  usage: 'paperboy migrate [--db LOCATION]',
  options: {},
  async run({ values }) {
    const config = configFromFlags(values);
    const runtime = await openRuntime(config, createLogger(config.logLevel));
    try {
      console.log(runtime.migrated.length ? `applied: ${runtime.migrated.join(', ')}` : `${runtime.describe}: schema is up to date`);
    } finally {
      await runtime.close();
    }
    return 0;
  },
};
