/**
 * HNSW insert cost and recall on a store's stored vectors (left by `bench/reindex/run.ts --keep DIR`): per
 * configuration (connectivity:expansion_add:scalar), CPU per insert on one thread and recall@10 against the
 * exact top 10 of 300 of the vectors. The optional width is how many neighbours a search asks for, of which
 * the first 10 are scored: 100 is what served search asks the ANN for (`fusion.candidates`), and a search
 * explores at least that many, so its recall is higher than at the default 10.
 *
 *   node --import tsx bench/reindex/hnsw.ts DIR/paperboy.db [16:128:f32,16:64:f16,...] [width, default 10]
 */
import { openStore } from '../../src/store/index.ts';
import usearch from 'usearch';
const { Index, MetricKind, ScalarKind } = usearch;
const opened = await openStore(process.argv[2]);
const id = (await opened.store.search.loadModel('local-embedder'))!.modelId;
const vecs: Float32Array[] = [];
let after = -1;
for (;;) { const p = await opened.store.search.embeddingsPage(id, after, 5000); if (!p.length) break; for (const r of p) vecs.push(r.vector); after = p[p.length - 1].key; }
await opened.close();
const n = vecs.length, d = vecs[0].length;
console.log('vectors', n, d);
const flat = new Float32Array(n * d); vecs.forEach((v, i) => flat.set(v, i * d));
const keys = BigUint64Array.from({ length: n }, (_, i) => BigInt(i));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
// exact top-10 for 300 queries
const Q = 300; const truth: Set<number>[] = [];
for (let q = 0; q < Q; q++) {
  const qi = (q * 241) % n; const s = new Float32Array(n);
  for (let j = 0; j < n; j++) { let x = 0; const o = j * d, oq = qi * d; for (let c = 0; c < d; c++) x += flat[oq + c] * flat[o + c]; s[j] = x; }
  const idx = Array.from(s.keys()).sort((a, b) => s[b] - s[a]).slice(0, 10); truth.push(new Set(idx));
}
const width = Number(process.argv[4] ?? 10);
const configs = (process.argv[3] ?? '16:128:f32,16:64:f32,16:48:f32,16:32:f32,16:64:f16,16:64:i8').split(',');
for (const cfg of configs) {
  const [m, ef, q] = cfg.split(':');
  const index = new Index({ dimensions: d, metric: MetricKind.Cos, quantization: q === 'i8' ? ScalarKind.I8 : q === 'f16' ? ScalarKind.F16 : ScalarKind.F32, connectivity: Number(m), expansion_add: Number(ef), expansion_search: 64, multi: false });
  const t = performance.now(), c = cpu();
  for (let i = 0; i < n; i += 2000) { const e = Math.min(n, i + 2000); index.add(keys.subarray(i, e), flat.subarray(i * d, e * d), 1); }
  const w = performance.now() - t, cc = cpu() - c;
  let hit = 0;
  for (let qq = 0; qq < Q; qq++) { const qi = (qq * 241) % n; const r = index.search(flat.subarray(qi * d, qi * d + d), width, 1); for (const k of r.keys.subarray(0, 10)) if (truth[qq].has(Number(k))) hit++; }
  console.log(`M=${m} ef_add=${ef} ${q}: ${(w / 1000).toFixed(1)} s wall, ${cc.toFixed(1)} s CPU (${(cc / n * 1e6).toFixed(0)} us/vector, 1 thread), recall@10 ${(hit / Q / 10).toFixed(3)} (searching ${width})`);
}
