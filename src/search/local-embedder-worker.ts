import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadPriority } from '../thread-priority.ts';
import { refineModel, type RefineOptions } from './local-embedder-refine.ts';
import { LocalEmbedder, TooLittleTextError, termVectorToBytes, type LocalEmbedderOptions, type TrainingText } from './local-embedder.ts';

/** What the main thread asks a local-embedder worker (`LocalEmbedderThreads`). */
export type LocalWorkerRequest =
  /**
   * With `stems` (and `terms`): text i whose `spans[2i]` is not -1 is embedded from its stem ids
   * `stems.tokens[spans[2i]..spans[2i+1])` (the keyword build's analysis), mapped by the worker's
   * `stemFeature`; its entry in `texts` is not read.
   */
  | { kind: 'embed'; seq: number; texts: string[]; terms?: boolean; stems?: { tokens: Uint32Array; spans: Int32Array } }
  | { kind: 'train'; seq: number; papers: TrainingText[]; options: Partial<LocalEmbedderOptions> }
  /** The contrastive refinement of the model this worker was started with (`local-embedder-refine.ts`). */
  | { kind: 'refine'; seq: number; papers: TrainingText[]; options: Partial<RefineOptions> }
  /** Papers for the next `refine`, sent ahead in pieces (one copy of 75k papers held the sender's thread ~100 ms); no reply. */
  | { kind: 'refine-papers'; seq: number; papers: TrainingText[] };

export type LocalWorkerReply =
  /** Vectors of one `embed` request, back to back (count × dimensions), transferred rather than copied. */
  /** With `terms`: each text's term vector as stored (`termVectorToBytes`), back to back, and their byte lengths. */
  | { kind: 'vectors'; seq: number; flat: Float32Array; terms?: { bytes: Uint8Array; lengths: Uint32Array } }
  | { kind: 'model'; seq: number; model: Uint8Array }
  | { kind: 'progress'; seq: number; phase: 'analyse' | 'svd'; done: number; total: number }
  | { kind: 'error'; seq: number; message: string; tooLittleText: boolean };

/**
 * Worker thread of the offline embedder: embeds texts with the model it was started with (the
 * main thread meanwhile writes the previous batch and inserts it into the ANN graph), or trains a
 * model (while the main thread rebuilds the full-text index).
 */
// Training and bulk embedding run beside a serving process on the same machine (a reindex): below
// every request thread, they take what the requests leave.
lowerThisThreadPriority();

const model: LocalEmbedder | null = workerData?.model ? LocalEmbedder.fromBuffer(workerData.model as Uint8Array) : null;
/** The model's feature id of each stem id of the analysis the requests' `stems` come from (`LocalEmbedder.stemFeatures`). */
const stemFeature: Int32Array | null = (workerData?.stemFeature as Int32Array | undefined) ?? null;

/** The papers `refine-papers` sent ahead of the next `refine`. */
let refinePapers: TrainingText[] = [];

function sendModel(seq: number, trained: LocalEmbedder): void {
  const buf = trained.toBuffer();
  // Only a buffer that owns its whole memory may be transferred (small Buffers share a pool).
  const model = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? new Uint8Array(buf.buffer as ArrayBuffer) : new Uint8Array(buf);
  parentPort!.postMessage({ kind: 'model', seq, model } satisfies LocalWorkerReply, [model.buffer]);
}

parentPort!.on('message', (req: LocalWorkerRequest) => {
  try {
    if (req.kind === 'embed') {
      if (!model) throw new Error('this worker has no model to embed with');
      const d = model.dimensions;
      const flat = new Float32Array(req.texts.length * d);
      if (!req.terms) {
        req.texts.forEach((t, i) => flat.set(model.embedOne(t), i * d));
        const reply: LocalWorkerReply = { kind: 'vectors', seq: req.seq, flat };
        parentPort!.postMessage(reply, [flat.buffer]);
        return;
      }
      const parts: Uint8Array[] = [];
      const lengths = new Uint32Array(req.texts.length);
      const stems = req.stems;
      if (stems && !stemFeature) throw new Error('this worker has no stem table for analysed texts');
      req.texts.forEach((t, i) => {
        const at = stems ? stems.spans[2 * i] : -1;
        const e = at >= 0 ? model.embedStemsWithTerms(stems!.tokens, at, stems!.spans[2 * i + 1], stemFeature!) : model.embedOneWithTerms(t);
        flat.set(e.vector, i * d);
        parts.push(termVectorToBytes(e.terms));
        lengths[i] = parts[i].byteLength;
      });
      const bytes = new Uint8Array(Buffer.concat(parts));
      const reply: LocalWorkerReply = { kind: 'vectors', seq: req.seq, flat, terms: { bytes, lengths } };
      parentPort!.postMessage(reply, [flat.buffer, bytes.buffer, lengths.buffer]);
    } else if (req.kind === 'refine-papers') {
      for (const p of req.papers) refinePapers.push(p);
    } else if (req.kind === 'refine') {
      if (!model) throw new Error('this worker has no model to refine');
      const papers = refinePapers.concat(req.papers);
      refinePapers = [];
      sendModel(req.seq, refineModel(model, papers, req.options));
    } else {
      const trained = LocalEmbedder.train(req.papers, req.options, (phase, done, total) => parentPort!.postMessage({ kind: 'progress', seq: req.seq, phase, done, total } satisfies LocalWorkerReply));
      sendModel(req.seq, trained);
    }
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ kind: 'error', seq: req.seq, message: e.message, tooLittleText: err instanceof TooLittleTextError } satisfies LocalWorkerReply);
  }
});
