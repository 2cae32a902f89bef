/**
 * The server processes a load bench starts, and its waits for them. A process that exits before the
 * bench stops it — a port another process took between `freePort()` and its listen (EADDRINUSE), a
 * store it cannot open — fails every wait at once with what it said, instead of the bench polling a
 * dead port for the whole readiness wait (up to 30 minutes: round 20's run hung that way).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A port free now (the kernel's pick); never one this process handed out already. */
const handedOut = new Set<number>();
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export class ServerProcesses {
  private readonly children: ChildProcess[] = [];
  private stopping = false;
  private failure: Error | null = null;
  private readonly onFailure = new Set<(err: Error) => void>();

  constructor(private readonly cwd: string) {
    process.on('exit', () => this.stopAll());
    // Interrupted (Ctrl-C, a timeout's SIGTERM): exit, which stops the servers, instead of orphaning them.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) if (!process.listenerCount(sig)) process.on(sig, () => process.exit(130));
  }

  /**
   * Starts `node --import tsx ARGS` in the bench's tree. Its stderr is passed through and kept (the
   * last 4 kB) for the failure message; an exit before `stopAll` fails the bench's waits.
   */
  start(label: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: this.cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      said = (said + chunk.toString()).slice(-4096);
    });
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const taken = /EADDRINUSE/.test(said) ? ' — its port is in use (EADDRINUSE): another process took it; run the bench again' : '';
      this.fail(new Error(`${label} exited (${signal ?? `code ${code}`}) before the bench stopped it${taken}\n${said.trim().split('\n').slice(-5).join('\n')}`));
    });
    this.children.push(child);
    return child;
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const f of this.onFailure) f(err);
  }

  /** Rejects as soon as a started process has exited unasked; never resolves otherwise. */
  private failed(): { promise: Promise<never>; dispose: () => void } {
    let dispose = () => {};
    const promise = new Promise<never>((_, reject) => {
      if (this.failure) return reject(this.failure);
      this.onFailure.add(reject);
      dispose = () => this.onFailure.delete(reject);
    });
    promise.catch(() => {});
    return { promise, dispose };
  }

  /** Polls `url` until `ok` says so; fails after `ms`, or at once when a started process exits. */
  async waitFor(url: string, ok: (res: Response) => Promise<boolean> | boolean, ms = 600_000): Promise<void> {
    const failed = this.failed();
    try {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const ready = await Promise.race([
          // An attempt gives up after 30 s: a port answered by something that never replies is not ready.
          fetch(url, { signal: AbortSignal.timeout(30_000) }).then(ok, () => false /* not up yet */),
          failed.promise,
        ]);
        if (ready) return;
        await Promise.race([new Promise((r) => setTimeout(r, 250)), failed.promise]);
      }
      throw new Error(`${url} not ready after ${Math.round(ms / 1000)} s`);
    } finally {
      failed.dispose();
    }
  }

  /** Runs `work` (the measurement), failing it when a started process exits meanwhile. */
  async whileRunning<T>(work: Promise<T>): Promise<T> {
    const failed = this.failed();
    try {
      return await Promise.race([work, failed.promise]);
    } finally {
      failed.dispose();
    }
  }

  stopAll(): void {
    this.stopping = true;
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  }
}
