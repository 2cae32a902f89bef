import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script.ts';
import { SIDE_ABORT, SIDE_ROWS_DONE, type SideBuildData, type SideBuildReply } from './full-text-side-build-protocol.ts';

/**
 * SQLite, a first import: the full-text index written beside the import instead of after it.
 *
 * After a first import of millions of papers, the catch-up that fills FTS5 was most of the time
 * (2.5M: papers 95 s, full-text 267 s on the quiet machine, BENCHMARKS round 19), all of it on the
 * writing thread, after the papers, inside the store's one write lock. Here a second thread fills
 * a scratch FTS5 database from the papers as the importer commits them (on the other core), and at
 * the end moves the finished index into the store in one transaction (`full-text-side-build-worker.ts`).
 * The store's catch-up then only indexes what changed meanwhile (queued by the triggers).
 *
 * Safe by construction: the index is taken only when the store's is still empty, in one
 * transaction with the high-water mark; a process killed before that leaves the store's index
 * empty and its mark at 0, so the next catch-up (or the next import's side build) does it all. The
 * scratch file is removed when the build ends, and replaced when a later one starts.
 */
export interface FullTextSideBuild {
  /** Waits for the thread to index the rest and move its index into the store. */
  finish(): Promise<SideBuildResult>;
  /** Stops the thread and removes the scratch file (after `finish`, only the file's removal is left). */
  abort(): Promise<void>;
}

/** `adopted`: the store's index is the side build's, for papers up to rowid `upTo` (`indexed` of them), moved into the store in `moveMs`. */
export type SideBuildResult = { adopted: true; upTo: number; indexed: number; moveMs: number } | { adopted: false; reason: string };

const bundledWorker = () => workerScript(new URL('./full-text-side-build-worker.ts', import.meta.url), ['better-sqlite3']);
const BATCH = 5000;
const BULK_AUTOMERGE = 16;

/** `<store>.fts-build`: beside the store, so on the disk its user chose for it. */
export const sideFileOf = (storeFile: string) => `${storeFile}.fts-build`;

export function startFullTextSideBuild(storeFile: string): FullTextSideBuild {
  const sideFile = sideFileOf(storeFile);
  removeScratch(sideFile);
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const data: SideBuildData = {
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    storeFile,
    sideFile,
    flag: flag.buffer as SharedArrayBuffer,
    batch: BATCH,
    automerge: BULK_AUTOMERGE,
  };
  // No execArgv: the bundle is a CommonJS script, and a parent's `--input-type=module` would run it as a module.
  const worker = new Worker(bundledWorker(), { eval: true, workerData: data, execArgv: [] });
  const ended = new Promise<SideBuildResult>((resolve) => {
    worker.once('message', (m: SideBuildReply) => resolve(m.kind === 'done' ? (m.adopted ? { adopted: true, upTo: m.upTo, indexed: m.indexed, moveMs: m.moveMs } : { adopted: false, reason: 'the store was indexed meanwhile' }) : { adopted: false, reason: m.message }));
    worker.once('error', (err) => resolve({ adopted: false, reason: err.message }));
    worker.once('exit', (code) => resolve({ adopted: false, reason: `the side build's thread exited (${code})` }));
  }).finally(() => removeScratch(sideFile));
  const signal = (v: number) => {
    Atomics.store(flag, 0, v);
    Atomics.notify(flag, 0);
  };
  return {
    finish() {
      signal(SIDE_ROWS_DONE);
      return ended;
    },
    async abort() {
      signal(SIDE_ABORT);
      await worker.terminate();
      await ended;
    },
  };
}

function removeScratch(file: string): void {
  for (const f of [file, `${file}-journal`]) fs.rmSync(f, { force: true });
}
