/**
 * A pseudo-random unit vector of `d` dimensions, the same for the same seed (a hash of sines):
 * stored vectors and queries for the ANN index tests, no embedder needed.
 */
export function unitVector(seed: number, d: number): Float32Array {
  const v = new Float32Array(d);
  let n = 0;
  for (let i = 0; i < d; i++) n += (v[i] = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453 - Math.floor(Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453) - 0.5) ** 2;
  n = Math.sqrt(n);
  for (let i = 0; i < d; i++) v[i] /= n;
  return v;
}
