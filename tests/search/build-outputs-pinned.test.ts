import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../src/domain/random.ts';
import { csrTimesDense, gram, orthonormalizeColumns, type Csr } from '../../src/search/linalg.ts';
import { KeyCounts } from '../../src/search/local-embedder.ts';
import { keywordIndexFingerprint, modelFingerprints, syntheticCorpus } from '../helpers/build-fingerprints.ts';

/**
 * What a reindex builds must not change when its code is made faster: these fingerprints are the
 * ones round 16's code (main at d6ccd7a) gave on the same synthetic corpus, before round 17's
 * rewrites of the products, the embedder's accumulation and the word look-ups (BENCHMARKS "Reindex").
 * The full corpus is checked the same way by bench/reindex/outputs.ts.
 */
const PINNED = {
  model: '1e007374bdfb45c5',
  vectors: '5edaa4f43c8970a5',
  termVectors: '5f9a115399452034',
  keywordIndex: '9084bee8d1cced3d',
};

const corpus = syntheticCorpus();

test('the offline model, its vectors and term vectors are bit for bit those of the code before', () => {
  const got = modelFingerprints(corpus);
  assert.deepEqual(got, { model: PINNED.model, vectors: PINNED.vectors, termVectors: PINNED.termVectors });
});

test('the in-memory keyword index is bit for bit the one the code before built', () => {
  assert.equal(keywordIndexFingerprint(corpus), PINNED.keywordIndex);
});

/** The plain loops the products replaced: one term added at a time, in order. */
function plainCsrTimesDense(a: Csr, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.rows * l);
  for (let i = 0; i < a.rows; i++) for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) for (let j = 0; j < l; j++) out[i * l + j] += a.values[p] * b[a.indices[p] * l + j];
  return out;
}
function plainGram(x: Float64Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < l; a++) {
      if (x[i * l + a] === 0) continue; // as the code before skipped them
      for (let b = a; b < l; b++) g[a * l + b] += x[i * l + a] * x[i * l + b];
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) g[a * l + b] = g[b * l + a];
  return g;
}
const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('the sparse-dense product and the Gram matrix add the same terms in the same order as the plain loops', () => {
  const random = seededRandom(5);
  const g = () => (random() - 0.5) * 10 ** Math.floor(random() * 6 - 3);
  for (const [rows, cols, l] of [[37, 29, 13], [64, 50, 16], [7, 3, 5]]) {
    // Rows of every length from 0 up, so rows of 4k, 4k + 1, ... entries all occur; some values 0.
    const indptr = new Uint32Array(rows + 1);
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < rows; i++) {
      const picked = [...new Set(Array.from({ length: i % 11 }, () => Math.floor(random() * cols)))].sort((x, y) => x - y);
      for (const c of picked) {
        indices.push(c);
        values.push(random() < 0.1 ? 0 : g());
      }
      indptr[i + 1] = indices.length;
    }
    const a: Csr = { rows, cols, indptr, indices: Uint32Array.from(indices), values: Float32Array.from(values) };
    const b = Float64Array.from({ length: cols * l }, () => (random() < 0.1 ? 0 : g()));
    assert.equal(bits(csrTimesDense(a, b, l)), bits(plainCsrTimesDense(a, b, l)));
    const x = Float64Array.from({ length: rows * l }, () => (random() < 0.1 ? 0 : g()));
    assert.equal(bits(gram(x, rows, l)), bits(plainGram(x, rows, l)));
  }
});

/** The orthonormalisation before round 25: Cholesky QR with the plain Gram matrix, then X R⁻¹ one row at a time, one term at a time. */
function plainOrthonormalize(x: Float64Array, n: number, l: number, passes: number): void {
  for (let pass = 0; pass < passes; pass++) {
    const g = plainGram(x, n, l);
    let trace = 0;
    for (let a = 0; a < l; a++) trace += g[a * l + a];
    const ridge = (trace / l) * 1e-10 + 1e-300;
    for (let a = 0; a < l; a++) g[a * l + a] += ridge;
    const r = new Float64Array(l * l);
    for (let j = 0; j < l; j++) {
      let d = g[j * l + j];
      for (let k = 0; k < j; k++) d -= r[k * l + j] * r[k * l + j];
      const rjj = Math.sqrt(Math.max(d, 1e-300));
      r[j * l + j] = rjj;
      for (let i = j + 1; i < l; i++) {
        let s = g[j * l + i];
        for (let k = 0; k < j; k++) s -= r[k * l + j] * r[k * l + i];
        r[j * l + i] = s / rjj;
      }
    }
    const row = new Float64Array(l);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < l; j++) {
        let s = x[i * l + j];
        for (let k = 0; k < j; k++) s -= row[k] * r[k * l + j];
        row[j] = s / r[j * l + j];
      }
      x.set(row, i * l);
    }
  }
}

test('the orthonormalisation does the same operations in the same order as one row and one term at a time', () => {
  const random = seededRandom(11);
  const g = () => (random() - 0.5) * 10 ** Math.floor(random() * 4 - 2);
  // Row counts with every remainder (0–7) of the eight-row pass; one and two passes.
  for (const [n, l] of [[37, 13], [64, 16], [7, 5], [13, 6], [3, 3], [90, 24], [33, 7], [20, 9], [46, 11]]) {
    for (const passes of [1, 2]) {
      const x = Float64Array.from({ length: n * l }, () => (random() < 0.05 ? 0 : g()));
      const want = x.slice();
      plainOrthonormalize(want, n, l, passes);
      orthonormalizeColumns(x, n, l, passes);
      assert.equal(bits(x), bits(want), `${n} × ${l}, ${passes} pass(es)`);
    }
  }
});

test("training's pair counts: each key once per document, through every growth of the table, even mid-document", () => {
  const random = seededRandom(23);
  const counts = new KeyCounts();
  const want = new Map<number, number>();
  for (let doc = 0; doc < 400; doc++) {
    // ~1,000 keys a document, each several times in it: the table grows (65,536 slots, doubling at
    // half full) while documents are being counted, with their keys to come again after it.
    const keys = Array.from({ length: 300 }, () => Math.floor(random() * 2 ** 30));
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const k = keys[Math.floor(random() * keys.length)];
      counts.addOnce(k, doc);
      if (!seen.has(k)) want.set(k, (want.get(k) ?? 0) + 1);
      seen.add(k);
    }
  }
  const got = new Map<number, number>();
  counts.forEach((k, c) => got.set(k, c));
  assert.equal(got.size, want.size);
  for (const [k, c] of want) assert.equal(got.get(k), c, `key ${k}`);
});
