import fs from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/**
 * The longest the event loop was held while `task` ran, in ms of this thread's own work: on Linux,
 * its CPU time (the kernel's run time of the main thread, /proc/self/task/<pid>/schedstat) between
 * the ticks of a 1 ms timer, less the garbage collections' share of that stretch.
 * - CPU time, not wall time: on a loaded machine the thread waits for a core, which is not holding.
 * - Less the collections: a scavenge or a major collection lands in whichever stretch it interrupts,
 *   and on a loaded 2-core machine (CI runs two test files at once, beside other jobs) V8's helper
 *   threads get no core, so the main thread does their share and a pause grows to 15-40 ms: sliced
 *   loads whose slices are 8 ms read 30-48 ms in one stretch at load 20. The work these tests guard
 *   against is the code's own, unsliced (100-300 ms at once), not a collection.
 *   A pause is known only in wall time (a `gc` performance entry), which on a loaded machine includes
 *   waiting for a core; taking it whole off the CPU time would take off the code's work as well (an
 *   unsliced load with a major collection in it read 24 ms). So the stretch's CPU time is cut in the
 *   share of its wall time the pauses took: the code's work keeps its part, whatever the load.
 * The kernel updates that run time at its scheduler tick (4 ms here), so a stretch reads up to ~4 ms
 * long or short. Elsewhere: the timer's worst lateness in wall time (`monitorEventLoopDelay`).
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
  const pauses: { from: number; to: number }[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ from: e.startTime, to: e.startTime + e.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  const cpuMs = () => Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6;
  const stretches: { from: number; to: number; cpu: number }[] = [];
  let last = cpuMs();
  let lastAt = performance.now();
  const mark = () => {
    const now = cpuMs();
    const at = performance.now();
    stretches.push({ from: lastAt, to: at, cpu: now - last });
    last = now;
    lastAt = at;
  };
  const timer = setInterval(mark, 1);
  try {
    await task();
  } finally {
    clearInterval(timer);
    mark();
  }
  // A collection's entry is queued after it ends, for a later turn of the loop.
  await new Promise((r) => setTimeout(r, 20));
  for (const e of gc.takeRecords()) pauses.push({ from: e.startTime, to: e.startTime + e.duration });
  gc.disconnect();
  let longest = 0;
  for (const s of stretches) {
    let paused = 0;
    for (const p of pauses) paused += Math.max(0, Math.min(s.to, p.to) - Math.max(s.from, p.from));
    // The pauses' share of the stretch's wall time, taken off its CPU time in the same share.
    longest = Math.max(longest, s.cpu * (1 - Math.min(1, paused / Math.max(s.to - s.from, 1e-3))));
  }
  return longest;
}

/**
 * `longestHold` of up to `tries` runs of `task` (each prepared by `setup`), stopping at the first
 * under `boundMs`: the holds measured. Collections are not counted (see `longestHold`), but a loaded
 * machine can still stretch one try (the kernel's tick, a core shared with other jobs); work that is
 * not sliced exceeds the bound in every try.
 */
export async function holdsUnder(boundMs: number, task: () => Promise<unknown>, opts: { tries?: number; setup?: () => Promise<unknown> } = {}): Promise<number[]> {
  const holds: number[] = [];
  for (let attempt = 0; attempt < (opts.tries ?? 5); attempt++) {
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
