import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProgress } from '../../src/cli/progress.ts';

function sink() {
  const lines: string[] = [];
  const stream = { write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  return { lines, stream };
}

test('not a terminal: a plain line at most every interval, with the share done and the time left', () => {
  const { lines, stream } = sink();
  let t = 0;
  const p = startProgress({ label: 'harvesting', tty: false, stream, unit: 'records', everyMs: 10_000, now: () => t });
  t = 5_000;
  p.update(1_000, 10_000, 'arXiv:cs, page 1');
  assert.equal(lines.length, 0, 'not before the interval');
  t = 10_000;
  p.update(2_000, 10_000, 'arXiv:cs, page 2');
  assert.deepEqual(lines, ['harvesting: 2,000 / 10,000 (20%), about 40 s left — arXiv:cs, page 2\n']);
  t = 20_000;
  p.update(3_000, 0);
  assert.equal(lines[1], 'harvesting: 3,000\n', 'no total (arXiv gave no list size): no share, no ETA');
  t = 400_000;
  const b = startProgress({ label: 'importing', tty: false, stream, unit: 'bytes', everyMs: 1, now: () => t });
  t = 460_000;
  b.update(10e6, 100e6);
  assert.equal(lines[2], 'importing: 10.0 MB / 100.0 MB (10%), about 9 min left\n');
  b.note('a.jsonl:3: not JSON');
  assert.equal(lines[3], 'a.jsonl:3: not JSON\n');
  b.stop();
});
