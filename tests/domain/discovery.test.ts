import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesFollow, normalizeValue, parseSavedSearch } from '../../src/domain/discovery.ts';

const paper = {
  title: 'Gaussian Splatting for Real-Time Rendering',
  abstract: 'We render scenes with 3D Gaussians and compare with NeRF on the state-of-the-art benchmark.',
  authors: ['José García', 'Ada Lovelace'],
  categories: ['cs.CV', 'cs.GR'],
};

test('following a category: exact, case-insensitive, or a whole archive', () => {
  assert.ok(matchesFollow(paper, { kind: 'category', value: 'cs.CV' }));
  assert.ok(matchesFollow(paper, { kind: 'category', value: 'cs.gr' }));
  assert.ok(matchesFollow(paper, { kind: 'category', value: 'cs' }));
  assert.ok(!matchesFollow(paper, { kind: 'category', value: 'cs.CL' }));
  assert.ok(!matchesFollow(paper, { kind: 'category', value: 'c' }));
});

test('following an author: the whole name, accents and case folded', () => {
  assert.ok(matchesFollow(paper, { kind: 'author', value: 'jose garcia' }));
  assert.ok(matchesFollow(paper, { kind: 'author', value: 'Ada Lovelace' }));
  assert.ok(!matchesFollow(paper, { kind: 'author', value: 'Ada' }));
  const polish = { ...paper, authors: ['Maria Skłodowska', 'Hans Christian Ørsted', 'Novak Đoković'] };
  assert.ok(matchesFollow(polish, { kind: 'author', value: 'Maria Sklodowska' }), 'ł folds to l');
  assert.ok(matchesFollow(polish, { kind: 'author', value: 'hans christian orsted' }), 'Ø folds to o');
  assert.ok(matchesFollow(polish, { kind: 'author', value: 'Novak Djokovic' }) === false, 'a transliteration is not a folding');
  assert.ok(matchesFollow(polish, { kind: 'author', value: 'Novak Dokovic' }), 'Đ folds to d');
});

test('a saved search: every word or phrase, whole words, minus exclusions', () => {
  assert.ok(matchesFollow(paper, { kind: 'search', value: 'gaussian splatting' }));
  assert.ok(matchesFollow(paper, { kind: 'search', value: '"real-time rendering" nerf' }));
  assert.ok(matchesFollow(paper, { kind: 'search', value: 'state-of-the-art' }));
  assert.ok(!matchesFollow(paper, { kind: 'search', value: 'gaussian -nerf' }));
  assert.ok(!matchesFollow(paper, { kind: 'search', value: 'splat' }), 'whole words only');
  assert.ok(!matchesFollow(paper, { kind: 'search', value: '"splatting gaussian"' }));
  assert.ok(!matchesFollow(paper, { kind: 'search', value: '-nerf' }), 'only exclusions match nothing');
  assert.deepEqual(parseSavedSearch('Diffusion "image editing" -video <b>'), { must: ['diffusion', 'image editing', 'b'], not: ['video'] });
});

test('values are trimmed; empty or overlong ones refused', () => {
  assert.equal(normalizeValue('  cs.CV \n'), 'cs.CV');
  assert.equal(normalizeValue('   '), null);
  assert.equal(normalizeValue('x'.repeat(201)), null);
});
