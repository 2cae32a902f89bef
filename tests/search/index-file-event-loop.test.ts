import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DocMetaTable } from '../../src/search/doc-meta.ts';
import { decodeLinesSliced, readIndexFile, writeIndexFile } from '../../src/search/index-file.ts';
import { DEFAULT_BM25, InvertedIndex, type IndexParts } from '../../src/search/inverted-index.ts';
import { readKeywordIndexFile, writeKeywordIndexFile } from '../../src/search/keyword-index-file.ts';
import { holdsUnder } from '../helpers/event-loop.ts';

/**
 * Loading a published index file must not hold the request thread (issue 19): a serving process
 * loads one at start and whenever a new version is published. The file here has the shape of the
 * real corpus' keyword index at 74,728 papers (63 MB: 103,360 terms, 7.3M postings, 52,522 words
 * of spelling lexicon), but with the vocabulary of a store several times larger (600,000 terms).
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-loop-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const TERMS = 600_000;
const DOCS = 75_000;
const PER_TERM = 12;
const LEXICON = 52_000;

function parts(): IndexParts {
  const terms = Array.from({ length: TERMS }, (_, t) => `t${t.toString(36)}x${(t * 7919).toString(36)}`);
  const ids = Array.from({ length: DOCS }, (_, d) => `2401.${String(d).padStart(5, '0')}v${d % 3}`);
  const offsets = new Uint32Array(TERMS + 1);
  for (let t = 0; t < TERMS; t++) offsets[t + 1] = offsets[t] + PER_TERM;
  const postDocs = new Uint32Array(TERMS * PER_TERM);
  const postImpacts = new Float32Array(TERMS * PER_TERM);
  for (let i = 0; i < postDocs.length; i++) {
    postDocs[i] = (i * 2654435761) % DOCS;
    postImpacts[i] = 1 + (i % 7);
  }
  for (let t = 0; t < TERMS; t++) postDocs.subarray(offsets[t], offsets[t + 1]).sort();
  const dfs = new Uint32Array(TERMS).fill(PER_TERM);
  return {
    options: DEFAULT_BM25,
    stats: { n: DOCS, avgTitle: 8, avgAbstract: 120, nPdf: 0, avgPdf: 0 },
    terms,
    offsets,
    postDocs,
    postImpacts,
    maxImpact: new Float32Array(TERMS).fill(7),
    dfs,
    pdfDfs: new Uint32Array(TERMS),
    ids,
    lexiconWords: Array.from({ length: LEXICON }, (_, i) => `w${i.toString(36)}ord`),
    lexiconDfs: new Uint32Array(LEXICON).fill(3),
  };
}

test('loading a keyword index file of real size keeps the event loop free: read and checked in a thread, decoded in slices', async () => {
  const p = parts();
  const snap = { index: InvertedIndex.fromParts(p), meta: new DocMetaTable({ categoryNames: ['cs.lg'], catOffsets: Uint32Array.from({ length: DOCS + 1 }, (_, i) => i), catIds: new Uint16Array(DOCS), published: new Uint32Array(DOCS) }), cursor: { modifiedAt: '2026-01-01T00:00:00.000Z', id: 'x' } };
  const file = path.join(dir, 'keyword.pbidx');
  const { bytes, checksum } = await writeKeywordIndexFile(file, snap);
  // One load first: the reader thread starts (tsx compiles inside it, on its own thread) and the
  // code paths are compiled, as in a server that has already served.
  await readKeywordIndexFile(file, { checksum, bytes });
  // Sliced, no step is over a few ms of work; 30 ms of CPU leaves room for a slow machine (the same
  // load read, checked and decoded on this thread held it 150-200 ms every time). A major garbage
  // collection of this heap can itself take ~30 ms and lands in whichever slice it interrupts, so
  // the load is tried up to three times: unsliced work holds the loop in every try, a collection
  // does not fall in every one (CI once saw 32.1 ms in a single try).
  const holds = await holdsUnder(30, async () => {
    const back = await readKeywordIndexFile(file, { checksum, bytes });
    assert.equal(back.index.mainSize, DOCS);
    assert.equal(back.index.docFrequency(p.terms[TERMS - 1]), PER_TERM);
  });
  assert.ok(Math.min(...holds) < 30, `the event loop was held ${holds.map((h) => h.toFixed(1)).join(', ')} ms of CPU at once in each load of a ${(bytes / 1e6).toFixed(0)} MB index file`);
});

test('strings decoded a window at a time come back exactly as written: empty strings, multi-byte text, a string longer than the window', async () => {
  const lists = [['a'], [''], ['', ''], ['a', ''], ['', 'b'], ['ünïcødé', '数学', 'x'.repeat(5000), '', 'tail'], Array.from({ length: 10_000 }, (_, i) => (i % 17 ? `wörd${i}` : ''))];
  for (const list of lists) {
    const body = Buffer.from(`head${list.join('\n')}tail`, 'utf8');
    const from = 4;
    const to = body.length - 4;
    for (const window of [1, 3, 64, 1 << 17]) assert.deepEqual(await decodeLinesSliced(body, from, to, 4, window), list, `window ${window}: ${JSON.stringify(list).slice(0, 60)}`);
  }
  // Through a whole file too, beside typed sections.
  const file = path.join(dir, 'strings.pbidx');
  const words = Array.from({ length: 50_000 }, (_, i) => `mot${i}é`);
  await writeIndexFile(file, { kind: 'test', format: 1, meta: {}, sections: { a: new Uint32Array([1, 2, 3]), words, none: [] } });
  const back = await readIndexFile(file, { kind: 'test', format: 1 });
  assert.deepEqual(back.sections.words, words);
  assert.deepEqual(back.sections.none, []);
  assert.deepEqual([...(back.sections.a as Uint32Array)], [1, 2, 3]);
});
