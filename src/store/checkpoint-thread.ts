import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * SQLite, a serving process: the write-ahead log is checkpointed by a thread of its own, never by a
 * commit on the request thread.
 *
 * SQLite checkpoints in the commit that takes the log past `wal_autocheckpoint` pages (1,000, ~4 MB)
 * on whichever connection made it. In a serving process that is the request thread: the commit of a
 * keyword catch-up's 20 papers after a harvest held it 30–55 ms of CPU at once, copying the log
 * into the database file — the longest hold of any background job at 75k papers (BENCHMARKS
 * "Background jobs", round 22). Here the request connection's automatic checkpoint is off and a
 * thread with its own connection runs a PASSIVE checkpoint (it never waits for readers or writers,
 * and copies only what is new) every `everyMs`. Other processes (the worker, an import) keep their
 * automatic checkpoints. Should the thread fail, the request connection checkpoints as before.
 *
 * The same thread and connection answer reads too long for the request thread (`read`): a statement
 * that counts a whole table's rows in one go — the ANN preparation's count of a space's vectors,
 * 4–11 ms of the request thread at 75k papers as a server's start-up loads ended (BENCHMARKS,
 * start-up, rounds 26 and 27). A read there sees the last commit, as one on the request connection
 * outside a transaction does.
 * Plain CommonJS, as `model-read-thread.ts`: nothing to bundle.
 */
const CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  if (r.checkpointed > 0) parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'checkpoint') checkpoint();
  if (m && m.read !== undefined) {
    try {
      parentPort.postMessage({ read: m.read, row: db.prepare(m.sql).get(...m.params) ?? null });
    } catch (err) {
      parentPort.postMessage({ read: m.read, error: String(err && err.message || err) });
    }
  }
  if (m === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export interface CheckpointThread {
  /** Asks for a checkpoint now (tests). */
  checkpointNow(): void;
  /** Called with each checkpoint that copied pages: the log's frames, and how many of them are in the database file. */
  onCheckpoint?: (r: { log: number; checkpointed: number }) => void;
  /** The first row of a read statement (or null), run by the thread on its own connection; rejects when it fails or the thread is gone. */
  read(sql: string, params: readonly (string | number)[]): Promise<Record<string, unknown> | null>;
  close(): Promise<void>;
}

/** Turns the automatic checkpoint of `sqlite` (the request connection to `file`) off and checkpoints `file` from a thread instead. */
export function checkpointInThread(sqlite: SQLite.Database, file: string, everyMs = 1000): CheckpointThread {
  const before = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  const worker = new Worker(CODE, { eval: true, workerData: { driver, file, everyMs } });
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  let closed = false;
  // Reads waiting for their answer: the thread is referenced meanwhile, so that a process with
  // nothing else to do does not exit before it answers.
  const reads = new Map<number, { resolve: (row: Record<string, unknown> | null) => void; reject: (err: Error) => void }>();
  let nextRead = 0;
  const failReads = (why: string) => {
    for (const r of reads.values()) r.reject(new Error(why));
    reads.clear();
  };
  const thread: CheckpointThread = {
    checkpointNow: () => worker.postMessage('checkpoint'),
    read: (sql, params) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(new Error('the checkpoint thread is closed'));
        const id = nextRead++;
        reads.set(id, { resolve, reject });
        if (reads.size === 1) worker.ref();
        worker.postMessage({ read: id, sql, params });
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Unreferenced, the thread would not keep the loop turning until it has closed its connection.
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
  worker.on('message', (m: { log: number; checkpointed: number } | { read: number; row?: Record<string, unknown> | null; error?: string }) => {
    if (!('read' in m)) return thread.onCheckpoint?.(m);
    const r = reads.get(m.read);
    reads.delete(m.read);
    if (!reads.size && !closed) worker.unref();
    if (m.error !== undefined) r?.reject(new Error(m.error));
    else r?.resolve(m.row ?? null);
  });
  // A thread that failed checkpoints nothing: the request connection goes back to doing it.
  worker.on('error', () => {
    closed = true;
    failReads('the checkpoint thread failed');
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${Number(before)}`);
  });
  worker.on('exit', () => failReads('the checkpoint thread exited'));
  return thread;
}
