import { loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';
import { openRuntime } from '../services/runtime.ts';
import type { Services } from '../services/index.ts';

export interface CliContext {
  config: Config;
  logger: Logger;
  services: Services;
  /** Where the store is, without credentials. */
  describe: string;
}

/** Settings from the environment, overridden by the common flags (`--db`). */
export function configFromFlags(values: Record<string, unknown>, extra: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig(process.env, { ...(values.db !== undefined ? { db: values.db } : {}), ...extra });
}

/** Opens the store (migrating it) and the services for a command, and closes them afterwards. */
export async function withServices<T>(config: Config, fn: (ctx: CliContext) => Promise<T>, opts: { logLevel?: string; checkpointThread?: boolean } = {}): Promise<T> {
  const logger = createLogger(opts.logLevel ?? config.logLevel, config.logFormat);
  const runtime = await openRuntime(config, logger, { checkpointThread: opts.checkpointThread });
  try {
    return await fn({ config, logger, services: runtime.services, describe: runtime.describe });
  } finally {
    await runtime.close();
  }
}
