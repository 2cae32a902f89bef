import assert from 'node:assert/strict';
import { test } from 'node:test';
import { align8 } from '../../src/search/index-file.ts';

/**
 * Section offsets of an index file past 2 GiB: the keyword index of 2.5M papers is about 2.2 GB,
 * and 32-bit arithmetic on its offsets made them negative, so `paperboy reindex` could not publish
 * it ("could not publish the keyword index", round 19). Writing a real 2 GB file here would take
 * minutes, so the layout's rounding is checked where it broke.
 */
test('section offsets round up to a multiple of 8 past 2 GiB and 4 GiB', () => {
  assert.equal(align8(0), 0);
  assert.equal(align8(1), 8);
  assert.equal(align8(64), 64);
  assert.equal(align8(2 ** 31 - 3), 2 ** 31);
  assert.equal(align8(2 ** 31 + 1), 2 ** 31 + 8);
  assert.equal(align8(2_125_603_661), 2_125_603_664);
  assert.equal(align8(2 ** 32 + 5), 2 ** 32 + 8);
  assert.equal(align8(3_000_000_003), 3_000_000_008);
});
