import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readLines } from '../../src/ingest/lines.ts';

async function linesOf(chunks: (Buffer | string)[]) {
  const out: { n: number; text: string; bytes: number }[] = [];
  for await (const l of readLines(Readable.from(chunks))) out.push(l);
  return out;
}

test('lines split on \\n and \\r\\n, numbered from 1; a last line without a newline is kept; blank lines count', async () => {
  const lines = await linesOf(['a\r\nb\n\nc']);
  assert.deepEqual(lines.map((l) => [l.n, l.text]), [[1, 'a'], [2, 'b'], [3, ''], [4, 'c']]);
});

test('a line and a multi-byte character split across chunks come out whole', async () => {
  const bytes = Buffer.from('{"t":"Skłodowska ∑ 😀"}\nzweite Zeile ü\r\n', 'utf8');
  // Cut inside the emoji (4 bytes), inside "ł" (2 bytes) and between \r and \n.
  const cuts = [3, 11, bytes.indexOf(0xf0) + 2, bytes.length - 1];
  const chunks: Buffer[] = [];
  let from = 0;
  for (const c of cuts) {
    chunks.push(bytes.subarray(from, c));
    from = c;
  }
  chunks.push(bytes.subarray(from));
  const lines = await linesOf(chunks);
  assert.deepEqual(lines.map((l) => l.text), ['{"t":"Skłodowska ∑ 😀"}', 'zweite Zeile ü']);
  assert.equal(lines.at(-1)!.bytes, bytes.length, 'bytes read so far, for the progress bar');
});

test('a line longer than many chunks, and string chunks', async () => {
  const long = 'x'.repeat(5000);
  const chunks = [...long.match(/.{1,700}/g)!, '\nend'];
  const lines = await linesOf(chunks);
  assert.deepEqual(lines.map((l) => l.text.length), [5000, 3]);
  assert.equal(lines[0].text, long);
});

test('invalid UTF-8 becomes U+FFFD, as a decoder would, and the next line is intact', async () => {
  const lines = await linesOf([Buffer.from([0x61, 0xff, 0x62, 0x0a, 0x63])]);
  assert.deepEqual(lines.map((l) => l.text), ['a\ufffdb', 'c']);
});
