import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { drain } from '../../src/slices.ts';
import { Lexicon } from '../../src/search/spelling.ts';

/**
 * The spelling lexicon a loaded keyword index keeps on the request thread's heap (issue 19,
 * start-up): every object made while a server loads its index survives the young generation's
 * collections, so each is copied by the scavenges that pause requests during start-up. The lexicon
 * kept an entry object, a length-bucket slot and a `Map` entry per word (52,522 words at 75k papers;
 * with the decoded ids, 10.1–10.6 MB kept by the keyword index load, BENCHMARKS, start-up, round 25);
 * now only the words' strings, which the file's list holds anyway, and typed arrays outside the heap.
 * Here 40,000 words made before the measure and kept apart: what the lexicons add is their own.
 */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const N = 40_000;
const LOADS = 3;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const words = Array.from({ length: N }, (_, i) => {
  let w = '';
  for (let n = i + 1, k = 0; n > 0 || k < 4; n = Math.floor(n / 26), k++) w += LETTERS[(n + k * 7) % 26];
  return w;
});
const dfs = Uint32Array.from(words, (_, i) => 1 + (i % 50));

test('a lexicon keeps no object per word on the heap: its positions by length and frequencies are typed arrays', () => {
  assert.equal(new Set(words).size, N, 'distinct words');
  let best = Infinity;
  // Least of three tries: the test runner's own garbage in between is noise of a few hundred kB.
  for (let attempt = 0; attempt < 3; attempt++) {
    gc();
    const before = v8.getHeapStatistics().used_heap_size;
    const kept = Array.from({ length: LOADS }, () => drain(Lexicon.build(words, dfs)));
    gc();
    const perWord = (v8.getHeapStatistics().used_heap_size - before) / N / LOADS;
    for (const l of kept) assert.equal(l.size, N);
    best = Math.min(best, perWord);
  }
  assert.ok(best < 4, `${best.toFixed(1)} bytes of heap per word kept`);
});

test('a lexicon built from arrays corrects as one built from entries, and writes its words and frequencies back as they came', () => {
  const lexicon = drain(Lexicon.build(['transformer', 'transformed', 'attention', 'graph', 'grape'], Uint32Array.from([40, 5, 30, 9, 3])));
  const same = Lexicon.of([
    { word: 'transformer', df: 40 },
    { word: 'transformed', df: 5 },
    { word: 'attention', df: 30 },
    { word: 'graph', df: 9 },
    { word: 'grape', df: 3 },
  ]);
  for (const [w, df] of [['transfromer', 0], ['atention', 0], ['grapf', 0], ['grpah', 1], ['transformer', 40], ['atention', 20], ['abc', 0], ['zzzzzzzzzzzzzzzzzzzz', 0]] as const) {
    assert.deepEqual(lexicon.correct(w, df), same.correct(w, df), w);
  }
  assert.deepEqual(lexicon.correct('transfromer', 0), { word: 'transformer', df: 40 });
  assert.deepEqual(lexicon.correct('grapf', 0), { word: 'graph', df: 9 }, 'of two at one edit, the more frequent');
  assert.deepEqual(lexicon.toArrays(), { words: ['transformer', 'transformed', 'attention', 'graph', 'grape'], dfs: Uint32Array.from([40, 5, 30, 9, 3]) });
  assert.throws(() => drain(Lexicon.build(['a', 'b'], Uint32Array.from([1]))), /2 words and 1 frequencies/);
});
