import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WordTable, wordHash } from '../../src/search/word-table.ts';

const get = (t: WordTable, text: string, start: number, end: number) => t.get(text, start, end, wordHash(text.slice(start, end)));
const set = (t: WordTable, word: string, value: number) => t.set(word, 0, word.length, wordHash(word), value);

test('a word is found by its span of any text, with its value, across the table growing many times', () => {
  const t = new WordTable();
  const n = 300_000; // the slots double from 65,536 several times
  for (let i = 0; i < n; i++) set(t, `w${i}`, i % 3 === 0 ? -1 : i);
  assert.equal(t.size, n);
  for (let i = 0; i < n; i += 997) {
    const text = `xx w${i} yy`;
    assert.equal(get(t, text, 3, 3 + `w${i}`.length), i % 3 === 0 ? -1 : i);
  }
  // A prefix or an extension of a known word is another word.
  assert.equal(get(t, 'w1234567', 0, 8), WordTable.MISSING);
  assert.equal(t.wordAt(5), 'w5');
  assert.equal(t.valueAt(5), 5);
});

test('words of the same hash are told apart by their letters', () => {
  const t = new WordTable();
  // Same hash passed for two different words: only the letters can tell them apart.
  t.set('alpha', 0, 5, 42, 1);
  t.set('omega', 0, 5, 42, 2);
  t.set('pi', 0, 2, 42, 3);
  assert.equal(t.get('alpha', 0, 5, 42), 1);
  assert.equal(t.get('omega', 0, 5, 42), 2);
  assert.equal(t.get('pi', 0, 2, 42), 3);
  assert.equal(t.get('gamma', 0, 5, 42), WordTable.MISSING);
  assert.equal(t.get('p', 0, 1, 42), WordTable.MISSING);
  assert.equal(t.get('pit', 0, 3, 42), WordTable.MISSING, 'a longer word that starts with a known one');
});

test('words of the same hash and length are told apart by every letter, first and last, at any place in a text', () => {
  const t = new WordTable();
  t.set('model', 0, 5, 7, 1);
  t.set('modem', 0, 5, 7, 2);
  t.set('nodel', 0, 5, 7, 3);
  assert.equal(t.get('a model here', 2, 7, 7), 1);
  assert.equal(t.get('a modem here', 2, 7, 7), 2);
  assert.equal(t.get('a nodel here', 2, 7, 7), 3);
  assert.equal(t.get('a modes here', 2, 7, 7), WordTable.MISSING, 'only the last letter differs');
  assert.equal(t.get('a xodel here', 2, 7, 7), WordTable.MISSING, 'only the first letter differs');
});

test('past its limit the table starts over instead of growing', () => {
  const t = new WordTable(1000);
  for (let i = 0; i < 1000; i++) set(t, `v${i}`, i);
  assert.equal(get(t, 'v999', 0, 4), 999);
  set(t, 'late', 7);
  assert.equal(t.size, 1);
  assert.equal(get(t, 'late', 0, 4), 7);
  assert.equal(get(t, 'v999', 0, 4), WordTable.MISSING);
});
