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

/** A (rows × cols, CSR) times B (cols × l, dense) → rows × l. */
export function csrTimesDense(a: Csr, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.rows * l);
  for (let i = 0; i < a.rows; i++) {
    const o = i * l;
    for (let p = a.indptr[i], e = a.indptr[i + 1]; p < e; p++) {
      const v = a.values[p];
      const r = a.indices[p] * l;
      for (let j = 0; j < l; j++) out[o + j] += v * b[r + j];
    }
  }
  return out;
}

/** Aᵀ (cols × rows) times B (rows × l, dense) → cols × l. */
export function csrTransposeTimesDense(a: Csr, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(a.cols * l);
  for (let i = 0; i < a.rows; i++) {
    const r = i * l;
    for (let p = a.indptr[i], e = a.indptr[i + 1]; p < e; p++) {
      const v = a.values[p];
      const o = a.indices[p] * l;
      for (let j = 0; j < l; j++) out[o + j] += v * b[r + j];
    }
  }
  return out;
}

/** XᵀX for X (n × l) → l × l. */
export function gram(x: Float64Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    const r = i * l;
    for (let a = 0; a < l; a++) {
      const xa = x[r + a];
      if (xa === 0) continue;
      const ga = a * l;
      for (let b = a; b < l; b++) g[ga + b] += xa * x[r + b];
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
    // X := X R⁻¹ (R upper triangular, R = Lᵀ): forward substitution row by row.
    const row = new Float64Array(l);
    for (let i = 0; i < n; i++) {
      const o = i * l;
      for (let j = 0; j < l; j++) {
        let s = x[o + j];
        const t = j * l;
        for (let k = 0; k < j; k++) s -= row[k] * rt[t + k];
        row[j] = s / rt[t + j];
      }
      x.set(row, o);
    }
  }
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
