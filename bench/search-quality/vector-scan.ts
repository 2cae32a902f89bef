/** Exact nearest neighbours by dot product over unit vectors stored row-major: the reference for quality runs. */
export function topByDot(matrix: Float32Array, dims: number, q: Float32Array, k: number): Array<{ doc: number; score: number }> {
  const n = matrix.length / dims;
  const best: Array<{ doc: number; score: number }> = [];
  let floor = -Infinity;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * dims;
    for (let c = 0; c < dims; c++) s += matrix[o + c] * q[c];
    if (best.length < k || s > floor) {
      best.push({ doc: i, score: s });
      if (best.length > k * 4) {
        best.sort((a, b) => b.score - a.score);
        best.length = k;
        floor = best[k - 1].score;
      }
    }
  }
  best.sort((a, b) => b.score - a.score);
  return best.slice(0, k);
}
