/**
 * The few dense/sparse linear-algebra routines the offline embedder's randomized SVD needs.
 * Dense matrices are row-major Float64Arrays with their shape passed alongside.
 */

/** A sparse matrix in compressed-row form. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Uint32Array;
  indices: Uint32Array;
  values: Float32Array;
}

/**
 * `out[o..o+l) += v × b[r..r+l)`, four at a time: V8 does not vectorise, and the unrolled loop
 * spends fewer bounds and loop checks per multiply. Each element gets the same single addition, so
 * results are bit-identical to the plain loop. The inner loop of every product below.
 */
function axpy(out: Float64Array, o: number, v: number, b: Float64Array, r: number, l: number): void {
  let j = 0;
  for (; j + 4 <= l; j += 4) {
    out[o + j] += v * b[r + j];
    out[o + j + 1] += v * b[r + j + 1];
    out[o + j + 2] += v * b[r + j + 2];
    out[o + j + 3] += v * b[r + j + 3];
  }
  for (; j < l; j++) out[o + j] += v * b[r + j];
}

/**
 * `out[o..o+l) += v0 × b[r0..) + v1 × b[r1..) + v2 × b[r2..) + v3 × b[r3..)`, added left to right:
 * each element gets the same four additions in the same order as four `axpy` calls (JavaScript
 * evaluates `x + y + z` as `(x + y) + z` and never fuses a multiply-add), so the same bits, but
 * the output row is loaded and stored once instead of four times.
 */
function axpy4(out: Float64Array, o: number, l: number, b: Float64Array, v0: number, r0: number, v1: number, r1: number, v2: number, r2: number, v3: number, r3: number): void {
  for (let j = 0; j < l; j++) out[o + j] = out[o + j] + v0 * b[r0 + j] + v1 * b[r1 + j] + v2 * b[r2 + j] + v3 * b[r3 + j];
}

/**
 * `axpy4` with eight rows of B: the same additions, left to right, with half the loads and stores
 * of the output row again. Training's four sparse-dense products took 30 % less CPU with it than
 * with `axpy4` alone (25,000 × 40,000 rows of the corpus' shape, l = 144, round 21).
 */
function axpy8(out: Float64Array, o: number, l: number, b: Float64Array, v0: number, r0: number, v1: number, r1: number, v2: number, r2: number, v3: number, r3: number, v4: number, r4: number, v5: number, r5: number, v6: number, r6: number, v7: number, r7: number): void {
  for (let j = 0; j < l; j++) out[o + j] = out[o + j] + v0 * b[r0 + j] + v1 * b[r1 + j] + v2 * b[r2 + j] + v3 * b[r3 + j] + v4 * b[r4 + j] + v5 * b[r5 + j] + v6 * b[r6 + j] + v7 * b[r7 + j];
}

/** A (rows × cols, CSR) times B (cols × l, dense) → rows × l. */
export function csrTimesDense(a: Csr, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.rows * l);
  const { indptr, indices, values } = a;
  for (let i = 0; i < a.rows; i++) {
    const o = i * l;
    const e = indptr[i + 1];
    let p = indptr[i];
    // A row's entries eight at a time, in order, then four, then the rest one by one (same sums as one by one throughout).
    for (; p + 8 <= e; p += 8) {
      axpy8(out, o, l, b, values[p], indices[p] * l, values[p + 1], indices[p + 1] * l, values[p + 2], indices[p + 2] * l, values[p + 3], indices[p + 3] * l, values[p + 4], indices[p + 4] * l, values[p + 5], indices[p + 5] * l, values[p + 6], indices[p + 6] * l, values[p + 7], indices[p + 7] * l);
    }
    if (p + 4 <= e) {
      axpy4(out, o, l, b, values[p], indices[p] * l, values[p + 1], indices[p + 1] * l, values[p + 2], indices[p + 2] * l, values[p + 3], indices[p + 3] * l);
      p += 4;
    }
    for (; p < e; p++) axpy(out, o, values[p], b, indices[p] * l, l);
  }
  return out;
}

/**
 * Aᵀ in compressed-row form (a counting sort by column). Within a row of Aᵀ the entries keep A's
 * row order, so `csrTimesDense(transposeCsr(a), …)` adds the same terms in the same order as
 * scattering A's rows would: the same bits, but each output row is written once, in turn, instead
 * of rows scattered over the whole output (cache misses were most of that product's time).
 */
export function transposeCsr(a: Csr): Csr {
  const nnz = a.indptr[a.rows];
  const indptr = new Uint32Array(a.cols + 1);
  for (let p = 0; p < nnz; p++) indptr[a.indices[p] + 1]++;
  for (let c = 0; c < a.cols; c++) indptr[c + 1] += indptr[c];
  const next = indptr.slice(0, a.cols);
  const indices = new Uint32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < a.rows; i++) {
    for (let p = a.indptr[i], e = a.indptr[i + 1]; p < e; p++) {
      const at = next[a.indices[p]]++;
      indices[at] = i;
      values[at] = a.values[p];
    }
  }
  return { rows: a.cols, cols: a.rows, indptr, indices, values };
}

/**
 * XᵀX for X (n × l) → l × l. Eight rows of X per pass over G, their terms added left to right, then
 * the last few rows one at a time: each element of G gets the same additions in the same row order
 * as one row at a time throughout (a zero entry of X adds ±0, which leaves a finite sum as it is, so
 * skipping it or not gives the same bits), with an eighth of G's loads and stores: half the CPU of
 * one row at a time on training's 25,000 × 144 and 40,000 × 144 (rounds 25–26). A four-row pass for
 * the remainder (at most seven rows of thousands) saved nothing measurable and was dropped (round 26).
 */
export function gram(x: Float64Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const r0 = i * l;
    const r1 = r0 + l;
    const r2 = r1 + l;
    const r3 = r2 + l;
    const r4 = r3 + l;
    const r5 = r4 + l;
    const r6 = r5 + l;
    const r7 = r6 + l;
    for (let a = 0; a < l; a++) {
      const x0 = x[r0 + a];
      const x1 = x[r1 + a];
      const x2 = x[r2 + a];
      const x3 = x[r3 + a];
      const x4 = x[r4 + a];
      const x5 = x[r5 + a];
      const x6 = x[r6 + a];
      const x7 = x[r7 + a];
      const o = a * l;
      for (let b = a; b < l; b++) g[o + b] = g[o + b] + x0 * x[r0 + b] + x1 * x[r1 + b] + x2 * x[r2 + b] + x3 * x[r3 + b] + x4 * x[r4 + b] + x5 * x[r5 + b] + x6 * x[r6 + b] + x7 * x[r7 + b];
    }
  }
  for (; i < n; i++) {
    const r = i * l;
    for (let a = 0; a < l; a++) {
      const xa = x[r + a];
      if (xa === 0) continue;
      // Row a of G from column a on: g[a·l + b] += xa · x[r + b] for b ≥ a.
      axpy(g, a * l + a, xa, x, r + a, l - a);
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) g[a * l + b] = g[b * l + a];
  return g;
}

/**
 * Orthonormalises the columns of X (n × l) in place by Cholesky QR, twice (CholeskyQR2) for
 * stability unless `passes` says once; a tiny ridge keeps the factorisation defined when columns are
 * nearly dependent.
 */
export function orthonormalizeColumns(x: Float64Array, n: number, l: number, passes = 2): void {
  for (let pass = 0; pass < passes; pass++) {
    const g = gram(x, n, l);
    let trace = 0;
    for (let a = 0; a < l; a++) trace += g[a * l + a];
    const ridge = (trace / l) * 1e-10 + 1e-300;
    for (let a = 0; a < l; a++) g[a * l + a] += ridge;
    const r = cholesky(g, l);
    // Rᵀ row-major, so the substitution below reads it contiguously (R's columns are strided).
    const rt = new Float64Array(l * l);
    for (let a = 0; a < l; a++) for (let b = a; b < l; b++) rt[b * l + a] = r[a * l + b];
    // X := X R⁻¹ (R upper triangular, R = Lᵀ): forward substitution, eight rows at a time, then
    // the last few (at most seven) one at a time.
    let i = 0;
    for (; i + 8 <= n; i += 8) substitute8(x, i * l, rt, l);
    const row = new Float64Array(l);
    for (; i < n; i++) {
      const o = i * l;
      for (let j = 0; j < l; j++) {
        const t = j * l;
        row[j] = subtractDot(x[o + j], row, rt, t, j) / rt[t + j];
      }
      x.set(row, o);
    }
  }
}

/**
 * Forward substitution of eight consecutive rows of X (from offset `o`, l wide) by Rᵀ, in place.
 * Each row's element j is `x[j] − Σₖ row[k]·rt[j·l + k]` for k < j, subtracted one term at a time in
 * order, then divided: the same operations in the same order as `subtractDot` on one row (the same
 * bits), but eight rows' chains of dependent subtractions interleave instead of waiting on one
 * another (that chain's latency bounded the one-row loop: the orthonormalisation takes 0.55–0.6× the
 * CPU of one row at a time, rounds 25–26). In place: element j of a row is read before it is
 * written, and elements before j already hold their new values.
 */
function substitute8(x: Float64Array, o: number, rt: Float64Array, l: number): void {
  const o1 = o + l;
  const o2 = o1 + l;
  const o3 = o2 + l;
  const o4 = o3 + l;
  const o5 = o4 + l;
  const o6 = o5 + l;
  const o7 = o6 + l;
  for (let j = 0; j < l; j++) {
    const t = j * l;
    let s0 = x[o + j];
    let s1 = x[o1 + j];
    let s2 = x[o2 + j];
    let s3 = x[o3 + j];
    let s4 = x[o4 + j];
    let s5 = x[o5 + j];
    let s6 = x[o6 + j];
    let s7 = x[o7 + j];
    for (let k = 0; k < j; k++) {
      const r = rt[t + k];
      s0 -= x[o + k] * r;
      s1 -= x[o1 + k] * r;
      s2 -= x[o2 + k] * r;
      s3 -= x[o3 + k] * r;
      s4 -= x[o4 + k] * r;
      s5 -= x[o5 + k] * r;
      s6 -= x[o6 + k] * r;
      s7 -= x[o7 + k] * r;
    }
    const d = rt[t + j];
    x[o + j] = s0 / d;
    x[o1 + j] = s1 / d;
    x[o2 + j] = s2 / d;
    x[o3 + j] = s3 / d;
    x[o4 + j] = s4 / d;
    x[o5 + j] = s5 / d;
    x[o6 + j] = s6 / d;
    x[o7 + j] = s7 / d;
  }
}

/**
 * `s − Σₖ a[k]·b[t+k]` for k < n, subtracted one term at a time in order (the same bits as the
 * plain loop), four terms per iteration.
 */
function subtractDot(s: number, a: Float64Array, b: Float64Array, t: number, n: number): number {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    s -= a[k] * b[t + k];
    s -= a[k + 1] * b[t + k + 1];
    s -= a[k + 2] * b[t + k + 2];
    s -= a[k + 3] * b[t + k + 3];
  }
  for (; k < n; k++) s -= a[k] * b[t + k];
  return s;
}

/** Upper-triangular R with RᵀR = G (G symmetric positive definite, l × l). */
function cholesky(g: Float64Array, l: number): Float64Array {
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
  return r;
}

/**
 * Eigen-decomposition of a symmetric matrix (l × l) by cyclic Jacobi rotations. Returns eigenvalues
 * in descending order and the matching eigenvectors as columns of a row-major l × l matrix.
 */
export function symmetricEigen(m: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q] * a[p * l + q];
    if (off < 1e-22) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * l + q] - a[p * l + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p];
          const akq = a[k * l + q];
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k];
          const aqk = a[q * l + k];
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p];
          const vkq = v[k * l + q];
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((x, y) => a[y * l + y] - a[x * l + x]);
  const values = new Float64Array(l);
  const vectors = new Float64Array(l * l);
  order.forEach((src, dst) => {
    values[dst] = a[src * l + src];
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src];
  });
  return { values, vectors };
}

/** A standard normal deviate from a uniform source (Box–Muller). */
export function gaussian(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
