import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { spawnScript } from '../helpers/cli.ts';
import { makePaper } from '../helpers/papers.ts';
import { createTestStore, type TestStore } from '../helpers/stores.ts';

/**
 * A first import's full-text catch-up killed part-way (SIGKILL: no `finally`, no rollback of the
 * batches already committed) leaves a SQLite store that catches up: the next catch-up — here a
 * small one, below the bulk threshold — indexes every paper the killed one had not, finds the
 * ones it had, and puts FTS5's default merge setting back (the killed bulk load left its own).
 */
const N = 6000;
const BATCH = 100;
let store: TestStore;
// Some hundreds of distinct words a paper, so the catch-up takes seconds, not a few hundred
// milliseconds that a loaded machine could let pass between two looks.
const filler = (i: number) => Array.from({ length: 300 }, (_, j) => `tally${(i * 31 + j * 7) % 20_000}`).join(' ');

before(async () => {
  store = await createTestStore('sqlite');
  const papers = Array.from({ length: N }, (_, i) =>
    makePaper({ id: `2405.${String(i).padStart(5, '0')}`, title: `Kestrel survey ${i}`, abstract: `${i === 5 ? 'Marsh harrier nests.' : i === N - 5 ? 'Osprey fishing dives.' : 'Counts by season.'} ${filler(i)}` }),
  );
  for (let i = 0; i < N; i += 1000) await store.store.papers.upsertMany(papers.slice(i, i + 1000));
});
after(async () => {
  await store?.close();
});

const CHILD = `
import { openStore } from './src/store/index.ts';
const opened = await openStore(process.argv[1]);
await opened.store.search.drainFullTextQueue(${BATCH}, { bulkFrom: 1000 });
process.stdout.write('finished\\n');
`;

test('a bulk catch-up killed part-way: the next catch-up indexes the rest and restores the merge setting', async () => {
  const file = store.location!;
  const { child, output, exited } = spawnScript(CHILD, [file]);
  const watch = new Database(file);
  watch.pragma('busy_timeout = 60000');
  const indexed = () => Number((watch.prepare('select indexed_rowid as r from search_state').get() as { r: number }).r);
  // Once the first batches are committed, take the write lock, so the catch-up cannot finish
  // while it is killed; then kill it.
  // Polled at every turn, not every 20 ms: on a loaded machine a 20 ms poll could miss the whole run.
  const end = Date.now() + 60_000;
  while (!(indexed() > 0)) {
    if (Date.now() > end) assert.fail(`no committed batch of the catch-up within 60 s: ${output()}`);
    await new Promise((r) => setImmediate(r));
  }
  watch.exec('begin immediate');
  child.kill('SIGKILL');
  await exited;
  watch.exec('rollback');
  const done = indexed();
  const left = (watch.prepare(`select v from papers_fts_config where k = 'automerge'`).get() as { v: number }).v;
  watch.close();
  assert.ok(!output().includes('finished'), `the catch-up was killed before its end: ${output()}`);
  assert.ok(done > 0 && done < N, `part of the papers indexed when killed (${done} of ${N})`);
  assert.equal(Number(left), 16, 'the killed bulk load left its merge setting');

  // The next catch-up: fewer papers left than the bulk threshold, so an ordinary one.
  const taken = await store.store.search.drainFullTextQueue();
  assert.equal(taken.length, N - done);
  assert.equal(await store.store.search.pendingFullText(), 0);
  const db = new Database(file, { readonly: true });
  const match = (q: string) => (db.prepare('select rowid from papers_fts where papers_fts match ?').all(q) as unknown[]).length;
  assert.equal(match('kestrel'), N, 'every paper once: none lost, none twice');
  assert.equal(match('"marsh harrier"'), 1);
  assert.equal(match('osprey'), 1);
  for (const table of ['papers_fts_config', 'papers_pdf_fts_config']) {
    const v = (db.prepare(`select v from ${table} where k = 'automerge'`).get() as { v: number }).v;
    assert.equal(Number(v), 4, `${table}: FTS5's default merge setting again`);
  }
  db.close();
});
