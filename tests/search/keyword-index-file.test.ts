import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DocMetaBuilder } from '../../src/search/doc-meta.ts';
import { IndexFileError, readWholeSync } from '../../src/search/index-file.ts';
import { InvertedIndexBuilder } from '../../src/search/inverted-index.ts';
import { KEYWORD_INDEX_FORMAT as FORMAT_VERSION, readKeywordIndexFile, writeKeywordIndexFile, type KeywordIndexSnapshot } from '../../src/search/keyword-index-file.ts';
import { tokenize } from '../../src/search/tokenize.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-kwfile-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const WORDS = 'attention graph neural radiance field transformer lensing halo galaxy protein folding diffusion model sparse retrieval language vision robot policy'.split(' ');

/** A corpus where every word has many documents (so pruning and ties matter), with categories and days. */
function snapshot(n = 3000): KeywordIndexSnapshot {
  const b = new InvertedIndexBuilder();
  const m = new DocMetaBuilder();
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const pick = (k: number) => Array.from({ length: k }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
    b.add({ id: `2401.${String(i).padStart(5, '0')}`, title: pick(4), abstract: pick(30) });
    m.add({ categories: [['cs.lg', 'cs.cl', 'astro-ph.co'][i % 3]], published: i % 5 ? `202${i % 4}-0${1 + (i % 9)}-1${i % 10}` : '' });
  }
  return { index: b.finish(), meta: m.finish(), cursor: { modifiedAt: '2026-01-01T00:00:00.000Z', id: '2401.02999' } };
}

const QUERIES = ['attention graph', 'galaxy halo lensing', 'protein', 'sparse retrieval language model', 'robot vision policy diffusion', 'transfromer attention'];

test('a written index reads back as the same index: same top k, scores, counts, spelling, filters and store position', async () => {
  const snap = snapshot();
  const file = path.join(dir, 'same.pbidx');
  const { bytes, checksum } = await writeKeywordIndexFile(file, snap);
  assert.equal(fs.statSync(file).size, bytes);
  const back = await readKeywordIndexFile(file, { checksum, bytes });
  assert.deepEqual(back.cursor, snap.cursor);
  assert.equal(back.index.size, snap.index.size);
  for (const q of QUERIES) {
    assert.deepEqual(back.index.search(q, 20), snap.index.search(q, 20), q);
    assert.deepEqual(back.index.countMatches(tokenize(q)), snap.index.countMatches(tokenize(q)), q);
  }
  assert.deepEqual(back.index.corrections(['transfromer', 'atention']), snap.index.corrections(['transfromer', 'atention']));
  const filtered = (s: KeywordIndexSnapshot) => {
    const test = s.meta.matcher(['CS.CL'], '2021-01-01', '2022-12-31');
    return s.index.search('attention graph', 20, { filter: (id) => test(id, s.index.docNumber(id)) });
  };
  assert.ok(filtered(snap).length > 0);
  assert.deepEqual(filtered(back), filtered(snap));
  // Loaded arrays are views on the file's buffer, not decoded copies.
  const parts = back.index.toParts();
  assert.equal(parts.postDocs.buffer, parts.postImpacts.buffer);
});

async function rejection(file: string, expect: { checksum?: string; bytes?: number } = {}): Promise<string> {
  try {
    await readKeywordIndexFile(file, expect);
  } catch (err) {
    assert.ok(err instanceof IndexFileError, String(err));
    return err.problem;
  }
  return 'accepted';
}

test('a corrupt, truncated, old-format, foreign or missing file is refused with its reason, never opened', async () => {
  const good = path.join(dir, 'good.pbidx');
  const { bytes, checksum } = await writeKeywordIndexFile(good, snapshot(500));
  const copy = (name: string, edit: (b: Buffer) => Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, edit(Buffer.from(fs.readFileSync(good))));
    return f;
  };
  // One byte flipped in the postings (past the header), or in the header JSON.
  assert.equal(await rejection(copy('flip.pbidx', (b) => ((b[b.length - 100] ^= 0x40), b))), 'checksum');
  assert.equal(await rejection(copy('flip-header.pbidx', (b) => ((b[70] ^= 0x01), b))), 'checksum');
  // Cut short, or cut short with its recorded length patched to match (the checksum then catches it).
  assert.equal(await rejection(copy('short.pbidx', (b) => b.subarray(0, b.length - 4096))), 'truncated');
  assert.equal(await rejection(copy('short-patched.pbidx', (b) => {
    const s = Buffer.from(b.subarray(0, b.length - 4096));
    s.writeBigUInt64LE(BigInt(s.length), 16);
    return s;
  })), 'checksum');
  assert.equal(await rejection(copy('tiny.pbidx', (b) => b.subarray(0, 20))), 'truncated');
  // Another format version (an older or newer Paperboy wrote it).
  assert.equal(await rejection(copy('old.pbidx', (b) => (b.writeUInt32LE(FORMAT_VERSION + 1, 8), b))), 'version');
  assert.equal(await rejection(copy('magic.pbidx', (b) => ((b[0] = 0x58), b))), 'magic');
  assert.equal(await rejection(path.join(dir, 'nothing-here.pbidx')), 'missing');
  // A sound file that is not the published version.
  assert.equal(await rejection(good, { checksum: '0'.repeat(64) }), 'checksum');
  assert.equal(await rejection(good, { bytes: bytes + 8 }), 'truncated');
  assert.equal(await rejection(good, { checksum, bytes }), 'accepted');
});

test('a file is read whole in slices (fs.readFile stops at 2 GB), into a buffer its typed views can align on', async () => {
  const f = path.join(dir, 'sliced.bin');
  const bytes = Buffer.alloc(10_007);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
  fs.writeFileSync(f, bytes);
  // A slice that does not divide the length: the last read is short and must still land in place.
  const read = readWholeSync(f, 1024);
  assert.equal(read.length, bytes.length);
  assert.ok(read.equals(bytes));
  assert.equal(read.byteOffset, 0);
  // And the real reader, through slices of the whole index file, opens what it wrote.
  const good = path.join(dir, 'sliced.pbidx');
  const snap = snapshot(400);
  await writeKeywordIndexFile(good, snap);
  const back = await readKeywordIndexFile(good);
  assert.deepEqual(back.index.search('attention graph', 5), snap.index.search('attention graph', 5));
});

test('a file whose vocabulary repeats a term is refused, though its checksum holds (a writer bug or a hand-made file)', async () => {
  const snap = snapshot(400);
  const good = path.join(dir, 'repeat-good.pbidx');
  await writeKeywordIndexFile(good, snap);
  assert.equal(await rejection(good), 'accepted');
  // The same index with its second term renamed to the first: two term ids for one term.
  const terms = snap.index.toParts().terms;
  const renamed = Object.create(snap.index, { toParts: { value: () => ({ ...snap.index.toParts(), terms: [terms[0], ...terms.slice(1).map((t, i) => (i === 0 ? terms[0] : t))] }) } });
  const bad = path.join(dir, 'repeat-bad.pbidx');
  await writeKeywordIndexFile(bad, { ...snap, index: renamed });
  assert.equal(await rejection(bad), 'header');
});
