import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FeatureIndex } from '../../src/discovery/feature-index.ts';
import { readForYouFeaturesFile, writeForYouFeaturesFile, type ForYouPaper } from '../../src/discovery/for-you-features-file.ts';

/**
 * What a server keeps on the request thread's heap once it has loaded the published For-you
 * features (issue 19, start-up): every object made while loading survives the young generation's
 * collections (they are kept), so each is copied by the scavenges that pause requests while the
 * server starts, and marked by every full collection after. The real store's file (33,804 papers)
 * kept 36.8 MB in round 20 (a vector's two views and an object per paper, a pair and a 17-slot array
 * per category and author list), 16–17 MB in round 23 (an object, a title, an author list per paper,
 * the author names, a `Map` of the papers and one of the ids): 0.1–0.3 MB now — the papers stay in
 * the file's columns (`ForYouPapers`), the ids in the reader thread's look-up table. These papers:
 * 365–370 bytes each on round 23's code, under 10 now (the mutants — ids in a `Map` at load, author
 * names decoded at load, papers made at load — all go over 30). Here 20,000 papers of the same shape: 10 words per vector, two categories from a few
 * dozen, three authors (two of them the paper's own), a title.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-foryou-heap-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const N = 20_000;

let written: Promise<string> | undefined;
const file = () => (written ??= writeFile());

async function writeFile(): Promise<string> {
  const WORDS = 'attention graph neural radiance field transformer lensing halo galaxy protein folding diffusion model sparse retrieval quantum spin chain'.split(' ');
  const papers = Array.from({ length: N }, (_, i) => ({
    id: `2501.${String(i).padStart(5, '0')}`,
    title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} of ${i}`,
    abstract: Array.from({ length: 10 }, (_, k) => WORDS[(i * 31 + k * 17) % WORDS.length]).join(' '),
    categories: [`cs.${String.fromCharCode(65 + (i % 26))}`, `stat.${String.fromCharCode(65 + ((i >> 3) % 4))}`],
    authors: [`Author ${i}`, `Second author ${i}`, `Third ${i % 31}`],
  }));
  const index = await FeatureIndex.buildAsync(papers);
  const meta = new Map<string, ForYouPaper>(papers.map((p) => [p.id, { title: p.title, categories: p.categories, authors: p.authors, day: `2025-01-${String(1 + (Number(p.id.slice(5)) % 28)).padStart(2, '0')}` }]));
  const f = path.join(dir, 'features.pbidx');
  await writeForYouFeaturesFile(f, { features: index.parts(), papers: meta, through: { day: '2025-01-28', items: 1 }, indexDays: 180 });
  return f;
}

/**
 * Bytes of heap that loading the file as the service does (read, then the index) keeps, per paper:
 * `LOADS` loads kept at once, so the test runner's own garbage (a few hundred kB either way) is small
 * beside what a load of one object per paper keeps.
 */
const LOADS = 3;
async function keptPerPaper(f: string): Promise<number> {
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  const kept = [];
  for (let i = 0; i < LOADS; i++) {
    const snap = await readForYouFeaturesFile(f);
    kept.push({ index: await FeatureIndex.fromParts(snap.features), papers: snap.papers });
  }
  gc();
  const bytes = v8.getHeapStatistics().used_heap_size - before;
  for (const k of kept) {
    assert.equal(k.index.size, N);
    assert.equal(k.papers.size, N);
  }
  return bytes / N / LOADS;
}

test('papers of a loaded For-you file with the same categories share one list of them', async () => {
  const { papers } = await readForYouFeaturesFile(await file());
  // Papers 0 and 416 have the same two categories (cs.A, stat.A), written as two lists.
  const a = papers.get('2501.00000')!.categories;
  const b = papers.get('2501.00416')!.categories;
  assert.deepEqual(a, ['cs.A', 'stat.A']);
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a), 'a shared list cannot be changed through one paper');
});

test('a loaded For-you features file keeps under 30 bytes of heap per paper (no object, string or Map entry per paper)', async () => {
  const f = await file();
  // The least of three tries: a collection of the test runner's own garbage can land in one.
  const tries: number[] = [];
  for (let i = 0; i < 3; i++) tries.push(await keptPerPaper(f));
  const least = Math.min(...tries);
  assert.ok(least < 30, `kept ${tries.map((b) => b.toFixed(0)).join(' / ')} bytes per paper`);
});
