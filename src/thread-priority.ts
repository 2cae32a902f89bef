import fs from 'node:fs';
import os from 'node:os';

/**
 * How much lower than the request thread a background thread runs (the nice value it is given).
 * On Linux, 10 gives a thread about a tenth of a nice-0 thread's share of a contended core
 * (CFS weights 110 against 1024): while a serving process loads its published indexes, the
 * reader thread (a 63 MB file read and hashed at 75k papers) and the training or embedding
 * threads take the cores the request thread does not use, and give them back when it needs one.
 */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the OS priority of the calling thread only — not the process, not its other threads —
 * to `nice` (`BACKGROUND_NICE` by default). Call it first thing inside a worker thread whose work
 * must never slow a request (BENCHMARKS, start-up, round 19).
 *
 * Linux only, best effort: a thread's own id is the last part of `/proc/thread-self`'s target
 * (`<pid>/task/<tid>`), and `setpriority(PRIO_PROCESS, tid)` there changes that one thread. The
 * main thread is left alone (its id is the process id: that would lower the whole serving thread).
 * Elsewhere, or when the kernel refuses, nothing changes. Returns the thread id it lowered, or
 * null.
 */
export function lowerThisThreadPriority(nice = BACKGROUND_NICE): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return null;
    // Only ever lower it: a thread already lower (the whole process started with `nice`) stays so.
    if (os.getPriority(tid) >= nice) return tid;
    os.setPriority(tid, nice);
    return tid;
  } catch {
    return null;
  }
}

/**
 * Lowers every thread of this process — the main thread, the worker threads, V8's and libuv's
 * helpers — to `nice` (`BACKGROUND_NICE` by default); threads started afterwards inherit it from the
 * thread that starts them. For batch commands that run beside serving processes on the same
 * machine (`paperboy reindex`): with both cores taken by a reindex at nice 0, a server's feed
 * requests waited for the reindex's time slices (BENCHMARKS, start-up, round 24). Never called by
 * a serving process. Linux only, best effort (threads may come and go while it walks them); a
 * thread already lower stays so. Returns how many threads it lowered.
 */
export function lowerProcessPriority(nice = BACKGROUND_NICE): number {
  if (process.platform !== 'linux') return 0;
  let lowered = 0;
  let tids: number[];
  try {
    tids = fs.readdirSync('/proc/self/task').map(Number);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      if (os.getPriority(tid) >= nice) continue;
      os.setPriority(tid, nice);
      lowered++;
    } catch {
      // gone meanwhile, or refused: left as it is
    }
  }
  return lowered;
}
