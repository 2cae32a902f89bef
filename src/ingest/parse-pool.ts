import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script.ts';
import type { ParsedBatch, ParseOptions } from './parse-lines.ts';
import type { FileBatchMessage, ParseFileRequest } from './parse-worker.ts';

/** The worker as one plain script (`src/worker-script.ts`). */
const bundledWorker = () => workerScript(new URL('./parse-worker.ts', import.meta.url));

/** Batches a worker may parse ahead of the writer: enough to keep it busy, few enough for flat memory. */
const AHEAD = 4;

/**
 * Worker threads that read and parse import files while the main thread writes. The worker reads
 * the file itself, so the main thread spends its time on the database alone (reading and decoding
 * the lines was a fifth of its time when it sent them to the workers).
 */
export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly listeners = new Map<number, (msg: FileBatchMessage) => void>();
  private nextId = 0;

  constructor(size: number) {
    const script = bundledWorker();
    for (let i = 0; i < size; i++) {
      const w = new Worker(script, { eval: true });
      w.on('message', (msg: FileBatchMessage) => this.listeners.get(msg.id)?.(msg));
      w.on('error', (err) => {
        for (const l of this.listeners.values()) l({ id: -1, kind: 'error', error: err.stack ?? String(err) });
      });
      this.workers.push(w);
    }
  }

  /** The file's batches, in file order (the first `firstBatchSize` lines); the worker stays at most `AHEAD` batches in front of the caller. */
  async *parseFile(file: string, opts: ParseOptions, batchSize: number, firstBatchSize = batchSize): AsyncGenerator<ParsedBatch> {
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length];
    const queue: FileBatchMessage[] = [];
    let wake: (() => void) | null = null;
    this.listeners.set(id, (msg) => {
      queue.push(msg);
      wake?.();
      wake = null;
    });
    const request: ParseFileRequest = { kind: 'file', id, file, opts, batchSize, firstBatchSize, ahead: AHEAD };
    worker.postMessage(request);
    try {
      for (;;) {
        while (!queue.length) await new Promise<void>((r) => (wake = r));
        const msg = queue.shift()!;
        if (msg.kind === 'error') throw new Error(msg.error);
        if (msg.kind === 'done') return;
        worker.postMessage({ kind: 'ack', id });
        const { id: _id, kind: _kind, ...batch } = msg;
        yield batch;
        // Asked for the next batch, the caller is done with this one (the importer writes a batch
        // before it asks for the next): its packed rows' buffer goes back to the worker to pack
        // into again, instead of the worker taking fresh memory for every batch.
        if (!Array.isArray(batch.rows)) {
          const buffer = batch.rows.text.buffer as ArrayBuffer;
          worker.postMessage({ kind: 'scratch', buffer }, [buffer]);
        }
      }
    } finally {
      this.listeners.delete(id);
      // A caller that stops early (an error while writing) lets the worker drop the rest of the file.
      worker.postMessage({ kind: 'cancel', id });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
