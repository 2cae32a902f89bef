/**
 * Training's dense kernels (`gram`, `orthonormalizeColumns`, `csrTimesDense`) of this checkout against
 * another's (main from `git archive`), on matrices of the corpus' training shape (25,000 sampled
 * papers × 40,000 projected features, l = 144; ~115 entries a row, Zipf-like columns), alternately
 * in one process: CPU milliseconds of each, and whether both give the same bits.
 *
 *   node --import tsx bench/reindex/train-kernels.ts --base /tmp/base [--rounds 3] [--rows 25000]
 */
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import * as mine from '../../src/search/linalg.ts';
import { seededRandom } from '../../src/domain/random.ts';

const { values } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string' }, rows: { type: 'string' } } });
if (!values.base) {
  console.error('usage: bench/reindex/train-kernels.ts --base DIR [--rounds 3] [--rows 25000]');
  process.exit(2);
}
const base = (await import(pathToFileURL(join(resolve(values.base), 'src/search/linalg.ts')).href)) as typeof mine;
const rounds = Number(values.rounds ?? 3);
const n = Number(values.rows ?? 25_000);
const cols = 40_000;
const l = 144;
const random = seededRandom(7);

// A sparse n × cols matrix: sorted column ids per row, Zipf-like (frequent features have low ids).
const perRow = 115;
const indptr = new Uint32Array(n + 1);
const idx: number[] = [];
const vals: number[] = [];
for (let i = 0; i < n; i++) {
  const row = new Set<number>();
  while (row.size < perRow) row.add(Math.min(cols - 1, Math.floor(Math.exp(random() * Math.log(cols)) - 1)));
  for (const c of [...row].sort((a, b) => a - b)) {
    idx.push(c);
    vals.push(random());
  }
  indptr[i + 1] = idx.length;
}
const a: mine.Csr = { rows: n, cols, indptr, indices: Uint32Array.from(idx), values: Float32Array.from(vals) };
const at = mine.transposeCsr(a);
const omega = new Float64Array(cols * l);
for (let i = 0; i < omega.length; i++) omega[i] = mine.gaussian(random);
const y0 = mine.csrTimesDense(a, omega, l);

function cpu<T>(f: () => T): { ms: number; out: T } {
  const t = process.cpuUsage();
  const out = f();
  const d = process.cpuUsage(t);
  return { ms: (d.user + d.system) / 1000, out };
}
function same(x: Float64Array, y: Float64Array): boolean {
  if (x.length !== y.length) return false;
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  return Buffer.compare(bx, by) === 0;
}

console.log(`rows ${n}, cols ${cols}, l ${l}, nnz ${idx.length}; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
type Lib = typeof mine;
const steps: Array<[string, (lib: Lib) => Float64Array]> = [
  ['csrTimesDense A·Ω', (lib) => lib.csrTimesDense(a, omega, l)],
  ['csrTimesDense Aᵀ·Y', (lib) => lib.csrTimesDense(at, y0, l)],
  ['gram Y (25k × l)', (lib) => lib.gram(y0, n, l)],
  ['gram Bᵀ (40k × l)', (lib) => lib.gram(omega, cols, l)],
  [
    'orthonormalizeColumns ×2',
    (lib) => {
      const y = y0.slice();
      lib.orthonormalizeColumns(y, n, l);
      return y;
    },
  ],
];
const totals = new Map<string, { base: number[]; mine: number[]; same: boolean }>();
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of steps) {
    const t = totals.get(name) ?? { base: [], mine: [], same: true };
    // Alternate which goes first.
    const order: Array<['base' | 'mine', Lib]> = r % 2 ? [['mine', mine], ['base', base]] : [['base', base], ['mine', mine]];
    const outs: Record<string, Float64Array> = {};
    for (const [who, lib] of order) {
      const m = cpu(() => f(lib));
      t[who].push(m.ms);
      outs[who] = m.out;
    }
    t.same &&= same(outs.base, outs.mine);
    totals.set(name, t);
  }
}
// orthonormalizeColumns includes copying Y (a few ms).
for (const [name, t] of totals) {
  console.log(`${name.padEnd(26)} base ${t.base.map((v) => v.toFixed(0)).join(' / ')} ms   this ${t.mine.map((v) => v.toFixed(0)).join(' / ')} ms   same bits: ${t.same}`);
}
console.log(`load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
