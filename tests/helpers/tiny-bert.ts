import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildBertModel, vocabFromTexts, type BertBuildOptions, type BertWeights } from '../../src/search/onnx/bert-builder.ts';

/** A vocabulary of ~2,000 WordPieces from the demo papers (and a few words the tests use). */
export function tinyVocab(): string[] {
  const lines = readFileSync(new URL('../../fixtures/demo/papers.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);
  const texts = lines.map((l) => {
    const p = JSON.parse(l) as { title: string; abstract: string };
    return `${p.title} ${p.abstract}`;
  });
  texts.push('graph neural networks molecules molecular properties predict galaxy clusters dark matter halos café');
  return vocabFromTexts(texts, 2000);
}

export const TINY_SHAPE = { layers: 2, hidden: 64, heads: 4, intermediate: 128, maxPositions: 64, typeVocab: 2 } as const;

/** Builds the tiny BERT into a fresh temp directory (about 0.7 MB of weights). */
export async function buildTinyBert(overrides: Partial<BertBuildOptions> = {}): Promise<{ dir: string; weights: BertWeights; vocab: string[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-tiny-bert-'));
  const vocab = overrides.vocab ?? tinyVocab();
  const weights = await buildBertModel(dir, { ...TINY_SHAPE, vocab, seed: 7, pooling: 'mean', lowercase: true, ...overrides });
  return { dir, weights, vocab };
}
