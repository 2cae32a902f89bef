import type { Logger } from 'pino';

/**
 * Waits for SIGTERM or SIGINT, then runs `shutdown` once (a second signal while it runs is ignored)
 * and resolves when it has finished: how `serve` and `worker` stop gracefully.
 */
export function untilSignal(logger: Logger, message: string, shutdown: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, message);
      await shutdown();
      logger.info('stopped');
      resolve();
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
