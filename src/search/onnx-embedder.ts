import { Worker } from 'node:worker_threads';
import type { Embedder } from './embedder.ts';
import type { EncoderInfo } from './onnx/encoder.ts';

/** A large call is cut into jobs this size, so a query's embedding never waits behind more than one. */
const JOB_TEXTS = 8;

interface Job {
  texts: string[];
  resolve: (v: Float32Array[]) => void;
  reject: (e: Error) => void;
}

/**
 * `SEARCH_EMBEDDER=onnx`: a sentence-embedding model (ONNX weights + WordPiece tokenizer) run by
 * onnxruntime inside this Node process, on a worker thread. Short calls (a search query) go to the
 * front of the queue; bulk embedding (reindex, background catch-up) is done in small jobs behind
 * them. The id names the model and a hash of its files, so vectors of different models never mix.
 */
export class OnnxEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly maxLength: number;
  private queue: Job[] = [];
  private busy?: { seq: number; job: Job };
  private seq = 0;
  private failed?: Error;

  private constructor(private readonly worker: Worker, info: EncoderInfo) {
    this.id = info.id;
    this.dimensions = info.dimensions;
    this.maxLength = info.maxLength;
    worker.on('message', (m: { type: string; seq: number; vectors?: Float32Array[]; message?: string }) => {
      const current = this.busy;
      if (!current || current.seq !== m.seq) return;
      this.busy = undefined;
      if (m.type === 'done') current.job.resolve(m.vectors!);
      else current.job.reject(new Error(`onnx embedder: ${m.message}`));
      this.next();
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`onnx embedder: the worker thread exited (${code})`)));
    worker.unref();
  }

  /** Loads the model in a worker thread; rejects with the loader's message (e.g. a missing file). */
  static open(dir: string, opts: { name?: string; threads?: number } = {}): Promise<OnnxEmbedder> {
    const entry = new URL('./onnx/encoder-worker.ts', import.meta.url).href;
    // The worker runs TypeScript like the rest of Paperboy: tsx is registered inside it first.
    const worker = new Worker(`import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(entry)});`, {
      eval: true,
      workerData: { dir, ...opts },
    });
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string; info?: EncoderInfo; message?: string }) => {
        worker.off('message', onMessage);
        worker.off('error', reject);
        if (m.type === 'ready') resolve(new OnnxEmbedder(worker, m.info!));
        else {
          void worker.terminate();
          reject(new Error(m.message));
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    if (this.failed) throw this.failed;
    const parts: Promise<Float32Array[]>[] = [];
    const urgent = texts.length <= 2;
    for (let at = 0; at < texts.length; at += JOB_TEXTS) {
      parts.push(
        new Promise((resolve, reject) => {
          const job = { texts: texts.slice(at, at + JOB_TEXTS), resolve, reject };
          if (urgent) this.queue.unshift(job);
          else this.queue.push(job);
        }),
      );
    }
    this.next();
    return (await Promise.all(parts)).flat();
  }

  private next(): void {
    if (this.busy) return;
    const job = this.queue.shift();
    if (!job) {
      this.worker.unref(); // an idle model does not keep the process alive
      return;
    }
    this.worker.ref();
    this.busy = { seq: ++this.seq, job };
    this.worker.postMessage({ seq: this.busy.seq, texts: job.texts });
  }

  private fail(err: Error): void {
    this.failed ??= err;
    const pending = [...(this.busy ? [this.busy.job] : []), ...this.queue];
    this.busy = undefined;
    this.queue = [];
    for (const j of pending) j.reject(this.failed);
  }

  async close(): Promise<void> {
    this.failed ??= new Error('onnx embedder: closed');
    await this.worker.terminate();
  }
}
