import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstSentence, normalizeText } from '../../src/domain/text.ts';

test('joins hard line breaks and collapses whitespace, LaTeX untouched', () => {
  assert.equal(normalizeText('  A study of\n  $\\alpha$-divergences\tin  practice \n'), 'A study of $\\alpha$-divergences in practice');
  assert.equal(normalizeText(null), '');
});

test('first sentence of an abstract', () => {
  assert.equal(firstSentence('We propose X. It works well.'), 'We propose X.');
  assert.equal(firstSentence('We use e.g. cats. Then dogs.'), 'We use e.g. cats.');
  assert.equal(firstSentence('No period at all'), 'No period at all');
});
