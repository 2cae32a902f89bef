import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WHITESPACE_TO_COLLAPSE, firstSentence, normalizeText } from '../../src/domain/text.ts';

test('joins hard line breaks and collapses whitespace, LaTeX untouched', () => {
  assert.equal(normalizeText('  A study of\n  $\\alpha$-divergences\tin  practice \n'), 'A study of $\\alpha$-divergences in practice');
  assert.equal(normalizeText(null), '');
});

test('normalising in two steps gives what the one-regex rule gives, for every mix of whitespace', () => {
  // Every whitespace character JavaScript knows, the plain space several times (the common case).
  const spaces = [' ', ' ', ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
  const words = ['a', 'βeta', '$\\alpha$', 'x', '∑'];
  let seed = 17;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const oneRegex = (s: string) => s.replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
  for (let i = 0; i < 5000; i++) {
    let s = '';
    for (let k = next(12); k >= 0; k--) s += next(3) ? words[next(words.length)] : Array.from({ length: 1 + next(3) }, () => spaces[next(spaces.length)]).join('');
    assert.equal(normalizeText(s), oneRegex(s), JSON.stringify(s));
  }
  // Runs of plain spaces alone, and a single rare space (kept: only runs and BREAKS change).
  assert.equal(normalizeText('a  b   c'), 'a b c');
  assert.equal(normalizeText('a\u3000b'), 'a\u3000b');
  assert.equal(normalizeText('a\u3000 b\n\u2000c'), 'a b c');
});

test('first sentence of an abstract', () => {
  assert.equal(firstSentence('We propose X. It works well.'), 'We propose X.');
  assert.equal(firstSentence('We use e.g. cats. Then dogs.'), 'We use e.g. cats.');
  assert.equal(firstSentence('No period at all'), 'No period at all');
});
