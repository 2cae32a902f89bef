import { Worker } from 'node:worker_threads';
import type { ReadExpectations, VerifiedIndexFile } from './index-file.ts';
import { workerScript } from '../worker-script.ts';

/**
 * The thread that reads and verifies index files (`index-file-reader-worker.ts`), one per process,
 * started on the first read or by `startReaderThread` (`serve` starts it before its port opens):
 * SHA-256 of a 63–70 MB file and its read held a serving process's request thread for hundreds of
 * milliseconds of CPU in all, in slices of up to 10 ms. It runs as one bundled script
 * (`src/worker-script.ts`, about 40 ms of esbuild on the calling thread, once): registering tsx
 * inside it cost a second thread of module hooks and 0.5–1 s of CPU on the two cores just after the
 * port opened, beside the first requests (BENCHMARKS, start-up, round 19). The thread lowers its own
 * OS priority (`lowerThisThreadPriority`). It keeps the process alive only while a read is pending.
 */
type Reply = { id: number; verified: VerifiedIndexFile } | { id: number; error: { problem: string | null; message: string } };
export type ThreadReply = { verified: VerifiedIndexFile } | { error: { problem: string | null; message: string } };

let thread: { worker: Worker; pending: Map<number, (r: ThreadReply) => void>; next: number; ready: Promise<void> } | null = null;

function readerThread(): NonNullable<typeof thread> {
  if (thread) return thread;
  const worker = new Worker(workerScript(new URL('./index-file-reader-worker.ts', import.meta.url)), { eval: true });
  let started!: () => void;
  const t = { worker, pending: new Map<number, (r: ThreadReply) => void>(), next: 0, ready: new Promise<void>((r) => (started = r)) };
  const fail = (message: string) => {
    started();
    if (thread === t) thread = null;
    for (const done of t.pending.values()) done({ error: { problem: null, message } });
    t.pending.clear();
  };
  worker.on('message', (m: Reply | { ready: true }) => {
    if (!('id' in m)) {
      // Running: from now on it keeps the process alive only while a read is pending.
      if (!t.pending.size) worker.unref();
      return started();
    }
    const done = t.pending.get(m.id);
    t.pending.delete(m.id);
    if (!t.pending.size) worker.unref();
    done?.(m);
  });
  worker.on('error', (err) => fail(`the index file reader thread failed: ${err.message}`));
  worker.on('exit', (code) => fail(`the index file reader thread exited (${code})`));
  // Referenced until it runs: a process awaiting `startReaderThread` with nothing else to wait for stays up.
  thread = t;
  return t;
}

/**
 * Starts the reader thread now if it is not running: its script is bundled and the thread created
 * on the calling thread, so a server does this before it listens, not in its first second of
 * requests. Resolves once the thread runs (its priority lowered) or has failed (a read then reports
 * the failure); never rejects. Idempotent; the thread does not keep the process alive.
 */
export function startReaderThread(): Promise<void> {
  return readerThread().ready;
}

/** Reads and verifies `file` in the reader thread; the file's buffer comes back moved, not copied. */
export function readInThread(file: string, expect: ReadExpectations): Promise<ThreadReply> {
  const t = readerThread();
  const id = t.next++;
  t.worker.ref();
  return new Promise((resolve) => {
    t.pending.set(id, resolve);
    t.worker.postMessage({ id, file, expect });
  });
}
