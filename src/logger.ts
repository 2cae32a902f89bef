import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Logs on stderr (stdout stays free for command output such as `--json`): JSON lines for log
 * collectors, or one readable line per event on a terminal (`auto` picks by whether stderr is one).
 */
export function createLogger(level: string = 'info', format: LogFormat = 'auto'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  return pino({ level, base: { app: 'paperboy' } }, pretty ? prettyStream((s) => process.stderr.write(s)) : pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname']);

/** `12:03:04 INFO  Paperboy is serving http://localhost:8080  store=sqlite:…` from a pino JSON line. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '';
  const level = LEVELS[o.level as number] ?? String(o.level);
  const fields = Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  return `${time} ${level} ${String(o.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}

function prettyStream(write: (s: string) => void): { write(line: string): void } {
  return { write: (line) => write(prettyLine(line.trimEnd())) };
}
