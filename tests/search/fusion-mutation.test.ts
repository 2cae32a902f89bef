import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FUSION, fuse, type RankedHit } from '../../src/search/fusion.ts';

const K = DEFAULT_FUSION.keyword;
const V = DEFAULT_FUSION.vector;

// Hybrid search's fusion (src/search/fusion.ts). A mutation check switched the default to plain
// reciprocal rank fusion and no test noticed; RRF ranked known-item queries below keyword search
// alone (BENCHMARKS.md), which is why the default is the convex mix.

const kw: RankedHit[] = [
  { id: 'A', score: 10 }, // the known item: far ahead on keywords
  { id: 'B', score: 1 },
  { id: 'C', score: 0.9 },
];
const vec: RankedHit[] = [
  { id: 'B', score: 0.9 },
  { id: 'C', score: 0.85 },
  { id: 'D', score: 0.8 }, // vector-only
  { id: 'A', score: 0.1 },
];

const close = (got: RankedHit[], want: [string, number][]) => {
  assert.deepEqual(got.map((h) => h.id), want.map(([id]) => id));
  got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i][1]) < 1e-9, `${h.id}: ${h.score} vs ${want[i][1]}`));
};

test('the default fusion is the convex mix: keyword weight × relevance ÷ best + vector weight × cosine', () => {
  assert.equal(DEFAULT_FUSION.mode, 'convex');
  close(fuse(kw, vec), [
    ['A', K * 1 + V * 0.1],
    ['B', K * 0.1 + V * 0.9],
    ['C', K * 0.09 + V * 0.85],
    ['D', V * 0.8],
  ]);
});

test('a keyword hit far ahead stays first even when the vectors rank it last (plain RRF would not keep it)', () => {
  assert.equal(fuse(kw, vec)[0].id, 'A');
  const rrf = fuse(kw, vec, { ...DEFAULT_FUSION, mode: 'rrf' });
  assert.equal(rrf[0].id, 'B', 'the example is one where the two fusions disagree');
});

test('a keyword hit missing from the vector list counts the list\'s lowest cosine', () => {
  const got = fuse([{ id: 'X', score: 2 }], [{ id: 'Y', score: 0.7 }, { id: 'Z', score: 0.3 }]);
  close(got, [
    ['X', K + V * 0.3],
    ['Y', V * 0.7],
    ['Z', V * 0.3],
  ]);
});

// Similar papers no longer use RRF: their score mix (mixSimilar) is tested in fusion.test.ts.
