import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { decodeLinesSliced, hashFrom } from '../../src/search/index-file.ts';

/**
 * A published index file over 2 GiB must load (issue 19). First, it must be verifiable: the keyword index of 2.5M papers is 2.17 GB,
 * and the reader hashed its body with one `hash.update`, which Node refuses past 2^31 − 1 bytes
 * ("data is too long"): no server could load it (round 19: not ready after 496 s). Reading and
 * hashing a real 2 GB file here would take seconds and gigabytes, so the hashing is checked where it
 * broke, on a buffer of 2 GiB + 4 kB that is allocated but never written (no memory is touched).
 */
const LIMIT = 2 ** 31 - 1;

test("Node's hash refuses more than 2^31 - 1 bytes in one update (the limit the reader must respect)", () => {
  const big = Buffer.allocUnsafeSlow(2 ** 31);
  assert.throws(() => createHash('sha256').update(big), /data is too long/);
});

test('the reader hashes a body over 2 GiB in slices Node accepts, every byte once and in order', () => {
  const big = Buffer.allocUnsafeSlow(2 ** 31 + 4096);
  const parts: { offset: number; length: number }[] = [];
  const hash = {
    update(data: Uint8Array) {
      if (data.byteLength > LIMIT) throw new RangeError('data is too long');
      parts.push({ offset: data.byteOffset, length: data.byteLength });
    },
  };
  hashFrom(hash, big, 64);
  assert.ok(parts.length >= 2);
  let at = 64;
  for (const p of parts) {
    assert.equal(p.offset, at);
    at += p.length;
  }
  assert.equal(at, big.length);
});

test('hashing in slices gives the digest of hashing at once', () => {
  const buf = Buffer.alloc(10_000);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 31) & 255;
  for (const slice of [1, 7, 64, 4096, 1 << 20]) {
    const h = createHash('sha256');
    hashFrom(h, buf, 64, slice);
    assert.equal(h.digest('hex'), createHash('sha256').update(buf.subarray(64)).digest('hex'), `slice ${slice}`);
  }
  const empty = createHash('sha256');
  hashFrom(empty, buf.subarray(0, 64), 64);
  assert.equal(empty.digest('hex'), createHash('sha256').digest('hex'));
});

/**
 * Then its string sections past 2 GiB must decode, a window at a time with the event loop turning
 * between: the keyword index's paper ids lie after its 2 GB of postings, and Node 20's Buffer
 * `indexOf` / `lastIndexOf` take byte offsets past 2^31 as 32-bit integers (nothing found, or a
 * negative position: the decoding never ended). The windows here are 16 bytes so that a section of
 * a few hundred bytes spans many of them, as the 27 MB of ids spans many 128 kB windows.
 */
test('a strings section after 2 GiB decodes to its lines, window by window', { timeout: 5_000 }, async () => {
  const big = Buffer.allocUnsafeSlow(2 ** 31 + 8192);
  // Paper ids, and some longer than a window (which end at the next newline after it).
  const lines = Array.from({ length: 40 }, (_, i) => `3001.${String(i).padStart(5, '0')}${i % 8 === 7 ? 'x'.repeat(40) : ''}`);
  const text = Buffer.from(lines.join('\n'), 'utf8');
  for (const from of [2 ** 31 + 104, 4096]) {
    text.copy(big, from);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    // sliceMs 0: the loop is handed back after every window.
    const got = await decodeLinesSliced(big, from, from + text.length, 0, 16);
    counting = false;
    assert.deepEqual(got, lines, `at ${from}`);
    assert.ok(turns >= 20, `at ${from}: ${turns} turns of the event loop for ${text.length} bytes in 16-byte windows`);
  }
});
