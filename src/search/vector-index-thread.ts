import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * The thread that owns one ANN graph (`VectorIndex`). usearch's `load` of a saved graph runs
 * natively for as long as the graph is large — 209–243 ms of CPU at 75k × 256 (f16), about 13×
 * more at a million papers — and a usearch index cannot move between threads: the graph lives in
 * this thread from birth, and the request thread never runs usearch. A load and a save (the file
 * written) are awaited (the request thread serves meanwhile); the other calls (search, insert) are
 * answered synchronously, the request thread waiting on a shared flag for the few milliseconds they
 * took on it before.
 *
 * The thread keeps its normal priority: the request thread waits for its searches, and a lowered
 * thread would make it wait longer on a busy machine. It keeps the process alive only while a load
 * is pending, and ends when its `VectorIndex` is collected.
 */

/** The thread's code: plain CommonJS, no TypeScript (nothing to bundle or compile on the request thread). */
const CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const { Index } = require(workerData.usearch);
const { port, flag, options } = workerData;
const SMALL_BATCH = 1000;
let index = new Index(options);
const run = (m) => {
  switch (m.op) {
    case 'load': {
      const loaded = new Index(options);
      loaded.load(m.file);
      const size = Number(loaded.size());
      if (m.count !== undefined && size !== m.count) return { size, kept: false };
      index = loaded;
      return { size, kept: true };
    }
    case 'size':
      return Number(index.size());
    case 'clear':
      index = new Index(options);
      return 0;
    case 'upsert': {
      for (const key of m.keys) if (index.contains(key)) index.remove(key);
      // A small batch (the embedding job's, a rebuild's slices) is added on one thread: usearch's
      // concurrent inserts make the graph, and so which neighbours a search finds, differ run to run.
      if (m.keys.length) index.add(m.keys, m.vectors, m.keys.length < SMALL_BATCH ? 1 : 0);
      return Number(index.size());
    }
    case 'search': {
      const size = Number(index.size());
      if (!size) return [];
      const r = index.search(m.vector, Math.min(m.k, size), 0);
      const out = [];
      for (let i = 0; i < r.keys.length; i++) {
        const d = r.distances[i];
        if (Number.isFinite(d)) out.push({ key: Number(r.keys[i]), similarity: 1 - d });
      }
      return out;
    }
    case 'save':
      index.save(m.file);
      return Number(index.size());
  }
  throw new Error('unknown ANN thread call ' + m.op);
};
port.on('message', (m) => {
  let reply;
  try {
    reply = { value: run(m) };
  } catch (err) {
    reply = { error: String((err && err.message) || err) };
  }
  if (m.id === undefined) {
    reply.seq = m.seq;
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  } else parentPort.postMessage({ id: m.id, ...reply });
});
`;

const usearchPath = createRequire(import.meta.url).resolve('usearch');
/** Ends a collected index's thread (its graph goes with it). */
const threads = new FinalizationRegistry<Worker>((worker) => void worker.terminate());

/** A synchronous call that did not come back in this long means the thread is gone. */
const SYNC_TIMEOUT_MS = 120_000;

export class VectorIndexThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private syncSeq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private next = 0;
  private loading = 0;
  private failed: string | null = null;
  /**
   * Resolves once the thread runs (usearch loaded in it); never rejects. A synchronous call made
   * before waits for the start on the request thread (a few hundred ms on a busy machine).
   */
  readonly started: Promise<void>;

  constructor(owner: object, options: Record<string, unknown>) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.unref();
    this.worker = new Worker(CODE, { eval: true, workerData: { usearch: usearchPath, port: port2, flag: this.flag, options }, transferList: [port2] });
    const fail = (message: string) => {
      this.failed = message;
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
    };
    this.worker.on('message', (m: { id: number; value?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!this.pending.size) this.worker.unref();
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.value);
    });
    this.worker.on('error', (err) => fail(`the ANN index thread failed: ${err.message}`));
    this.worker.on('exit', (code) => fail(`the ANN index thread exited (${code})`));
    // After the listeners: adding one references the thread's port again.
    this.worker.unref();
    threads.register(owner, this.worker);
    this.started = this.request({ op: 'size' }).then(
      () => undefined,
      () => undefined,
    );
  }


  /** A call answered while the request thread waits (a search, an insert: what ran on it before). */
  call<T>(m: Record<string, unknown>): T {
    if (this.failed) throw new Error(this.failed);
    if (this.loading > 0) throw new Error('the ANN index is used while its graph is still loading');
    const seq = ++this.syncSeq;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...m, seq });
    // A wake-up is not the answer: the thread sets the flag, then notifies, and the notify of the call
    // before can come after this call began to wait — it woke it with the flag still 0 and no reply
    // yet ("answered nothing", about one call in 10^4–10^5 under a stress of searches). So the flag
    // is checked again after every wake-up; once set, the reply (posted before it) is on the port.
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    while (Atomics.load(this.flag, 0) === 0) {
      if (Atomics.wait(this.flag, 0, 0, Math.max(0, deadline - Date.now())) === 'timed-out') throw new Error(`the ANN index thread did not answer in ${SYNC_TIMEOUT_MS / 1000} s`);
    }
    const got = receiveMessageOnPort(this.port)?.message as { seq: number; value?: T; error?: string } | undefined;
    if (!got) throw new Error('the ANN index thread answered nothing');
    // Each reply names its call: one for another call would be a protocol error, never this call's answer.
    if (got.seq !== seq) throw new Error(`the ANN index thread answered call ${got.seq} where ${seq} was asked`);
    if (got.error !== undefined) throw new Error(got.error);
    return got.value as T;
  }

  /** A graph read from `file` in the thread, awaited while the request thread serves; kept only when it holds `count` vectors (if given). */
  async load(file: string, count?: number): Promise<{ size: number; kept: boolean }> {
    this.loading++;
    try {
      return await this.request({ op: 'load', file, count });
    } finally {
      this.loading--;
    }
  }

  /**
   * The graph written to `file` by its thread, awaited while the request thread serves: at 75k × 256
   * the write is tens of megabytes, which the request thread waited for with every request held.
   * A synchronous call made meanwhile waits for the write (the thread answers in order).
   */
  save(file: string): Promise<number> {
    return this.request({ op: 'save', file });
  }

  private request<T>(m: Record<string, unknown>): Promise<T> {
    if (this.failed) return Promise.reject(new Error(this.failed));
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // Referenced while a load is pending: a process awaiting it with nothing else to do stays up.
      this.worker.ref();
      this.port.postMessage({ ...m, id });
    });
  }
}
