import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { spawnScript } from '../helpers/cli.ts';
import { makePaper } from '../helpers/papers.ts';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { sideFileOf } from '../../src/store/full-text-side-build.ts';

/**
 * A first import killed (SIGKILL: no `finally`) while its full-text index is being written beside
 * it leaves the store's own index empty and its high-water mark at 0, and a scratch file beside the
 * store. The next import's side build replaces that file, indexes every paper the store holds, and
 * its index is taken: each paper found once.
 */
const N = 4000;
let store: TestStore;
const filler = (i: number) => Array.from({ length: 200 }, (_, j) => `tally${(i * 31 + j * 7) % 20_000}`).join(' ');
const paper = (i: number) => makePaper({ id: `2407.${String(i).padStart(5, '0')}`, title: `Kestrel survey ${i}`, abstract: `${i === N - 5 ? 'Osprey fishing dives.' : 'Counts by season.'} ${filler(i)}` });

before(async () => {
  store = await createTestStore('sqlite');
});
after(async () => {
  await store?.close();
});

// The import's writes and the side build, in another process, killed once the side build has written.
const CHILD = `
import { openStore } from './src/store/index.ts';
import { makePaper } from './tests/helpers/papers.ts';
const opened = await openStore(process.argv[1]);
const build = await opened.store.search.startFullTextSideBuild();
if (!build) throw new Error('no side build');
const filler = (i) => Array.from({ length: 200 }, (_, j) => 'tally' + ((i * 31 + j * 7) % 20000)).join(' ');
for (let i = 0; i < ${N / 2}; i += 500) {
  await opened.store.papers.upsertMany(Array.from({ length: 500 }, (_, k) => makePaper({ id: '2407.' + String(i + k).padStart(5, '0'), title: 'Kestrel survey ' + (i + k), abstract: 'Counts by season. ' + filler(i + k) })));
}
process.stdout.write('written\\n');
await new Promise(() => {});
`;

test('a first import killed while its full-text index is written beside it: the next one indexes every paper once', async () => {
  const file = store.location!;
  const { child, output, exited } = spawnScript(CHILD, [file]);
  const side = sideFileOf(file);
  let last = '';
  const sideCount = () => {
    try {
      const db = new Database(side, { readonly: true });
      try {
        return Number((db.prepare('select count(*) as n from papers_fts_docsize').get() as { n: number }).n);
      } finally {
        db.close();
      }
    } catch (e) {
      last = (e as Error).message;
      return 0;
    }
  };
  const end = Date.now() + 90_000;
  while (!(output().includes('written') && sideCount() > 0)) {
    if (Date.now() > end || output().includes('Error')) assert.fail(`the child did not write papers and a side index within 90 s: ${output()} ${last}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(fs.existsSync(side), 'the killed import left its scratch file');
  const watch = new Database(file, { readonly: true });
  assert.equal(Number((watch.prepare('select indexed_rowid as r from search_state').get() as { r: number }).r), 0, 'nothing marked indexed');
  assert.equal((watch.prepare(`select count(*) as n from papers_fts where papers_fts match 'kestrel'`).get() as { n: number }).n, 0, "the store's index is empty");
  watch.close();

  // The next import: the rest of the papers, its index written beside it again.
  const build = await store.store.search.startFullTextSideBuild();
  assert.ok(build, 'the index is still empty: a side build again');
  for (let i = N / 2; i < N; i += 500) await store.store.papers.upsertMany(Array.from({ length: 500 }, (_, k) => paper(i + k)));
  const r = await build.finish();
  assert.deepEqual({ ...r, moveMs: 0 }, { adopted: true, upTo: N, indexed: N, moveMs: 0 });
  assert.deepEqual(await store.store.search.drainFullTextQueue(), []);
  const db = new Database(file, { readonly: true });
  const match = (q: string) => (db.prepare('select rowid from papers_fts where papers_fts match ?').all(q) as unknown[]).length;
  assert.equal(match('kestrel'), N, 'every paper once: none lost, none twice');
  assert.equal(match('osprey'), 1);
  db.close();
  assert.ok(!fs.existsSync(side));
});
