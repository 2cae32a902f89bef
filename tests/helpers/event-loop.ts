import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * The longest the event loop was held while `task` ran, in ms. On Linux, in this thread's own CPU
 * time (the kernel's run time of the main thread, /proc/self/task/<pid>/schedstat) between the
 * ticks of a 1 ms timer: what the thread did, not how long a loaded machine kept it waiting to run,
 * so the bound holds beside other processes. Elsewhere the timer's worst lateness in wall time
 * (`monitorEventLoopDelay`).
 */
export async function longestHold(task: () => Promise<unknown>): Promise<number> {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  if (!fs.existsSync(schedstat)) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    try {
      await task();
    } finally {
      h.disable();
    }
    return h.max / 1e6;
  }
  const cpuMs = () => Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6;
  let longest = 0;
  let last = cpuMs();
  const timer = setInterval(() => {
    const now = cpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await task();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, cpuMs() - last);
}

/**
 * `longestHold` of up to `tries` runs of `task` (each prepared by `setup`), stopping at the first
 * under `boundMs`: the holds measured. A major garbage collection (~30 ms) lands in whichever slice
 * it interrupts and CI runs two test files at once on two cores, so one try may exceed the bound;
 * work that is not sliced exceeds it in every try.
 */
export async function holdsUnder(boundMs: number, task: () => Promise<unknown>, opts: { tries?: number; setup?: () => Promise<unknown> } = {}): Promise<number[]> {
  const holds: number[] = [];
  for (let attempt = 0; attempt < (opts.tries ?? 3); attempt++) {
    await opts.setup?.();
    const held = await longestHold(task);
    holds.push(held);
    if (held < boundMs) break;
  }
  return holds;
}

/**
 * Counts the turns of the event loop from now (one immediate per turn) until `stop()`: a read
 * that hands the loop back between its slices lets it turn; one synchronous statement does not.
 */
export function loopTurns(): { readonly count: number; stop(): number } {
  let ticks = 0;
  let ticking = true;
  const tick = () => {
    ticks++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get count() {
      return ticks;
    },
    stop() {
      ticking = false;
      return ticks;
    },
  };
}
