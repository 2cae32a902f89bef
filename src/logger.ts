import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs on stderr (stdout stays free for command output such as `--json`). */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { app: 'paperboy' } }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
