import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli.ts';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string | null>;
  log(): string;
}

/** Starts a real `paperboy` command that runs until signalled, and resolves once its log matches `ready`. */
function startLongRunning(args: string[], env: Record<string, string>, ready: RegExp, what: string): Promise<ServeProcess> {
  const child = spawnCli(args, { LOG_LEVEL: 'info', ...env });
  let log = '';
  const exited = new Promise<number | string | null>((r) => child.on('close', (code, signal) => r(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${log}`)), 60_000);
    const onData = (d: Buffer) => {
      log += d;
      const m = ready.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] ?? '', child, exited, log: () => log });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${what} exited (${code}):\n${log}`)));
  });
}

/** Starts a real `paperboy serve` on a random port and resolves once it answers. */
export function startServe(env: Record<string, string>, args: string[] = []): Promise<ServeProcess> {
  return startLongRunning(['serve', '--port', '0', '--host', '127.0.0.1', ...args], { HARVEST_ENABLED: 'false', ...env }, /Paperboy is serving (http:\/\/[^"\s]+)/, 'serve');
}

/** Starts `paperboy worker` and resolves once it logged that it runs (`url` is empty). */
export function startWorker(env: Record<string, string>): Promise<ServeProcess> {
  return startLongRunning(['worker'], env, /Paperboy worker running/, 'worker');
}
