/**
 * How the SQLite import's cost grows with the store: the corpus repeated with new ids up to N
 * papers (bench/lib/synthetic-corpus.ts, written once and not timed), imported through
 * `paperboy import`'s code path (Importer, 2 parse workers; shards of 100,000 papers), then the
 * full-text index (FTS5) caught up as bench/startup does. It prints each shard's import wall and
 * CPU seconds (all threads) and slowest batch, with the files' sizes and the load (a cost that
 * grows shard after shard is a superlinear one), then the catch-up's wall and CPU seconds.
 *
 *   node --max-old-space-size=4000 --import tsx bench/import/growth.ts <arxiv-listings dir> \
 *     --papers 1000000 [--db /tmp/growth.db] [--fts end|none] [--explain]
 *
 * `--explain` prints SQLite's query plans of the statements each import batch and catch-up
 * batch run. The same-run baseline, a bare better-sqlite3 insert of the same rows in one
 * transaction, is bench/import/run.ts `--papers N --phases baseline,sqlite1`.
 */
import fs from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Importer, importInputs } from '../../src/ingest/importer.ts';
import { openStore } from '../../src/store/index.ts';
import { syntheticListings } from '../lib/synthetic-corpus.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { papers: { type: 'string', default: '1000000' }, db: { type: 'string' }, fts: { type: 'string', default: 'end' }, explain: { type: 'boolean', default: false } },
});
const [corpusDir] = positionals;
const n = Number(values.papers);
if (!corpusDir || !(n >= 1) || !['end', 'none'].includes(values.fts!)) {
  console.error('usage: bench/import/growth.ts <arxiv-listings dir> [--papers N] [--db FILE] [--fts end|none] [--explain]');
  process.exit(2);
}
const dbFile = values.db ?? `/tmp/paperboy-growth-${n}.db`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const SHARD_LABEL = 'shard of 100,000 papers';
const mb = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size / 1e6 : 0);

let t = performance.now();
const dir = await syntheticListings(corpusDir, n);
console.log(`corpus of ${n} papers in ${dir} (${((performance.now() - t) / 1000).toFixed(1)} s to write or find; not timed below); load ${load()}`);

for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
const opened = await openStore(dbFile);
const { store } = opened;
const raw = opened.connection.sqlite!;
const storedPapers = () => Number((raw.prepare('select max(rowid) as n from papers').get() as { n: number | null }).n ?? 0);

// One import of every shard (the workers parse the next shard while this one is written), timed
// per shard as each one is done.
console.log(`import: papers stored, then per ${SHARD_LABEL}: wall s, CPU s (all threads), slowest batch, db + wal MB, load`);
console.log('| papers stored after | import s (wall) | import CPU s | slowest batch ms | db + wal MB | load 1/5/15 |');
console.log('|---|---|---|---|---|---|');
const importer = new Importer(store, { workers: 2 });
let slice = { wall: performance.now(), cpu: cpuNow(), slowest: 0, last: performance.now() };
const t0 = { wall: performance.now(), cpu: cpuNow() };
const summary = await importer.importFiles(
  importInputs(dir),
  {
    onProgress: () => {
      const now = performance.now();
      slice.slowest = Math.max(slice.slowest, now - slice.last);
      slice.last = now;
    },
  },
  undefined,
  () => {
    const now = performance.now();
    const cpu = cpuNow();
    console.log(`| ${storedPapers()} | ${((now - slice.wall) / 1000).toFixed(1)} | ${(cpu - slice.cpu).toFixed(1)} | ${slice.slowest.toFixed(0)} | ${(mb(dbFile) + mb(`${dbFile}-wal`)).toFixed(0)} | ${load()} |`);
    slice = { wall: now, cpu, slowest: 0, last: now };
  },
);
await importer.close();
const imported = { wall: (performance.now() - t0.wall) / 1000, cpu: cpuNow() - t0.cpu };
console.log(`import of ${summary.inserted} papers: ${imported.wall.toFixed(1)} s wall, ${imported.cpu.toFixed(1)} s CPU (${summary.failed} failed); load ${load()}`);

// The full-text catch-up, as bench/startup runs it after the import. Its progress cannot be read
// from here: on SQLite the driver is synchronous and its promises resolve as microtasks, so the
// whole catch-up runs without handing the event loop back (no timer fires until it is done).
if (values.fts !== 'none') {
  const w = performance.now();
  const c = cpuNow();
  const papers = (await store.search.drainFullTextQueue()).length;
  console.log(`FTS5 catch-up of ${papers} papers: ${((performance.now() - w) / 1000).toFixed(1)} s wall, ${(cpuNow() - c).toFixed(1)} s CPU; ${(mb(dbFile) + mb(`${dbFile}-wal`)).toFixed(0)} MB; load ${load()}`);
}

if (values.explain) {
  const plan = (label: string, q: string, ...args: unknown[]) =>
    console.log(`${label}: ${(raw.prepare(`explain query plan ${q}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' / ')}`);
  plan('version look-up', 'select content_hash, version from papers where id = ?', 'x');
  plan('on the feed already', 'select 1 from feed_entries where paper_id = ?', 'x');
  plan('next feed positions', "select day, max(position) as max from feed_entries where day in (?, ?) group by day", '2026-01-01', '2026-01-02');
  plan('fresh rowids', 'select rowid as r from papers where rowid > (select indexed_rowid from search_state) order by rowid limit 5000');
  plan('pending rowids', 'select paper_rowid as r from search_pending order by paper_rowid limit 5000');
  plan('FTS5 delete', 'delete from papers_fts where rowid in (1, 2, 3)');
  plan('FTS5 rows', 'select rowid, title, abstract, authors from papers where rowid in (1, 2, 3)');
  plan('PDF rows', 'select p.rowid, t.text from papers p join paper_pdf_text t on t.paper_id = p.id where p.rowid in (1, 2, 3)');
  console.log(`cache_size ${raw.pragma('cache_size', { simple: true })}, page_size ${raw.pragma('page_size', { simple: true })}, wal_autocheckpoint ${raw.pragma('wal_autocheckpoint', { simple: true })}`);
}
await opened.close();
