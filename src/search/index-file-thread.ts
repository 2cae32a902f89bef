import { Worker } from 'node:worker_threads';
import type { ReadExpectations, VerifiedIndexFile } from './index-file.ts';

/**
 * The thread that reads and verifies index files (`index-file-reader-worker.ts`), one per process,
 * started on the first read: SHA-256 of a 63–70 MB file and its read held a serving process's
 * request thread for hundreds of milliseconds of CPU in all, in slices of up to 10 ms. It runs
 * TypeScript like the rest of Paperboy (tsx registered inside it: a one-off cost on its own
 * thread). It keeps the process alive only while a read is pending.
 */
type Reply = { id: number; verified: VerifiedIndexFile } | { id: number; error: { problem: string | null; message: string } };
export type ThreadReply = { verified: VerifiedIndexFile } | { error: { problem: string | null; message: string } };

let thread: { worker: Worker; pending: Map<number, (r: ThreadReply) => void>; next: number } | null = null;

function readerThread(): NonNullable<typeof thread> {
  if (thread) return thread;
  const entry = new URL('./index-file-reader-worker.ts', import.meta.url).href;
  const worker = new Worker(`import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(entry)});`, { eval: true });
  const t = { worker, pending: new Map<number, (r: ThreadReply) => void>(), next: 0 };
  const fail = (message: string) => {
    if (thread === t) thread = null;
    for (const done of t.pending.values()) done({ error: { problem: null, message } });
    t.pending.clear();
  };
  worker.on('message', (m: Reply | { ready: true }) => {
    if (!('id' in m)) return;
    const done = t.pending.get(m.id);
    t.pending.delete(m.id);
    if (!t.pending.size) worker.unref();
    done?.(m);
  });
  worker.on('error', (err) => fail(`the index file reader thread failed: ${err.message}`));
  worker.on('exit', (code) => fail(`the index file reader thread exited (${code})`));
  worker.unref();
  thread = t;
  return t;
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
