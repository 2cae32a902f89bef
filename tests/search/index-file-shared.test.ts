import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readIndexFile, writeIndexFile } from '../../src/search/index-file.ts';

/**
 * A published file read at start-up is memory V8 does not count as the request thread's external
 * memory (issue 19, start-up under load): a moved 63–70 MB `ArrayBuffer` counted, and each one
 * started a scavenge and a mark-compact just after the port opened (pauses of 20–73 ms, BENCHMARKS,
 * start-up, round 25). V8 starts those when its external-memory counter — `process.memoryUsage().external`
 * — has grown 64 MB since the last mark-compact, so the tests read that counter: deterministic,
 * unlike counting collections. A later file of the same kind (a new version while serving) is
 * counted again, so that its arrival still collects the versions retired before it.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-shared-file-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 4M u32s: a 16 MB file. */
const WORDS = 4 << 20;

/** A file of a kind of the test's own (every kind starts unread in this process). */
async function written(kind: string, name: string, seed: number): Promise<{ file: string; bytes: number; a: Uint32Array }> {
  const a = new Uint32Array(WORDS);
  for (let i = 0; i < a.length; i++) a[i] = (i * 2654435761 + seed) >>> 0;
  const f = path.join(dir, name);
  await writeIndexFile(f, { kind, format: 1, meta: {}, sections: { a } });
  return { file: f, bytes: fs.statSync(f).size, a };
}

/** Reads `f`, returning its section and how far V8's external-memory counter moved meanwhile. */
async function read(f: string, kind: string) {
  const before = process.memoryUsage().external;
  const back = await readIndexFile(f, { kind, format: 1 });
  const grew = process.memoryUsage().external - before;
  return { a: back.sections.a as Uint32Array, grew };
}

test('the first file of a kind comes shared, uncounted as external memory; the next one of that kind is counted, as before', async () => {
  const first = await written('shared-test-a', 'first.idx', 1);
  const one = await read(first.file, 'shared-test-a');
  assert.ok(one.a.buffer instanceof SharedArrayBuffer, 'the start-up read is a SharedArrayBuffer');
  assert.deepEqual(one.a, first.a, 'read whole and right');
  assert.ok(one.grew < first.bytes / 4, `external memory grew ${one.grew} bytes for a ${first.bytes}-byte file`);

  const second = await written('shared-test-a', 'second.idx', 2);
  const two = await read(second.file, 'shared-test-a');
  assert.ok(!(two.a.buffer instanceof SharedArrayBuffer), 'a later version of the kind is a moved ArrayBuffer');
  assert.deepEqual(two.a, second.a);
  assert.ok(two.grew >= second.bytes * 0.9, `external memory grew ${two.grew} bytes for a ${second.bytes}-byte file: V8 must count it`);
  // Both stay readable side by side (a swap serves the old version until the new one is in).
  assert.equal(one.a[12345], first.a[12345]);
  assert.equal(two.a[12345], second.a[12345]);

  // Another kind read for the first time is shared again.
  const other = await written('shared-test-b', 'other.idx', 3);
  assert.ok((await read(other.file, 'shared-test-b')).a.buffer instanceof SharedArrayBuffer);
});

test('a refused first read uses up the kind: the retry a minute later is counted, not a second uncounted buffer', async () => {
  const good = await written('shared-test-c', 'good.idx', 4);
  const bad = path.join(dir, 'corrupt.idx');
  const bytes = fs.readFileSync(good.file);
  bytes[bytes.length - 5] ^= 0xff;
  fs.writeFileSync(bad, bytes);
  await assert.rejects(readIndexFile(bad, { kind: 'shared-test-c', format: 1 }), /checksum/);
  const retry = await read(good.file, 'shared-test-c');
  assert.ok(!(retry.a.buffer instanceof SharedArrayBuffer), 'the retry is a moved, counted ArrayBuffer');
  assert.deepEqual(retry.a, good.a);
  assert.ok(retry.grew >= good.bytes * 0.9, `external memory grew ${retry.grew} bytes`);
});
