import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paperText, type LocalEmbedder } from '../../src/search/local-embedder.ts';
import type { Paper } from '../../src/domain/paper.ts';

/** Every paper's vector under `model`, read from `<cache>/vectors-<model id>.f32` or embedded once and written there. */
export function cachedVectors(cache: string, model: LocalEmbedder, corpus: readonly Pick<Paper, 'title' | 'abstract'>[]): Float32Array {
  const file = join(cache, `vectors-${model.id}.f32`);
  if (existsSync(file)) return new Float32Array(new Uint8Array(readFileSync(file)).buffer);
  const D = model.dimensions;
  const vectors = new Float32Array(corpus.length * D);
  corpus.forEach((p, i) => vectors.set(model.embedOne(paperText(p)), i * D));
  writeFileSync(file, new Uint8Array(vectors.buffer));
  return vectors;
}
