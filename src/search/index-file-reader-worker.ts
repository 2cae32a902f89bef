import { parentPort } from 'node:worker_threads';
import { IndexFileError, readAndVerifyIndexFile } from './index-file.ts';
import { lowerThisThreadPriority } from '../thread-priority.ts';

/**
 * The reader thread of index files (`index-file-thread.ts` starts it): reads a file whole and runs
 * every check on it here, then moves (or, read into a `SharedArrayBuffer`, shares) the buffer with
 * the requesting thread without a copy. A check
 * that fails comes back as its problem and message, rethrown there as the same `IndexFileError`.
 */
// Reading and hashing a published file is never more urgent than a request: on two cores this
// thread takes the core the request thread is not using, and yields it when the request thread wants it.
lowerThisThreadPriority();

parentPort!.on('message', (m: { id: number; file: string; expect: Parameters<typeof readAndVerifyIndexFile>[1] }) => {
  try {
    const verified = readAndVerifyIndexFile(m.file, m.expect);
    // A SharedArrayBuffer is posted shared (both threads see one backing store); any other is moved.
    const file = verified.buffer instanceof SharedArrayBuffer ? [] : [verified.buffer];
    const moved = [...file, ...Object.values(verified.tables).flatMap((t) => [t.starts.buffer as ArrayBuffer, t.slots.buffer as ArrayBuffer])];
    parentPort!.postMessage({ id: m.id, verified }, moved);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: { problem: err instanceof IndexFileError ? err.problem : null, message: (err as Error).message } });
  }
});
parentPort!.postMessage({ ready: true });
