import { Worker } from 'node:worker_threads';
import type { ParsedLine, ParseOptions } from './parse-lines.ts';

type Pending = { resolve: (p: ParsedLine[]) => void; reject: (e: Error) => void };

/**
 * Worker threads that parse import batches while the main thread writes the previous ones.
 * Results come back per batch; callers await them in submission order.
 */
export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(size: number) {
    // On Node 20 a worker's TypeScript entry is not seen by `--import tsx` hooks: register tsx
    // inside the worker, then load the entry.
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./parse-worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    for (let i = 0; i < size; i++) {
      const w = new Worker(bootstrap, { eval: true });
      w.on('message', (msg: { id: number; parsed?: ParsedLine[]; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(msg.error));
        else p.resolve(msg.parsed!);
      });
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  parse(lines: { n: number; text: string }[], opts: ParseOptions): Promise<ParsedLine[]> {
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, lines, opts });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
