import type { Logger } from '../logger.ts';

/**
 * Work done after the answer has gone out: what a request would otherwise reveal by how long it
 * took (whether an address has an account) is looked up and mailed here, so every answer takes
 * the same time. `drain()` waits for what is still running (shutdown, tests).
 */
export class AfterResponse {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(what: string, fn: () => Promise<void>): void {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(fn)
      .catch((err) => this.logger.error({ err }, `${what} failed`))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}
