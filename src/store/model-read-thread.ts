import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Reads a stored model (`search_models`) from a SQLite file in a thread of its own, with its own
 * read-only connection, and hands the bytes over moved, not copied.
 *
 * Why not on the request thread in pieces: SQLite's `substr()` of a blob loads the whole blob first
 * (every overflow page of it), so each 1 MB piece of a 23 MB model cost a full read of the model —
 * 70–150 ms of the request thread per piece, the 64–180 ms stalls a serving process showed 2–3 s
 * after listening, when its first search or embedding pass opened the model (BENCHMARKS, start-up,
 * round 21). Here the one read (~70 ms) runs beside the request thread; the thread ends when it has
 * answered. Plain CommonJS, as `vector-index-thread.ts`: nothing to bundle on the request thread.
 */
const CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
try {
  const row = db.prepare('select model_id, trained_at, data from search_models where name = ?').get(workerData.name);
  if (!row) parentPort.postMessage(null);
  else {
    // A Buffer of its own (not a slice of a larger one) moves; anything else is copied first.
    const own = row.data.byteOffset === 0 && row.data.byteLength === row.data.buffer.byteLength ? row.data : Buffer.from(row.data);
    const data = new Uint8Array(own.buffer, 0, own.byteLength);
    parentPort.postMessage({ modelId: row.model_id, trainedAt: row.trained_at, data }, [data.buffer]);
  }
} finally {
  db.close();
}
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export interface StoredModel {
  modelId: string;
  data: Uint8Array;
  trainedAt: string;
}

/** The model stored under `name` in the SQLite file `file`, read in a thread; null when there is none. Rejects when the thread fails. */
export function readModelInThread(file: string, name: string): Promise<StoredModel | null> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CODE, { eval: true, workerData: { driver, file, name } });
    let answered = false;
    worker.once('message', (m: StoredModel | null) => {
      answered = true;
      resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the model reader thread exited (${code}) without an answer`));
    });
  });
}
