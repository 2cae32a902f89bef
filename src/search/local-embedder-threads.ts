import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script.ts';
import type { Embedder } from './embedder.ts';
import { LocalEmbedder, TooLittleTextError, type EmbeddedWithTerms, type LocalEmbedderOptions, type TrainingProgress, type TrainingText } from './local-embedder.ts';
import type { LocalWorkerReply, LocalWorkerRequest } from './local-embedder-worker.ts';

/** The worker as one plain script (`src/worker-script.ts`). */
const bundledWorker = () => workerScript(new URL('./local-embedder-worker.ts', import.meta.url));

/** Threads for bulk embedding by default: every core but the one the main thread writes (and inserts into the ANN graph) on. */
export function defaultEmbedThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Pending = { resolve: (r: LocalWorkerReply) => void; reject: (e: Error) => void; onProgress?: TrainingProgress };

/** One worker thread and its requests in flight. */
class LocalWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private failed: Error | null = null;

  constructor(model: Uint8Array | null) {
    this.worker = new Worker(bundledWorker(), { eval: true, workerData: { model } });
    this.worker.on('message', (m: LocalWorkerReply) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      if (m.kind === 'progress') return p.onProgress?.(m.phase, m.done, m.total);
      this.pending.delete(m.seq);
      p.resolve(m);
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`local embedder: the worker thread exited (${code})`)));
  }

  ask(req: DistributiveOmit<LocalWorkerRequest, 'seq'>, onProgress?: TrainingProgress): Promise<LocalWorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, onProgress });
      this.worker.postMessage({ ...req, seq } as LocalWorkerRequest);
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error('local embedder: the worker threads were closed');
    for (const p of this.pending.values()) p.reject(this.failed);
    this.pending.clear();
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

function vectorsOf(reply: LocalWorkerReply, dimensions: number): Float32Array[] {
  if (reply.kind === 'error') throw new Error(`local embedder: ${reply.message}`);
  if (reply.kind !== 'vectors') throw new Error(`local embedder: unexpected reply ${reply.kind}`);
  const out: Float32Array[] = [];
  for (let at = 0; at < reply.flat.length; at += dimensions) out.push(reply.flat.subarray(at, at + dimensions));
  return out;
}

/**
 * The offline embedder run on worker threads, for bulk work (`paperboy reindex`, the background
 * re-embed): each batch is split across the workers, and while they embed it the main thread is
 * free to store the previous batch and insert it into the ANN graph. Same model, same id, the same
 * vectors as `LocalEmbedder.embed` on the main thread. Queries keep using the main thread's model
 * (one short text: a round trip to a worker would cost more than it saves).
 */
export class LocalEmbedderThreads implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly workers: LocalWorker[];

  constructor(model: LocalEmbedder, threads = defaultEmbedThreads()) {
    this.id = model.id;
    this.dimensions = model.dimensions;
    const buf = model.toBuffer();
    this.workers = Array.from({ length: Math.max(1, threads) }, () => new LocalWorker(new Uint8Array(buf)));
  }

  get threads(): number {
    return this.workers.length;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    const per = Math.ceil(texts.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map(async (w, i) => {
        const slice = texts.slice(i * per, (i + 1) * per);
        return slice.length ? vectorsOf(await w.ask({ kind: 'embed', texts: slice }), this.dimensions) : [];
      }),
    );
    return parts.flat();
  }

  /** Vectors and term vectors (as stored) of the texts, the batch split across the workers like `embed`. */
  async embedWithTerms(texts: string[]): Promise<EmbeddedWithTerms> {
    if (!texts.length) return { vectors: [], terms: [] };
    const per = Math.ceil(texts.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map(async (w, i) => {
        const slice = texts.slice(i * per, (i + 1) * per);
        if (!slice.length) return { vectors: [], terms: [] };
        const reply = await w.ask({ kind: 'embed', texts: slice, terms: true });
        const vectors = vectorsOf(reply, this.dimensions);
        if (reply.kind !== 'vectors' || !reply.terms || reply.terms.lengths.length !== slice.length) throw new Error('local embedder: a worker answered without term vectors');
        const terms: Uint8Array[] = [];
        let at = 0;
        for (const len of reply.terms.lengths) {
          terms.push(reply.terms.bytes.subarray(at, at + len));
          at += len;
        }
        return { vectors, terms };
      }),
    );
    return { vectors: parts.flatMap((p) => p.vectors), terms: parts.flatMap((p) => p.terms) };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/**
 * Trains a model on a worker thread (`LocalEmbedder.train` there), so the main thread can rebuild
 * the full-text index meanwhile; rejects with `TooLittleTextError` as training itself would.
 */
export async function trainOnThread(papers: readonly TrainingText[], options: Partial<LocalEmbedderOptions> = {}, onProgress?: TrainingProgress): Promise<LocalEmbedder> {
  const worker = new LocalWorker(null);
  try {
    const reply = await worker.ask({ kind: 'train', papers: papers as TrainingText[], options }, onProgress);
    if (reply.kind === 'error') throw reply.tooLittleText ? new TooLittleTextError(reply.message) : new Error(`local embedder training: ${reply.message}`);
    if (reply.kind !== 'model') throw new Error(`local embedder training: unexpected reply ${reply.kind}`);
    return LocalEmbedder.fromBuffer(reply.model);
  } finally {
    await worker.close();
  }
}
