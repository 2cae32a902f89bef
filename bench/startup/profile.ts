/**
 * Reads a V8 CPU profile (`node --cpu-prof`, e.g. `bench/startup/run.ts --cpu-prof DIR`) and prints
 * the thread's longest busy stretches — runs of samples with no `(idle)` sample between them, i.e.
 * stretches in which the event loop did not wait for I/O — and what ran in each: self time by
 * function, and by the deepest frame of this project on the stack (what, of ours, started it).
 *
 *   npx tsx bench/startup/profile.ts <file.cpuprofile> [--top 5] [--min-ms 20]
 *
 * Times are the profile's sample times (wall clock of the sampled thread): on a loaded machine a
 * stretch includes time the thread was runnable but not running.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '5' }, 'min-ms': { type: 'string', default: '20' }, timeline: { type: 'string' }, window: { type: 'string' }, find: { type: 'string', multiple: true } } });
const file = positionals[0];
if (!file) {
  console.error('usage: bench/startup/profile.ts <file.cpuprofile> [--top N] [--min-ms MS]');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/(src|node_modules|bench)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}:${n.callFrame.lineNumber + 1}` : ''}`;
};
/** The outermost frame of this project's `src/` on the sample's stack (what of ours this work is under). */
function ours(id: number): string {
  let found = '';
  const chain: Node[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at)!);
  // Innermost project frame that is not a generic helper is more telling than the outermost (always the loop).
  for (const n of chain) {
    if (n.callFrame.url.includes('/src/') && !n.callFrame.url.includes('node_modules')) {
      found = short(n);
      break;
    }
  }
  return found || '(not under src/)';
}

// Sample times (ms from the profile's start).
const times: number[] = [];
let t = 0;
for (const d of prof.timeDeltas) times.push((t += d) / 1000);
const idle = (i: number) => byId.get(prof.samples[i])!.callFrame.functionName === '(idle)';

const stretches: Array<{ from: number; to: number; a: number; b: number }> = [];
let start = -1;
for (let i = 0; i < prof.samples.length; i++) {
  if (!idle(i)) {
    if (start < 0) start = i;
  } else if (start >= 0) {
    stretches.push({ from: times[start], to: times[i], a: start, b: i });
    start = -1;
  }
}
// --find NAME: when samples with a function of that name on the stack were taken (first, last, how many).
for (const name of values.find ?? []) {
  const hits: number[] = [];
  for (let i = 0; i < prof.samples.length; i++) {
    for (let at: number | undefined = prof.samples[i]; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.functionName === name) {
        hits.push(times[i]);
        break;
      }
    }
  }
  console.log(`${name}: ${hits.length} samples${hits.length ? `, ${(hits[0] / 1000).toFixed(3)}–${(hits[hits.length - 1] / 1000).toFixed(3)} s` : ''}`);
}
// --timeline FROM-TO (seconds): per 50 ms, the busy time, GC, and the two largest src/ frames.
if (values.timeline) {
  const [from, to] = values.timeline.split('-').map((x) => Number(x) * 1000);
  for (let b = from; b < to; b += 50) {
    let busy = 0;
    let gc = 0;
    const under = new Map<string, number>();
    for (let i = 0; i < prof.samples.length; i++) {
      if (times[i] < b || times[i] >= b + 50 || idle(i)) continue;
      const dt = (times[i + 1] ?? times[i]) - times[i];
      busy += dt;
      const n = byId.get(prof.samples[i])!;
      if (n.callFrame.functionName === '(garbage collector)') gc += dt;
      const o = n.callFrame.functionName === '(garbage collector)' ? '(gc)' : ours(prof.samples[i]);
      under.set(o, (under.get(o) ?? 0) + dt);
    }
    const top = [...under].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
    console.log(`${(b / 1000).toFixed(2)} s  busy ${busy.toFixed(0).padStart(2)} ms  gc ${gc.toFixed(0).padStart(2)}  ${top}`);
  }
}
const minMs = Number(values['min-ms']);
let long = stretches.filter((s) => s.to - s.from >= minMs).sort((x, y) => y.to - y.from - (x.to - x.from));
// --window FROM-TO (seconds): the same breakdown over that window instead (idle samples left out).
if (values.window) {
  const [from, to] = values.window.split('-').map((x) => Number(x) * 1000);
  const a = times.findIndex((x) => x >= from);
  const b = times.findIndex((x) => x >= to);
  long = [{ from, to, a, b: b < 0 ? times.length - 1 : b }];
}
console.log(`${file}: ${prof.samples.length} samples over ${(times[times.length - 1] / 1000).toFixed(1)} s; ${long.length} busy stretches of ${minMs} ms or more`);
for (const s of long.slice(0, Number(values.top))) {
  const self = new Map<string, number>();
  const under = new Map<string, number>();
  for (let i = s.a; i < s.b; i++) {
    if (idle(i)) continue;
    const dt = (times[i + 1] ?? times[i]) - times[i];
    const n = byId.get(prof.samples[i])!;
    self.set(short(n), (self.get(short(n)) ?? 0) + dt);
    const o = ours(prof.samples[i]);
    under.set(o, (under.get(o) ?? 0) + dt);
  }
  const top = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1]).slice(0, 14).map(([k, v]) => `    ${v.toFixed(1).padStart(7)} ms  ${k}`).join('\n');
  console.log(`\n${(s.to - s.from).toFixed(0)} ms busy, ${(s.from / 1000).toFixed(2)}–${(s.to / 1000).toFixed(2)} s:\n  self time:\n${top(self)}\n  under (innermost frame of src/):\n${top(under)}`);
}
