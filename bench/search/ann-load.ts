/**
 * How long loading a saved ANN index holds the request thread (issue 19): builds a synthetic
 * index of N unit vectors of D dimensions once (cached under /tmp), then loads it through
 * `VectorIndex.load` (the path `SearchIndexService.prepareIndex` serves) and prints the longest
 * stretch of this thread's CPU between the ticks of a 1 ms timer, and the load's wall time.
 * Then times 300 searches of 100 neighbours on the loaded graph.
 * Usage: npx tsx bench/search/ann-load.ts [n=75000] [d=256] [tries=5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VectorIndex } from '../../src/search/vector-index.ts';
import { longestHold } from '../../tests/helpers/event-loop.ts';

const n = Number(process.argv[2] ?? 75_000);
const d = Number(process.argv[3] ?? 256);
const tries = Number(process.argv[4] ?? 5);
const file = path.join(os.tmpdir(), `ann-worker-bench-${n}x${d}.usearch`);

function unit(seed: number): Float32Array {
  const v = new Float32Array(d);
  let s = 0;
  for (let i = 0; i < d; i++) s += (v[i] = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453 - Math.floor(Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453) - 0.5) ** 2;
  for (let i = 0; i < d; i++) v[i] /= Math.sqrt(s);
  return v;
}

if (!fs.existsSync(`${file}.json`)) {
  const t = performance.now();
  const ix = new VectorIndex('bench', d, file);
  for (let i = 0; i < n; i += 5000) ix.upsert(Array.from({ length: Math.min(5000, n - i) }, (_, j) => ({ key: i + j + 1, vector: unit(i + j) })), '2026-01-01T00:00:00.000Z');
  ix.save();
  console.log(`built ${n}x${d} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const probe = unit(7);
for (let i = 0; i < tries; i++) {
  const ix = new VectorIndex('bench', d, file);
  const t = performance.now();
  let ok: unknown;
  const held = await longestHold(async () => (ok = await ix.load()));
  const wall = performance.now() - t;
  const top = await ix.search(probe, 1);
  console.log(`load ${n}x${d}: ok=${ok} size=${ix.size} longest hold ${held.toFixed(1)} ms CPU, wall ${wall.toFixed(0)} ms, top key ${top[0]?.key}`);
}
// What a served search costs once loaded (the graph's thread answers it while this one waits): wall and this thread's CPU per search of 100.
{
  const ix = new VectorIndex('bench', d, file);
  await ix.load();
  const walls: number[] = [];
  const c0 = process.cpuUsage();
  for (let q = 0; q < 300; q++) {
    const t = performance.now();
    await ix.search(unit(n + q), 100);
    walls.push(performance.now() - t);
  }
  const c = process.cpuUsage(c0);
  walls.sort((a, b) => a - b);
  console.log(`search k=100 x300: median ${walls[150].toFixed(2)} ms, p99 ${walls[296].toFixed(2)} ms wall; process CPU ${((c.user + c.system) / 300 / 1000).toFixed(2)} ms per search`);
}
console.log(`load average: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
process.exit(0);
