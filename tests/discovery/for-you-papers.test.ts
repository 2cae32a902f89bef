import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FeatureIndex } from '../../src/discovery/feature-index.ts';
import { FOR_YOU_FEATURES_FORMAT, FOR_YOU_FEATURES_KIND, readForYouFeaturesFile, writeForYouFeaturesFile } from '../../src/discovery/for-you-features-file.ts';
import { ForYouPapers, NAMES_PER_SLICE, type ForYouPaper, type PaperColumns } from '../../src/discovery/for-you-papers.ts';
import { IndexFileError, readIndexFile, writeIndexFile, type Section } from '../../src/search/index-file.ts';
import { StringTable } from '../../src/search/string-table.ts';

/**
 * A loaded For-you file's papers stay in the file's columns (`ForYouPapers`, issue 19 start-up):
 * they must answer exactly as the `Map` of paper objects they replace — the same papers, in the same
 * order, through every change the service makes after the load (the delta replacing a loaded paper
 * in place, new papers after the loaded ones) — so For you ranks as before; and a file whose columns
 * do not fit together is refused, as one whose decoding failed was.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-foryou-papers-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const CATS = ['cs.LG', 'astro-ph.CO', 'q-bio.BM', 'cs.CV'];

function corpus(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `2501.${String(i).padStart(5, '0')}`,
    title: i === 4 ? 'Two lines\nof title, naïve' : `Paper ${i} on ${CATS[i % 4]}`,
    abstract: `words of paper ${i % 17} about ${CATS[i % 3]}`,
    categories: i % 9 === 0 ? [] : i % 5 === 0 ? [CATS[i % 4], CATS[(i + 1) % 4]] : [CATS[i % 4]],
    authors: i % 11 === 0 ? [] : [`Author ${i % 13}`, i === 7 ? 'Zoë\nNewline' : `Second ${i % 5}`],
    day: `2025-0${1 + (i % 6)}-1${i % 10}`,
  }));
}

/**
 * A file whose papers are listed in another order than the vectors (reversed) and with one vector
 * without a paper, and the Map it was written from.
 */
async function loaded(n = 120): Promise<{ file: string; papers: ForYouPapers; map: Map<string, ForYouPaper> }> {
  const ps = corpus(n);
  const index = await FeatureIndex.buildAsync(ps);
  const map = new Map<string, ForYouPaper>();
  for (const p of [...ps].reverse().slice(1)) map.set(p.id, { title: p.title, categories: p.categories, authors: p.authors, day: p.day });
  const file = path.join(dir, `papers-${n}-${Math.random().toString(36).slice(2, 8)}.pbidx`);
  await writeForYouFeaturesFile(file, { features: index.parts(), papers: map, through: { day: '2025-06-19', items: 1 }, indexDays: 180 });
  return { file, papers: (await readForYouFeaturesFile(file)).papers, map };
}

async function sameAsMap(papers: ForYouPapers, map: Map<string, ForYouPaper>, probes: string[]): Promise<void> {
  assert.equal(papers.size, map.size);
  assert.deepEqual([...papers], [...map]);
  assert.deepEqual([...papers.keys()], [...map.keys()]);
  assert.deepEqual([...papers.values()], [...map.values()]);
  assert.deepEqual([...papers.days()], [...map].map(([id, m]) => [id, m.day]));
  for (const id of [...map.keys(), ...probes]) {
    assert.equal(papers.has(id), map.has(id), id);
    assert.deepEqual(papers.get(id), map.get(id), id);
    assert.equal(papers.title(id), map.get(id)?.title, id);
    assert.equal(papers.day(id), map.get(id)?.day, id);
  }
  // As the service filtered the Map's entries before (`papersFor`), and counted categories (`popularCategories`).
  const byDay = (es: [string, ForYouPaper][]) => es.map(([id, m]) => [id, m.day]);
  for (const v of ['cs.lg', 'CS.CV', 'astro-ph.co', 'cs.IR', 'nope']) assert.deepEqual(await papers.matching('category', v), byDay([...map].filter(([, m]) => m.categories.some((c) => c.toLowerCase() === v.toLowerCase()))), v);
  for (const v of ['author 3', 'Second 2', 'zoë\nnewline', 'Late Author', 'nobody']) assert.deepEqual(await papers.matching('author', v), byDay([...map].filter(([, m]) => m.authors.some((a) => a.toLowerCase() === v.toLowerCase()))), v);
  // As the service split them by feed day (`partition`): the window's papers, and the older ones with a vector.
  const hasVector = (id: string) => !id.startsWith('2502.');
  for (const [from, to] of [['2025-02-10', '2025-03-19'], ['2025-01-01', '2025-12-31'], ['2025-06-15', '2025-07-04']]) {
    assert.deepEqual(papers.splitByDay(from, to, hasVector), {
      candidates: [...map].filter(([, m]) => m.day >= from && m.day <= to).map(([id]) => id),
      older: [...map].filter(([id, m]) => m.day < from && hasVector(id)).map(([id]) => id),
    }, `${from}..${to}`);
  }
  const counts = new Map<string, number>();
  for (const m of map.values()) for (const c of m.categories) counts.set(c, (counts.get(c) ?? 0) + 1);
  assert.deepEqual([...papers.categoryCounts()], [...counts]);
}

test('a loaded file\'s papers answer as the Map they were written from: papers, order, look-ups, matches, counts, split by day', async () => {
  const { papers, map } = await loaded();
  // 2501.00000 has a vector but no paper (the first of the reversed list was left out).
  await sameAsMap(papers, map, ['2501.00000', '2599.99999', '']);
});

test('set after the load: a loaded paper is replaced in its place, a new one goes after the loaded ones, as Map.set', async () => {
  const { papers, map } = await loaded();
  const late = (i: number): ForYouPaper => ({ title: `Late ${i}`, categories: i % 2 ? ['cs.IR'] : ['CS.LG'], authors: ['Late Author', `Author ${i}`], day: `2025-07-0${i}` });
  const changes: [string, ForYouPaper][] = [
    ['2501.00050', late(1)], // loaded: replaced in place, its day and lists new
    ['2502.00001', late(2)], // new
    ['2501.00000', late(3)], // has a vector, no paper in the file: new
    ['2502.00001', late(4)], // new, set again: keeps its place after the loaded ones
    ['2501.00003', late(5)],
    ['2502.00002', late(6)],
    ['2502.00003', { ...late(7), day: '2025-01-01' }], // new, older than every window, without a vector
  ];
  for (const [id, p] of changes) {
    assert.equal(papers.set(id, p), papers);
    map.set(id, p);
  }
  await sameAsMap(papers, map, ['2599.99999']);
  // And a copy (as `ForYouPapers.from` makes of a Map, and the publisher of the papers) is the same again.
  assert.deepEqual([...ForYouPapers.from(papers)], [...map]);
  assert.deepEqual([...ForYouPapers.from(map)], [...map]);
});

/** 14,000 papers of three authors each: 42,000 distinct names (at 2.5M papers, millions). Written once. */
const NAMES_PAPERS = 14_000;
let namesFile: Promise<string> | undefined;
function manyNamesFile(): Promise<string> {
  namesFile ??= (async () => {
    const ps = Array.from({ length: NAMES_PAPERS }, (_, i) => ({ id: `2501.${String(i).padStart(5, '0')}`, title: `t ${i % 7}`, abstract: `graph ${i % 5}`, categories: ['cs.LG'], authors: [`A ${i}`, `B ${i}`, `C ${i}`] }));
    const index = await FeatureIndex.buildAsync(ps);
    const file = path.join(dir, 'names.pbidx');
    const map = new Map(ps.map((p, i) => [p.id, { title: p.title, categories: p.categories, authors: p.authors, day: `2025-01-${String(1 + (i % 28)).padStart(2, '0')}` }]));
    await writeForYouFeaturesFile(file, { features: index.parts(), papers: map, through: { day: '2025-01-28', items: 1 }, indexDays: 180 });
    return file;
  })();
  return namesFile;
}

/** `work`'s result, and how many turns the event loop took while it ran. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const result = await work();
  done = true;
  return { result, turns };
}

test('the first author match decodes the author names a slice at a time, handing the event loop back between slices', async () => {
  const { papers } = await readForYouFeaturesFile(await manyNamesFile());
  const n = NAMES_PAPERS;
  const { result: found, turns } = await turnsDuring(() => papers.matching('author', 'b 777'));
  assert.deepEqual(found, [['2501.00777', '2025-01-22']]);
  assert.ok(turns >= Math.floor((3 * n) / NAMES_PER_SLICE), `the event loop turned ${turns} times while ${3 * n} names were decoded`);
  // Decoded once: the next match (and a paper's authors) use the same names.
  assert.deepEqual(await papers.matching('author', 'C 13999'), [['2501.13999', '2025-01-28']]);
  assert.deepEqual(papers.get('2501.00005')?.authors, ['A 5', 'B 5', 'C 5']);
});

test('papers with the same categories share one frozen list of them', async () => {
  const { papers } = await loaded();
  const a = papers.get('2501.00001')!.categories;
  const b = papers.get('2501.00013')!.categories;
  assert.deepEqual(a, ['astro-ph.CO']);
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
});

/** The columns of a written file, as the reader opens them, for damaging one at a time. */
async function columnsOf(file: string): Promise<PaperColumns> {
  const f = await readIndexFile(file, { kind: FOR_YOU_FEATURES_KIND, format: FOR_YOU_FEATURES_FORMAT, tables: ['ids'] });
  const s = f.sections as Record<string, never>;
  const texts = (bytes: Uint8Array, ends: Uint32Array) => Array.from(ends, (e, i) => Buffer.from(bytes).toString('utf8', i ? ends[i - 1] : 0, e));
  const copy = <T extends Uint32Array | Uint8Array>(a: T): T => a.slice() as T;
  return {
    ids: s.ids as StringTable,
    rows: copy(s.paperRows),
    titleBytes: s.titleBytes,
    titleEnds: copy(s.titleEnds),
    dayNames: s.dayNames,
    dayIds: copy(s.dayIds),
    catNames: texts(s.catNameBytes, s.catNameEnds),
    catEnds: copy(s.catEnds),
    catIds: copy(s.catIds),
    authorNameBytes: s.authorNameBytes,
    authorNameEnds: copy(s.authorNameEnds),
    authorEnds: copy(s.authorEnds),
    authorIds: copy(s.authorIds),
  };
}

test('columns that do not fit together are refused when opened: an offset out of order or bounds, a code out of its dictionary, a paper without a vector or listed twice', async () => {
  const { file } = await loaded(60);
  await ForYouPapers.open(await columnsOf(file));
  const damages: [string, (c: PaperColumns) => void, RegExp][] = [
    ['a title ending before the previous one', (c) => (c.titleEnds[5] = c.titleEnds[4] - 1), /out of order/],
    ['titles past their bytes', (c) => (c.titleEnds[c.titleEnds.length - 1] = c.titleBytes.length + 1), /out of bounds/],
    ['an author list past the codes', (c) => (c.authorEnds[c.authorEnds.length - 1] += 1), /out of bounds/],
    ['category codes after the last list', (c) => (c.catIds = Uint32Array.of(...c.catIds, 0)), /out of bounds/],
    ['an author name past its bytes', (c) => (c.authorNameEnds[c.authorNameEnds.length - 1] = c.authorNameBytes.length + 3), /out of bounds/],
    ['a day code past the days', (c) => (c.dayIds[3] = c.dayNames.length), /out of its dictionary/],
    ['a category code past the names', (c) => (c.catIds[2] = c.catNames.length), /out of its dictionary/],
    ['an author code past the names', (c) => (c.authorIds[1] = c.authorNameEnds.length + 5), /out of its dictionary/],
    ['a paper without a vector', (c) => (c.rows[7] = c.ids.size), /without a vector/],
    ['two papers on one vector', (c) => (c.rows[7] = c.rows[8]), /listed twice/],
    ['a section of another length', (c) => (c.dayIds = c.dayIds.subarray(1)), /disagree/],
  ];
  for (const [what, damage, message] of damages) {
    const c = await columnsOf(file);
    damage(c);
    await assert.rejects(ForYouPapers.open(c), message, what);
  }
});

test('opening a file checks its columns a slice at a time, handing the event loop back between slices', async () => {
  const c = await columnsOf(await manyNamesFile());
  // With slices of 0 ms every pause goes: two in the author names' offsets (42,000), two in the author codes.
  const { result: papers, turns } = await turnsDuring(() => ForYouPapers.open(c, 0));
  assert.equal(papers.size, NAMES_PAPERS);
  const pauses = 2 * Math.floor((3 * NAMES_PAPERS) / 16_384);
  assert.ok(turns >= pauses, `the event loop turned ${turns} times while the columns were checked (${pauses} pauses)`);
});

test('a hand-made file whose checksum holds but whose papers do not fit is refused (never served), as a header problem', async () => {
  const { file } = await loaded(60);
  const f = await readIndexFile(file, { kind: FOR_YOU_FEATURES_KIND, format: FOR_YOU_FEATURES_FORMAT });
  const sections = { ...f.sections } as Record<string, Section>;
  const rows = (sections.paperRows as Uint32Array).slice();
  rows[3] = rows[4];
  sections.paperRows = rows;
  const bad = path.join(dir, 'hand-made.pbidx');
  await writeIndexFile(bad, { kind: f.kind, format: f.format, meta: f.meta, sections });
  await assert.rejects(readForYouFeaturesFile(bad), (err) => err instanceof IndexFileError && err.problem === 'header' && /listed twice/.test(err.message));
});
