import { createHash } from 'node:crypto';
import type { Embedder } from '../../src/search/embedder.ts';
import { lightStem } from '../../src/search/highlight.ts';
import { STOPWORDS, words } from '../../src/search/query.ts';

/**
 * A deterministic test embedder: hashed bag of stemmed words (feature hashing). Texts sharing
 * words are close, texts sharing none are orthogonal-ish. Used by the tests' local embeddings
 * server; never a default of Paperboy's.
 */
export function hashVector(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const w of words(text)) {
    if (STOPWORDS.has(w)) continue;
    const h = createHash('md5').update(lightStem(w)).digest();
    v[h.readUInt32LE(0) % dimensions] += h[4] & 1 ? 1 : -1;
  }
  let n = 0;
  for (const x of v) n += x * x;
  if (n === 0) v[0] = 1;
  else for (let i = 0; i < dimensions; i++) v[i] /= Math.sqrt(n);
  return v;
}

export class HashEmbedder implements Embedder {
  readonly id: string;
  calls = 0;
  texts = 0;

  constructor(readonly dimensions = 256) {
    this.id = `test-hash-${dimensions}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts += texts.length;
    return texts.map((t) => hashVector(t, this.dimensions));
  }
}
