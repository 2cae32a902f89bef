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
  close(): Promise<void>;
}

/** Turns the automatic checkpoint of `sqlite` (the request connection to `file`) off and checkpoints `file` from a thread instead. */
export function checkpointInThread(sqlite: SQLite.Database, file: string, everyMs = 1000): CheckpointThread {
  const before = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  const worker = new Worker(CODE, { eval: true, workerData: { driver, file, everyMs } });
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  let closed = false;
  const thread: CheckpointThread = {
    checkpointNow: () => worker.postMessage('checkpoint'),
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
  worker.on('message', (m: { log: number; checkpointed: number }) => thread.onCheckpoint?.(m));
  // A thread that failed checkpoints nothing: the request connection goes back to doing it.
  worker.on('error', () => {
    closed = true;
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${Number(before)}`);
  });
  return thread;
}
