import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FUSION, SIMILAR_WEIGHTS, fuse, mixSimilar, type FusionWeights } from '../../src/search/fusion.ts';

// A confident keyword hit (A) against one that is nearly as good by keywords and much closer by meaning (B).
const keyword = [
  { id: 'A', score: 10 },
  { id: 'B', score: 9.9 },
];
const vector = [
  { id: 'B', score: 0.9 },
  { id: 'A', score: 0.1 },
];

test('hybrid fusion mixes scores, not ranks: a near-tie by keywords is decided by meaning', () => {
  assert.equal(DEFAULT_FUSION.mode, 'convex');
  // Reciprocal rank fusion sees A and B each once first and once second: a tie that keyword order breaks (A).
  const rrf = fuse(keyword, vector, { ...DEFAULT_FUSION, mode: 'rrf', keyword: 1, vector: 1 });
  assert.equal(rrf[0].id, 'A');
  const mixed = fuse(keyword, vector, DEFAULT_FUSION);
  assert.deepEqual(
    mixed.map((h) => h.id),
    ['B', 'A'],
  );
  // score = keyword weight × BM25 ÷ best + vector weight × cosine
  assert.ok(Math.abs(mixed[0].score - (DEFAULT_FUSION.keyword * 0.99 + DEFAULT_FUSION.vector * 0.9)) < 1e-9);
  assert.ok(Math.abs(mixed[1].score - (DEFAULT_FUSION.keyword * 1 + DEFAULT_FUSION.vector * 0.1)) < 1e-9);
});

test('hybrid fusion follows its weights: a keyword-heavy mix keeps the keyword winner, a vector weight of 0 is keyword order', () => {
  const keywordHeavy: FusionWeights = { ...DEFAULT_FUSION, keyword: 0.995, vector: 0.005 };
  assert.equal(fuse(keyword, vector, keywordHeavy)[0].id, 'A');
  const meaningHeavy: FusionWeights = { ...DEFAULT_FUSION, keyword: 0.2, vector: 0.8 };
  assert.equal(fuse(keyword, vector, meaningHeavy)[0].id, 'B');
  assert.deepEqual(
    fuse(keyword, vector, { ...DEFAULT_FUSION, vector: 0 }).map((h) => h.id),
    ['A', 'B'],
  );
});

test('similar papers mix word and embedding similarity by their weights; an unknown similarity counts 0', () => {
  const candidates = [
    { id: 'words', lexical: 0.8, semantic: 0.2 },
    { id: 'meaning', lexical: 0.1, semantic: 0.7 },
    { id: 'no-vector', lexical: 0.5, semantic: NaN },
  ];
  const ranked = mixSimilar(candidates, SIMILAR_WEIGHTS);
  const expected = candidates
    .map((c) => ({ id: c.id, score: SIMILAR_WEIGHTS.lexical * c.lexical + SIMILAR_WEIGHTS.semantic * (Number.isNaN(c.semantic) ? 0 : c.semantic) }))
    .sort((a, b) => b.score - a.score);
  assert.deepEqual(
    ranked.map((h) => h.id),
    expected.map((h) => h.id),
  );
  for (const [i, h] of ranked.entries()) assert.ok(Math.abs(h.score - expected[i].score) < 1e-9);
  assert.equal(mixSimilar(candidates, { ...SIMILAR_WEIGHTS, lexical: 1, semantic: 0 })[0].id, 'words');
  assert.equal(mixSimilar(candidates, { ...SIMILAR_WEIGHTS, lexical: 0, semantic: 1 })[0].id, 'meaning');
});
