import { parentPort, workerData } from 'node:worker_threads';
import { LocalEmbedder, TooLittleTextError, type LocalEmbedderOptions, type TrainingText } from './local-embedder.ts';

/** What the main thread asks a local-embedder worker (`LocalEmbedderThreads`). */
export type LocalWorkerRequest =
  | { kind: 'embed'; seq: number; texts: string[] }
  | { kind: 'train'; seq: number; papers: TrainingText[]; options: Partial<LocalEmbedderOptions> };

export type LocalWorkerReply =
  /** Vectors of one `embed` request, back to back (count × dimensions), transferred rather than copied. */
  | { kind: 'vectors'; seq: number; flat: Float32Array }
  | { kind: 'model'; seq: number; model: Uint8Array }
  | { kind: 'progress'; seq: number; phase: 'analyse' | 'svd'; done: number; total: number }
  | { kind: 'error'; seq: number; message: string; tooLittleText: boolean };

/**
 * Worker thread of the offline embedder: embeds texts with the model it was started with (the
 * main thread meanwhile writes the previous batch and inserts it into the ANN graph), or trains a
 * model (while the main thread rebuilds the full-text index).
 */
const model: LocalEmbedder | null = workerData?.model ? LocalEmbedder.fromBuffer(workerData.model as Uint8Array) : null;

parentPort!.on('message', (req: LocalWorkerRequest) => {
  try {
    if (req.kind === 'embed') {
      if (!model) throw new Error('this worker has no model to embed with');
      const d = model.dimensions;
      const flat = new Float32Array(req.texts.length * d);
      req.texts.forEach((t, i) => flat.set(model.embedOne(t), i * d));
      const reply: LocalWorkerReply = { kind: 'vectors', seq: req.seq, flat };
      parentPort!.postMessage(reply, [flat.buffer]);
    } else {
      const trained = LocalEmbedder.train(req.papers, req.options, (phase, done, total) => parentPort!.postMessage({ kind: 'progress', seq: req.seq, phase, done, total } satisfies LocalWorkerReply));
      const buf = trained.toBuffer();
      // Only a buffer that owns its whole memory may be transferred (small Buffers share a pool).
      const model = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? new Uint8Array(buf.buffer as ArrayBuffer) : new Uint8Array(buf);
      parentPort!.postMessage({ kind: 'model', seq: req.seq, model } satisfies LocalWorkerReply, [model.buffer]);
    }
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ kind: 'error', seq: req.seq, message: e.message, tooLittleText: err instanceof TooLittleTextError } satisfies LocalWorkerReply);
  }
});
