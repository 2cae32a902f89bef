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
import { SearchService } from '../../src/services/search.ts';
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

function bare(mode: 'plain' | 'fts-trigger' | 'queue-trigger'): number {
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
  const ins = db.prepare('insert or replace into papers values (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) ins.run(r.id, r.title, r.abstract, JSON.stringify(r.authors), JSON.stringify(r.categories));
  })();
  const s = (performance.now() - t) / 1000;
  db.close();
  return s;
}

async function paperboy(): Promise<{ importS: number; catchUpS: number; indexed: number }> {
  const opened = await openStore(path.join(tmp, 'paperboy.db'));
  const importer = new Importer(opened.store);
  let t = performance.now();
  for (const f of files) await importer.importFile(f);
  const importS = (performance.now() - t) / 1000;
  const search = new SearchService(opened.store, { engine: new StoreKeywordEngine(opened.store), embedder: async () => null });
  t = performance.now();
  const { fullText } = await search.catchUp();
  const catchUpS = (performance.now() - t) / 1000;
  await opened.close();
  return { importS, catchUpS, indexed: fullText };
}

const n = rows.length;
const rate = (s: number) => Math.round(n / s);
const base = bare('plain');
const fts = bare('fts-trigger');
const queue = bare('queue-trigger');
const pb = await paperboy();
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${n} papers from ${files.length} files`);
console.log('| what | papers/s | vs bare insert |');
console.log('|---|---:|---:|');
console.log(`| bare better-sqlite3 insert (baseline) | ${rate(base)} | 1.00× |`);
const ratio = (s: number) => `${(base / s).toFixed(2)}×`;
console.log(`| bare insert + FTS5 trigger (index inside the import) | ${rate(fts)} | ${ratio(fts)} |`);
console.log(`| bare insert + queue trigger (Paperboy) | ${rate(queue)} | ${ratio(queue)} |`);
console.log(`| Paperboy importer (queue trigger) | ${rate(pb.importS)} | ${ratio(pb.importS)} |`);
console.log(`| search catch-up after the import (${pb.indexed} papers into FTS5) | ${rate(pb.catchUpS)} | — |`);
