/**
 * A preload for a benchmarked `serve` (bench/startup/run.ts --trace starts it with
 * `--import <this file>`): what a request waited for inside the server, measured where it happens.
 *
 * - Per HTTP request (diagnostics channels `http.server.request.start` / `response.finish`): its
 *   wall time in the server, how many `setImmediate` callbacks ran meanwhile and for how long (the
 *   sliced start-up work yields with `setImmediate`: each one that runs while a request is in
 *   flight delays it), the longest of them, and the event loop's longest delay meanwhile.
 *   Also the main thread's own CPU time meanwhile (/proc schedstat: what the request and whatever
 *   ran between its steps cost, not what other processes took) and its longest CPU gap.
 * - Every second: the event loop's delay (`monitorEventLoopDelay`, 1 ms resolution) p50/p99/max,
 *   the immediates run in that second and the main thread's CPU time so far (also when the port opens).
 * - The places immediates are scheduled from (every 64th one's stack, top frames of this project),
 *   printed with the per-second line when they change.
 *
 * Lines go to stderr as JSON with a `trace` field, beside the server's own log; nothing here
 * changes what the server does apart from the cost of counting. Plain JavaScript: worker threads
 * inherit the preload, before TypeScript is registered in them (it does nothing there).
 */
import { channel } from 'node:diagnostics_channel';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import fs from 'node:fs';
import net from 'node:net';
import { createRequire, syncBuiltinESMExports } from 'node:module';

if (isMainThread) install();

function install() {
  const out = (o) => process.stderr.write(JSON.stringify({ trace: true, t: Math.round(performance.now()), ...o }) + '\n');

  let immediates = 0;
  let immediateMs = 0;
  let longestImmediate = 0;
  let gapMax = 0;
  let cpuGapMax = 0;
  let secondCpuGap = 0;
  const origins = new Map();
  let scheduled = 0;

  const original = globalThis.setImmediate;
  const wrapped = function (fn, ...args) {
    if ((scheduled++ & 63) === 0) {
      const stack = (new Error().stack ?? '').split('\n').slice(2);
      const mine = stack.filter((l) => l.includes('/src/') && !l.includes('node_modules')).slice(0, 2).map((l) => l.trim().replace(/^at /, '').replace(/\(file:\/\/[^)]*\/src\//, '(').replace(/:\d+\)$/, ')'));
      const key = mine.join(' < ') || 'elsewhere';
      origins.set(key, (origins.get(key) ?? 0) + 1);
    }
    return original(
      (...a) => {
        const t = performance.now();
        // What the callback resumes (an awaited promise's continuation: the slice's work) runs as
        // microtasks after it returns: the slice ends when they have drained, where a tick queued
        // from a microtask runs.
        const done = () => {
          const ms = performance.now() - t;
          immediates++;
          immediateMs += ms;
          if (ms > longestImmediate) longestImmediate = ms;
        };
        try {
          fn(...a);
        } finally {
          queueMicrotask(() => process.nextTick(done));
        }
      },
      ...args,
    );
  };
  Object.assign(wrapped, original);
  globalThis.setImmediate = wrapped;
  // `setImmediate` of node:timers/promises (what most of the sliced loaders await) is its own
  // function: replaced too, and the ES module view of the builtin synced before the server imports it.
  const timersPromises = createRequire(import.meta.url)('node:timers/promises');
  timersPromises.setImmediate = (value, options) => new Promise((resolve) => wrapped(resolve, value));
  syncBuiltinESMExports();

  // The main thread's own CPU time (the kernel's count for it alone: not the reader thread's, not
  // V8's helpers', not other processes'), in ms.
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const cpuMs = () => Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6;
  // Garbage collection pauses of 5 ms or more.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration >= 5) out({ kind: 'gc', ms: +e.duration.toFixed(1), gc: e.detail?.kind, start: Math.round(e.startTime) });
  }).observe({ entryTypes: ['gc'] });
  // SQLite statements (better-sqlite3 is synchronous: a statement holds the thread from start to
  // end) that took 5 ms or more, with their SQL, from the served checkout's own copy of the driver.
  try {
    const SQLite = createRequire(`${process.cwd()}/package.json`)('better-sqlite3');
    const prepare = SQLite.prototype.prepare;
    let patched = false;
    SQLite.prototype.prepare = function (source, ...rest) {
      const stmt = prepare.call(this, source, ...rest);
      if (!patched) {
        patched = true;
        const proto = Object.getPrototypeOf(stmt);
        for (const m of ['all', 'get', 'run', 'iterate']) {
          const f = proto[m];
          proto[m] = function (...args) {
            const t = performance.now();
            const c = cpuMs();
            try {
              return f.apply(this, args);
            } finally {
              const ms = performance.now() - t;
              if (ms >= 5) out({ kind: 'sql', ms: +ms.toFixed(1), cpu: +(cpuMs() - c).toFixed(1), sql: this.source.replace(/\s+/g, ' ').slice(0, 160) });
            }
          };
        }
      }
      return stmt;
    };
  } catch {
    // no SQLite driver in this checkout
  }

  // The loop's gaps, seen by a 1 ms timer (what a request arriving at that moment waits for), in
  // wall time and in this thread's CPU time (a wall gap on a loaded machine may be other processes).
  let last = performance.now();
  let lastCpu = cpuMs();
  setInterval(() => {
    const now = performance.now();
    const c = cpuMs();
    gapMax = Math.max(gapMax, now - last);
    cpuGapMax = Math.max(cpuGapMax, c - lastCpu);
    // A stretch of 8 ms or more of this thread's own CPU without a turn of the loop: logged with when it ended.
    if (c - lastCpu >= 8) out({ kind: 'stretch', wall: +(now - last).toFixed(1), cpu: +(c - lastCpu).toFixed(1) });
    secondCpuGap = Math.max(secondCpuGap, c - lastCpu);
    last = now;
    lastCpu = c;
  }, 1).unref();

  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  let lastImmediates = 0;
  let lastOrigins = '';
  setInterval(() => {
    const o = JSON.stringify([...origins].sort((a, b) => b[1] - a[1]).slice(0, 6));
    out({ kind: 'second', eldP50: eld.percentile(50) / 1e6, eldP99: eld.percentile(99) / 1e6, eldMax: eld.max / 1e6, cpuGapMax: secondCpuGap, cpu: +cpuMs().toFixed(1), immediates: immediates - lastImmediates, ...(o !== lastOrigins ? { origins: JSON.parse(o) } : {}) });
    lastOrigins = o;
    lastImmediates = immediates;
    secondCpuGap = 0;
    eld.reset();
  }, 1000).unref();

  // When the port opened (the times above are the process's own: performance.now()).
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    // With the thread's CPU since the last turn of the loop: what of the stretch then under way came before the port opened.
    this.once('listening', () => out({ kind: 'listening', cpuSinceTurn: +(cpuMs() - lastCpu).toFixed(1), wallSinceTurn: +(performance.now() - last).toFixed(1), cpu: +cpuMs().toFixed(1) }));
    return listen.apply(this, args);
  };

  const inFlight = new WeakMap();
  channel('http.server.request.start').subscribe((m) => {
    const { request } = m;
    longestImmediate = 0;
    gapMax = 0;
    cpuGapMax = 0;
    inFlight.set(request, { t: performance.now(), cpu: cpuMs(), immediates, immediateMs, url: request.url, id: request.headers['x-request-id'] });
  });
  channel('http.server.response.finish').subscribe((m) => {
    const { request, response } = m;
    const s = inFlight.get(request);
    if (!s) return;
    out({ kind: 'request', url: s.url, id: s.id, ms: +(performance.now() - s.t).toFixed(2), immediates: immediates - s.immediates, immediateMs: +(immediateMs - s.immediateMs).toFixed(2), longestImmediate: +longestImmediate.toFixed(2), cache: response.getHeader('x-page-cache'), longestGap: +Math.max(gapMax, performance.now() - last).toFixed(2), cpu: +(cpuMs() - s.cpu).toFixed(2), longestCpuGap: +Math.max(cpuGapMax, cpuMs() - lastCpu).toFixed(2) });
  });
}
