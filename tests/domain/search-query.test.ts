import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchFilters } from '../../src/domain/search-query.ts';
import { parseQuery } from '../../src/search/query.ts';

test("a request's date bounds win over from:/to: in the query; its category joins category:", () => {
  const q = parseQuery('lensing category:astro-ph.CO from:2020 to:2021');
  assert.deepEqual(searchFilters(q), { from: '2020-01-01', to: '2021-12-31', categories: ['astro-ph.CO'] });
  assert.deepEqual(searchFilters(q, { from: '2022-03-01', category: 'cs.LG' }), { from: '2022-03-01', to: '2021-12-31', categories: ['astro-ph.CO', 'cs.LG'] });
  assert.deepEqual(searchFilters(parseQuery('words only'), { to: '2024-01-31' }), { from: undefined, to: '2024-01-31', categories: [] });
  assert.deepEqual(q.categories, ['astro-ph.CO'], 'the query itself is left alone');
});
