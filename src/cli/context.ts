import { loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { openStore, type OpenedStore } from '../store/index.ts';
import { createServices, type Services } from '../services/index.ts';

export interface CliContext {
  config: Config;
  logger: Logger;
  opened: OpenedStore;
  services: Services;
}

/** Settings from the environment, overridden by the common flags (`--db`). */
export function configFromFlags(values: Record<string, unknown>, extra: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig(process.env, { ...(values.db !== undefined ? { db: values.db } : {}), ...extra });
}

/** Opens the store (migrating it) and the services for a command, and closes them afterwards. */
export async function withServices<T>(config: Config, fn: (ctx: CliContext) => Promise<T>, opts: { logLevel?: string } = {}): Promise<T> {
  const logger = createLogger(opts.logLevel ?? config.logLevel, config.logFormat);
  const opened = await openStore(config.db);
  try {
    const services = createServices({ config, logger, store: opened.store });
    try {
      return await fn({ config, logger, opened, services });
    } finally {
      await services.close();
    }
  } finally {
    await opened.close();
  }
}
