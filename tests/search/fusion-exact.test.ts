import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FUSION, fuse } from '../../src/search/fusion.ts';

// Two keyword hits that the vector list (the top few by cosine over the whole corpus) did not
// return: A slightly ahead by keywords, B much closer by meaning.
const keyword = [
  { id: 'A', score: 10 },
  { id: 'B', score: 9.5 },
];
const vector = [
  { id: 'V1', score: 0.8 },
  { id: 'V2', score: 0.6 },
];

test('a keyword hit missing from the vector list counts its exact cosine when the service gives it', () => {
  // Without exact cosines both count the list's lowest cosine: keyword order stands.
  assert.deepEqual(
    fuse(keyword, vector, DEFAULT_FUSION)
      .filter((h) => h.id === 'A' || h.id === 'B')
      .map((h) => h.id),
    ['A', 'B'],
  );
  const exact = new Map([
    ['A', 0.05],
    ['B', 0.55],
  ]);
  const fused = fuse(keyword, vector, DEFAULT_FUSION, exact);
  const b = fused.find((h) => h.id === 'B')!;
  const a = fused.find((h) => h.id === 'A')!;
  assert.ok(b.score > a.score, 'meaning decides the near-tie');
  assert.ok(Math.abs(b.score - (DEFAULT_FUSION.keyword * 0.95 + DEFAULT_FUSION.vector * 0.55)) < 1e-9);
  assert.ok(Math.abs(a.score - (DEFAULT_FUSION.keyword * 1 + DEFAULT_FUSION.vector * 0.05)) < 1e-9);
});

test('the vector list keeps its own cosine; an unknown or non-finite exact cosine falls back to the floor', () => {
  const fused = fuse([{ id: 'V1', score: 10 }, { id: 'C', score: 10 }], vector, DEFAULT_FUSION, new Map([['V1', 0], ['C', Number.NaN]]));
  const v1 = fused.find((h) => h.id === 'V1')!;
  const c = fused.find((h) => h.id === 'C')!;
  assert.ok(Math.abs(v1.score - (DEFAULT_FUSION.keyword + DEFAULT_FUSION.vector * 0.8)) < 1e-9, "the vector list's cosine wins over the map");
  assert.ok(Math.abs(c.score - (DEFAULT_FUSION.keyword + DEFAULT_FUSION.vector * 0.6)) < 1e-9, 'NaN counts the floor (0.6)');
});
