/**
 * What keeping a full-text index costs an import, on the real corpus:
 *   npx tsx bench/fts-import/run.ts ../shared/data/arxiv-listings [--files N]
 * Baseline (same run): a bare better-sqlite3 insert of the parsed rows in one transaction. Then the
 * same insert with an FTS5 trigger (tokenising inside the import) and with the queue trigger
 * Paperboy uses; then Paperboy's importer, and the catch-up that makes the imported papers searchable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { Importer, importInputs } from '../../src/ingest/importer.ts';
import { SearchIndexService } from '../../src/services/search-index.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  console.error('usage: npx tsx bench/fts-import/run.ts <corpus-dir> [--files N]');
  process.exit(2);
}
const nFiles = args.includes('--files') ? Number(args[args.indexOf('--files') + 1]) : Infinity;
const files = importInputs(dir).slice(0, nFiles);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-fts-import-'));
const rows = files.flatMap((f) =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; title: string; abstract: string; authors: string[]; categories: string[] }),
);

/** Wall seconds and CPU seconds (the machine is shared: CPU time is the steadier number). */
interface Timing {
  wall: number;
  cpu: number;
}
const cpuSince = (c: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1e6;
};

function bare(mode: 'plain' | 'fts-trigger' | 'queue-trigger'): Timing {
  const db = new SQLite(path.join(tmp, `bare-${mode}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table papers(id text primary key, title text, abstract text, authors text, categories text)');
  if (mode === 'fts-trigger') {
    db.exec(`create virtual table papers_fts using fts5(title, abstract, authors, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`);
    db.exec(`create trigger t after insert on papers begin insert into papers_fts(rowid, title, abstract, authors) values (new.rowid, new.title, new.abstract, new.authors); end`);
  }
  if (mode === 'queue-trigger') {
    db.exec('create table search_pending(paper_rowid integer primary key)');
    db.exec('create trigger t after insert on papers begin insert or ignore into search_pending(paper_rowid) values (new.rowid); end');
  }
  const t = performance.now();
  const c = process.cpuUsage();
  const ins = db.prepare('insert or replace into papers values (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) ins.run(r.id, r.title, r.abstract, JSON.stringify(r.authors), JSON.stringify(r.categories));
  })();
  const timing = { wall: (performance.now() - t) / 1000, cpu: cpuSince(c) };
  db.close();
  return timing;
}

async function paperboy(): Promise<{ importS: Timing; catchUpS: Timing; indexed: number }> {
  const opened = await openStore(path.join(tmp, 'paperboy.db'));
  const importer = new Importer(opened.store, { workers: 2 });
  let t = performance.now();
  let c = process.cpuUsage();
  await importer.importFiles(files);
  await importer.close();
  const importS = { wall: (performance.now() - t) / 1000, cpu: cpuSince(c) };
  const search = new SearchIndexService(opened.store, { engine: new StoreKeywordEngine(opened.store), embedder: async () => null });
  t = performance.now();
  c = process.cpuUsage();
  const { fullText } = await search.catchUp();
  const catchUpS = { wall: (performance.now() - t) / 1000, cpu: cpuSince(c) };
  await opened.close();
  return { importS, catchUpS, indexed: fullText };
}

const n = rows.length;
const base = bare('plain');
const fts = bare('fts-trigger');
const queue = bare('queue-trigger');
const pb = await paperboy();
fs.rmSync(tmp, { recursive: true, force: true });
const rate = (t: Timing) => Math.round(n / t.wall);
const ratio = (t: Timing) => `${(base.wall / t.wall).toFixed(2)}×`;
const cpuRatio = (t: Timing) => `${(base.cpu / t.cpu).toFixed(2)}×`;
console.log(`bench/fts-import: ${n} papers from ${files.length} files, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('| what | papers/s | vs bare insert | CPU s | CPU vs bare insert |');
console.log('|---|---:|---:|---:|---:|');
const row = (what: string, t: Timing, cmp = true) =>
  console.log(`| ${what} | ${rate(t)} | ${cmp ? ratio(t) : '—'} | ${t.cpu.toFixed(2)} | ${cmp ? cpuRatio(t) : '—'} |`);
row('bare better-sqlite3 insert (baseline)', base);
row('bare insert + FTS5 trigger (tokenised inside the import)', fts);
row('bare insert + queue trigger (what Paperboy does)', queue);
row('Paperboy importer, 2 parse workers (queue trigger)', pb.importS);
row(`search catch-up after the import (${pb.indexed} papers into FTS5)`, pb.catchUpS, false);
