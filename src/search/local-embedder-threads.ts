import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script.ts';
import type { Embedder } from './embedder.ts';
import { LocalEmbedder, paperText, TooLittleTextError, type EmbeddedWithTerms, type LocalEmbedderOptions, type TrainingProgress, type TrainingText } from './local-embedder.ts';
import type { LocalWorkerReply, LocalWorkerRequest } from './local-embedder-worker.ts';
import type { AnalysedTexts } from './tokenize.ts';
import type { RefineOptions } from './local-embedder-refine.ts';
import { nextSlice } from '../slices.ts';

/** Papers per message when `refineOnThread` sends the corpus to its thread. */
export const REFINE_SEND_CHUNK = 2000;
import type { PaperText } from '../store/search.ts';

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

  constructor(model: Uint8Array | null, stemFeature?: Int32Array) {
    this.worker = new Worker(bundledWorker(), { eval: true, workerData: { model, stemFeature } });
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

  /** A message that gets no reply (`refine-papers`). */
  send(req: DistributiveOmit<LocalWorkerRequest, 'seq'>): void {
    if (this.failed) throw this.failed;
    this.worker.postMessage({ ...req, seq: -1 } as LocalWorkerRequest);
  }

  ask(req: DistributiveOmit<LocalWorkerRequest, 'seq'>, onProgress?: TrainingProgress, transfer?: ArrayBuffer[]): Promise<LocalWorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, onProgress });
      this.worker.postMessage({ ...req, seq } as LocalWorkerRequest, transfer);
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

/** The vectors and term vectors of a worker's answer to `count` texts. */
function termsOf(reply: LocalWorkerReply, count: number, dimensions: number): EmbeddedWithTerms {
  const vectors = vectorsOf(reply, dimensions);
  if (reply.kind !== 'vectors' || !reply.terms || reply.terms.lengths.length !== count) throw new Error('local embedder: a worker answered without term vectors');
  const terms: Uint8Array[] = [];
  let at = 0;
  for (const len of reply.terms.lengths) {
    terms.push(reply.terms.bytes.subarray(at, at + len));
    at += len;
  }
  return { vectors, terms };
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
  private readonly analysed: AnalysedTexts | null;
  /** Papers embedded from `analysed` (not from their text) so far. */
  fromAnalysis = 0;

  /**
   * `analysed`: the keyword build's analysis of the papers (`paperboy reindex` builds the keyword
   * index first); a paper in it whose content hash is still the same is embedded from its stem ids
   * (`embedPapersWithTerms`), not analysed a second time — the same vectors and term vectors.
   */
  constructor(model: LocalEmbedder, threads = defaultEmbedThreads(), analysed: AnalysedTexts | null = null) {
    this.id = model.id;
    this.dimensions = model.dimensions;
    const buf = model.toBuffer();
    this.analysed = analysed;
    const stemFeature = analysed ? model.stemFeatures(analysed.stems) : undefined;
    this.workers = Array.from({ length: Math.max(1, threads) }, () => new LocalWorker(new Uint8Array(buf), stemFeature));
  }

  get threads(): number {
    return this.workers.length;
  }

  /**
   * Whether a paper listed at `contentHash` must come with its title and abstract: the analysis does
   * not stand for it (not analysed — hidden, withdrawn, past the analysis' limit — or analysed at
   * another content hash). `embedPapersWithTerms` embeds the others without their text.
   */
  needsText(id: string, contentHash: string): boolean {
    return this.analysed?.papers.get(id)?.contentHash !== contentHash;
  }

  /**
   * `embedWithTerms` of the papers' texts (`paperText`): a paper the analysis has, with the content
   * hash it was analysed at, goes to the worker as its stem ids; any other (changed since, or past
   * the analysis' limit) as its text.
   */
  async embedPapersWithTerms(papers: readonly PaperText[]): Promise<EmbeddedWithTerms> {
    const analysed = this.analysed;
    if (!analysed) return this.embedWithTerms(papers.map(paperText));
    if (!papers.length) return { vectors: [], terms: [] };
    const per = Math.ceil(papers.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map(async (w, i) => {
        const slice = papers.slice(i * per, (i + 1) * per);
        if (!slice.length) return { vectors: [], terms: [] };
        // A paper's stem ids stand for its text only while its content hash is the one they were read at.
        const usable = slice.map((p) => {
          const a = analysed.papers.get(p.id);
          return a && a.contentHash === p.contentHash ? a : null;
        });
        const spans = new Int32Array(2 * slice.length).fill(-1);
        const tokens = new Uint32Array(usable.reduce((n, a) => n + (a ? a.end - a.start : 0), 0));
        let at = 0;
        const texts = slice.map((p, j) => {
          const a = usable[j];
          if (!a) return paperText(p);
          tokens.set(analysed.tokens.subarray(a.start, a.end), at);
          spans[2 * j] = at;
          at += a.end - a.start;
          spans[2 * j + 1] = at;
          this.fromAnalysis++;
          return '';
        });
        const reply = await w.ask({ kind: 'embed', texts, terms: true, stems: { tokens, spans } }, undefined, [tokens.buffer, spans.buffer]);
        return termsOf(reply, slice.length, this.dimensions);
      }),
    );
    return { vectors: parts.flatMap((p) => p.vectors), terms: parts.flatMap((p) => p.terms) };
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
        return termsOf(await w.ask({ kind: 'embed', texts: slice, terms: true }), slice.length, this.dimensions);
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

/**
 * The contrastive refinement (`refineModel`) of `model` on a worker thread of its own at background
 * priority (`lowerThisThreadPriority`): the serving process's request thread never runs it. Aborting
 * `signal` stops the thread.
 */
export async function refineOnThread(model: Uint8Array, papers: readonly TrainingText[], options: Partial<RefineOptions> = {}, signal?: AbortSignal, chunk = REFINE_SEND_CHUNK): Promise<LocalEmbedder> {
  signal?.throwIfAborted();
  const worker = new LocalWorker(model);
  const stop = () => void worker.close();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    // In pieces, a turn of the event loop each: copied to the thread at once, 75k papers held a
    // serving process's request thread ~100 ms of CPU (2,000 a message: ~3 ms).
    let at = 0;
    for (; at + chunk < papers.length; at += chunk) {
      worker.send({ kind: 'refine-papers', papers: papers.slice(at, at + chunk) as TrainingText[] });
      await nextSlice();
      signal?.throwIfAborted();
    }
    const reply = await worker.ask({ kind: 'refine', papers: papers.slice(at) as TrainingText[], options });
    if (reply.kind === 'error') throw new Error(`local model refinement: ${reply.message}`);
    if (reply.kind !== 'model') throw new Error(`local model refinement: unexpected reply ${reply.kind}`);
    return LocalEmbedder.fromBuffer(reply.model);
  } finally {
    signal?.removeEventListener('abort', stop);
    await worker.close();
  }
}
