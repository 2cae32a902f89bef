import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FeatureIndex } from '../../src/discovery/feature-index.ts';
import type { SparseVector } from '../../src/discovery/text-features.ts';
import { FOR_YOU_FEATURES_FORMAT, readForYouFeaturesFile, writeForYouFeaturesFile, type ForYouFeatures } from '../../src/discovery/for-you-features-file.ts';
import { IndexFileError } from '../../src/search/index-file.ts';
import { writeKeywordIndexFile } from '../../src/search/keyword-index-file.ts';
import { InvertedIndexBuilder } from '../../src/search/inverted-index.ts';
import { DocMetaBuilder } from '../../src/search/doc-meta.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-foryou-file-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const WORDS = 'attention graph neural radiance field transformer lensing halo galaxy protein folding diffusion model sparse retrieval'.split(' ');

/** Papers with awkward text on purpose: a title with a newline, accents, an author in two papers, no categories. */
function papers(n: number) {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = (k: number) => Array.from({ length: k }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
  return Array.from({ length: n }, (_, i) => ({
    id: `2501.${String(i).padStart(5, '0')}`,
    title: i === 3 ? 'Two lines\nof title, naïve' : pick(5),
    abstract: pick(40),
    categories: i % 7 === 0 ? [] : [['cs.LG', 'astro-ph.CO', 'q-bio.BM'][i % 3]],
    authors: [`Author ${i % 13}`, i === 5 ? 'Zoë\nNewline' : `Second ${i % 5}`],
    day: `2025-0${1 + (i % 6)}-1${i % 10}`,
  }));
}

async function snapshot(n = 400): Promise<ForYouFeatures> {
  const ps = papers(n);
  const index = await FeatureIndex.buildAsync(ps);
  // A paper added after the build (a later feed day): its vector used the counts as they were then.
  index.add({ id: '2502.00001', title: 'Late arrival graph', abstract: 'sparse retrieval model', categories: ['cs.IR'], authors: ['Late Author'] });
  const meta = new Map(ps.map((p) => [p.id, { title: p.title, categories: p.categories, authors: p.authors, day: p.day }]));
  meta.set('2502.00001', { title: 'Late arrival graph', categories: ['cs.IR'], authors: ['Late Author'], day: '2025-07-01' });
  return { features: index.parts(), papers: meta, through: { day: '2025-07-01', items: 1 }, indexDays: 180 };
}

test('a written For-you features file reads back as the same features: vectors, frequencies, papers, order and feed position', async () => {
  const snap = await snapshot();
  const file = path.join(dir, 'same.pbidx');
  const { bytes, checksum } = await writeForYouFeaturesFile(file, snap);
  assert.equal(fs.statSync(file).size, bytes);
  const back = await readForYouFeaturesFile(file, { checksum, bytes });
  assert.deepEqual(back.through, snap.through);
  assert.equal(back.indexDays, 180);
  assert.equal(back.features.docs, snap.features.docs);
  // Read back as a look-up table over the file's bytes (no string per id made on the request thread).
  const ids = [...snap.features.ids];
  assert.deepEqual([...back.features.ids], ids);
  assert.deepEqual([...back.features.df], [...snap.features.df]);
  const a = await FeatureIndex.fromParts(snap.features);
  const b = await FeatureIndex.fromParts(back.features);
  const written = snap.features.vectors as SparseVector[];
  ids.forEach((id, i) => {
    assert.deepEqual([...b.get(id)!.idx], [...written[i].idx]);
    assert.deepEqual([...b.get(id)!.val], [...written[i].val]);
  });
  // Read back as columns (no object per paper), answering as the Map written.
  assert.deepEqual(new Map(back.papers), snap.papers, 'titles and names with newlines and accents survive');
  for (const [id, p] of snap.papers) {
    assert.deepEqual(back.papers.get(id), p);
    assert.equal(back.papers.title(id), p.title);
    assert.equal(back.papers.day(id), p.day);
  }
  // Vectors are views on the file's buffer, not copies, and kept packed (no object per paper).
  assert.ok(!Array.isArray(back.features.vectors));
  assert.equal(b.get(ids[0])!.idx.buffer, b.get(ids[1])!.val.buffer);
  // Written again from the loaded index, the same file.
  const again = await writeForYouFeaturesFile(path.join(dir, 'again.pbidx'), { ...back, features: b.parts() });
  assert.equal(again.checksum, checksum);
  // A loaded index goes on like the one written: the same vector for the next paper.
  const next = { id: '2503.00001', title: 'Galaxy halo lensing', abstract: 'neural radiance field', categories: ['astro-ph.CO'] };
  assert.deepEqual(b.add(next), a.add(next));
  assert.deepEqual([...b.ids()], [...a.ids()]);
});

async function rejection(file: string, expect: { checksum?: string; bytes?: number } = {}): Promise<string> {
  try {
    await readForYouFeaturesFile(file, expect);
  } catch (err) {
    assert.ok(err instanceof IndexFileError, String(err));
    return err.problem;
  }
  return 'accepted';
}

test('a For-you features file with a flipped byte, cut short, of an old format or of another kind is refused, never opened', async () => {
  const good = path.join(dir, 'good.pbidx');
  const { bytes, checksum } = await writeForYouFeaturesFile(good, await snapshot(200));
  assert.equal(await rejection(good, { checksum, bytes }), 'accepted');
  const copy = (name: string, edit: (b: Buffer) => Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, edit(Buffer.from(fs.readFileSync(good))));
    return f;
  };
  // One byte flipped in the vectors, in a title, in the header JSON.
  assert.equal(await rejection(copy('flip.pbidx', (b) => ((b[b.length >> 1] ^= 0x04), b))), 'checksum');
  assert.equal(await rejection(copy('flip-end.pbidx', (b) => ((b[b.length - 20] ^= 0x01), b))), 'checksum');
  assert.equal(await rejection(copy('flip-header.pbidx', (b) => ((b[80] ^= 0x01), b))), 'checksum');
  assert.equal(await rejection(copy('short.pbidx', (b) => b.subarray(0, b.length - 512))), 'truncated');
  assert.equal(await rejection(copy('old.pbidx', (b) => (b.writeUInt32LE(FOR_YOU_FEATURES_FORMAT + 1, 8), b))), 'version');
  assert.equal(await rejection(path.join(dir, 'none.pbidx')), 'missing');
  // A keyword index file is not For-you features, even at the same format number.
  const kw = path.join(dir, 'keyword.pbidx');
  const b = new InvertedIndexBuilder();
  b.add({ id: '2401.00001', title: 'graph', abstract: 'attention' });
  const m = new DocMetaBuilder();
  m.add({ categories: [], published: '' });
  await writeKeywordIndexFile(kw, { index: b.finish(), meta: m.finish(), cursor: { modifiedAt: '', id: '' } });
  const b2 = fs.readFileSync(kw);
  b2.writeUInt32LE(FOR_YOU_FEATURES_FORMAT, 8); // the format is in the fixed header, outside the checksum
  fs.writeFileSync(kw, b2);
  assert.equal(await rejection(kw), 'kind');
});
