import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli.ts';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string | null>;
  log(): string;
}

/** Starts a real `paperboy serve` on a random port and resolves once it answers. */
export function startServe(env: Record<string, string>, args: string[] = []): Promise<ServeProcess> {
  const child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', ...args], { LOG_LEVEL: 'info', HARVEST_ENABLED: 'false', ...env });
  let log = '';
  const exited = new Promise<number | string | null>((r) => child.on('close', (code, signal) => r(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 60_000);
    const onData = (d: Buffer) => {
      log += d;
      const m = /Paperboy is serving (http:\/\/[^"\s]+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, exited, log: () => log });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited (${code}):\n${log}`)));
  });
}
