import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import usearch from 'usearch';
import { forEachStore } from '../helpers/contract.ts';
import { VectorIndex } from '../../src/search/vector-index.ts';
import { SearchIndexService } from '../../src/services/search-index.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { unitVector } from '../helpers/vectors.ts';

/**
 * Loading a saved ANN graph must not hold the request thread (issue 19): usearch's native load ran
 * on it at a server's first catch-up, 100–243 ms of CPU at once for 75k × 256 (BENCHMARKS, round 20),
 * every request waiting. The graph here, 20,000 × 64, took 12–13 ms of CPU at once loaded there.
 */
const N = 20_000;
const D = 64;
const E = 'loop-test-embedder';
const NEWEST = '2026-03-01T00:00:00.000Z';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-ann-loop-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'graph.usearch');

before(() => {
  // Built in this thread with usearch directly (a narrow insert search: fast; the width is not in the file).
  const ix = new usearch.Index({ ...VectorIndex.options(D), expansion_add: 8 });
  const flat = new Float32Array(N * D);
  for (let i = 0; i < N; i++) flat.set(unitVector(i, D), i * D);
  // One insert thread: the same graph every run. Inserted by several threads, the graph depends on
  // their interleaving, and on a loaded CI machine one build left vector 6 outside its own top 10
  // (both stores' checks below failed on that one file).
  ix.add(BigUint64Array.from({ length: N }, (_, i) => BigInt(i + 1)), flat, 1);
  ix.save(file);
  fs.writeFileSync(`${file}.json`, JSON.stringify({ embedderId: E, dimensions: D, count: N, newest: NEWEST, layout: 'hnsw-f16-m16' }));
});

/**
 * The longest the request thread was held while `task` ran, in ms: in its own CPU time between the
 * ticks of a 1 ms timer (/proc/self/task/<pid>/schedstat, as in index-file-event-loop.test.ts), and
 * in wall time (a thread blocked waiting for another one uses no CPU, but holds every request too);
 * and the bytes this thread read meanwhile (`rchar` of /proc/self/task/<pid>/io: files and sockets).
 */
async function holds(task: () => Promise<unknown>): Promise<{ cpu: number; wall: number; took: number; ticks: number; read: number }> {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const cpuMs = () => (fs.existsSync(schedstat) ? Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6 : 0);
  const ioFile = `/proc/self/task/${process.pid}/io`;
  const readBytes = () => (fs.existsSync(ioFile) ? Number(/^rchar: (\d+)$/m.exec(fs.readFileSync(ioFile, 'utf8'))![1]) : 0);
  const readBefore = readBytes();
  let cpu = 0;
  let wall = 0;
  let ticks = 0;
  let lastCpu = cpuMs();
  let lastWall = performance.now();
  const start = lastWall;
  const timer = setInterval(() => {
    ticks++;
    const c = cpuMs();
    const w = performance.now();
    cpu = Math.max(cpu, c - lastCpu);
    wall = Math.max(wall, w - lastWall);
    lastCpu = c;
    lastWall = w;
  }, 1);
  try {
    await task();
  } finally {
    clearInterval(timer);
  }
  return { cpu: Math.max(cpu, cpuMs() - lastCpu), wall: Math.max(wall, performance.now() - lastWall), took: performance.now() - start, ticks, read: readBytes() - readBefore };
}

test('a loaded graph answers exactly as the same file loaded by usearch in this thread did', async () => {
  const here = new usearch.Index(VectorIndex.options(D));
  here.load(file);
  const ix = new VectorIndex(E, D, file);
  assert.ok(await ix.load());
  assert.equal(ix.size, N);
  for (let q = 0; q < 50; q++) {
    const query = unitVector(N + q * 7919, D);
    const m = here.search(query, 20, 0);
    const expected = Array.from(m.keys, (k, i) => ({ key: Number(k), similarity: 1 - m.distances[i] }));
    assert.deepEqual(ix.search(query, 20), expected, `query ${q}`);
  }
  // Vectors added after the load join the same graph, as before.
  ix.upsert([{ key: N + 1, vector: unitVector(123_456, D) }], NEWEST);
  assert.equal(ix.size, N + 1);
  assert.ok(ix.search(unitVector(123_456, D), 10).some((m) => m.key === N + 1));
});

forEachStore('ANN graph load off the request thread', (ctx) => {
  test('a server loading its saved ANN graph keeps the request thread free: read in the graph’s own thread', async () => {
    // The store's statistics say it holds the file's vectors (writing 20,000 of them is not what is measured).
    ctx.store.search.embeddingStats = async () => ({ count: N, newest: NEWEST });
    const open = async () => {
      const svc = new SearchIndexService(ctx.store, { engine: new StoreKeywordEngine(ctx.store), embedder: async () => null, indexFile: () => file, annRefreshMs: 60_000 });
      return svc.vectorIndex({ embedderId: E, dimensions: D });
    };
    // One load first: the code paths are compiled, as in a server that has already served.
    await open();
    // The graph's bytes are read by the graph's thread, never by this one: usearch's load on this
    // thread reads the whole file here (5.5 MB), whatever the machine's load. (The CPU time of that
    // load, 8-13 ms at once, was the measure, against 8 ms: too close on a loaded machine both ways,
    // a garbage collection or the kernel's 4 ms tick in the reading of the run time tips it.)
    // The CPU bound stays for work done here after the read (a 75k × 256 graph: 100–243 ms at once):
    // 25 ms, the best of three tries. Wall time is printed, not bounded: on a machine at load 20 this
    // thread waits 10–15 ms for a core with nothing to do.
    const graphBytes = fs.statSync(file).size;
    const describe = (hs: { cpu: number; wall: number; took: number; ticks: number; read: number }[]) => hs.map((h) => `${h.cpu.toFixed(1)} ms of CPU (${h.wall.toFixed(1)} ms of wall time, ${h.ticks} ticks, ${h.read} bytes read) in a ${h.took.toFixed(0)} ms load`).join('; ');
    const tries: Awaited<ReturnType<typeof holds>>[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      let ix: VectorIndex | undefined;
      const h = await holds(async () => (ix = await open()));
      assert.equal(ix!.size, N);
      assert.ok(ix!.search(unitVector(77, D), 10).some((m) => m.key === 78));
      assert.ok(h.read < graphBytes / 4, `the request thread read the graph's file itself: ${describe([h])} (the file: ${graphBytes} bytes)`);
      tries.push(h);
      if (h.cpu < 25) break;
    }
    assert.ok(Math.min(...tries.map((h) => h.cpu)) < 25, `the request thread was held ${describe(tries)}`);
    // Nor waiting for the graph's thread: while the graph is read there, this thread serves (the
    // timer ticks). Loaded synchronously, in this thread or by waiting for that one, it never ticks.
    const ix = new VectorIndex(E, D, file);
    await ix.started;
    const load = await holds(() => ix.load());
    assert.ok(load.ticks > 0, `the request thread did not turn while the graph loaded: ${describe([load])}`);
    assert.equal(ix.size, N);
  });

  test('a search while the graph loads waits for it (or falls back), as before: never an empty answer from a half-loaded graph', async () => {
    ctx.store.search.embeddingStats = async () => ({ count: N, newest: NEWEST });
    const svc = new SearchIndexService(ctx.store, { engine: new StoreKeywordEngine(ctx.store), embedder: async () => null, indexFile: () => file, annRefreshMs: 60_000 });
    const loading = svc.vectorIndex({ embedderId: E, dimensions: D });
    const during = svc.vectorIndex({ embedderId: E, dimensions: D });
    const [a, b] = await Promise.all([loading, during]);
    assert.equal(a, b);
    // The graph is built with a narrow insert search: its own vector is among the first 10, not always first.
    assert.ok(b.search(unitVector(5, D), 10).some((m) => m.key === 6));
    // The index itself refuses a call while its graph loads: it would hold the request thread until the load ended.
    const ix = new VectorIndex(E, D, file);
    await ix.started;
    const pending = ix.load();
    assert.throws(() => ix.upsert([{ key: N + 5, vector: unitVector(9, D) }]), /still loading/);
    assert.ok(await pending);
    assert.equal(ix.size, N);
  });
});
