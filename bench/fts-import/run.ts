import fs from 'node:fs';
import { sql } from 'kysely';
import SQLite from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { Importer } from '../../src/ingest/importer.ts';
const files = process.argv.slice(3);
const mode = process.argv[2];
const f = `/tmp/paperboy-fts-import-${mode}-${process.pid}.db`;
if (mode.startsWith('bare')) {
  const db = new SQLite(f); db.pragma('journal_mode=WAL'); db.pragma('synchronous=NORMAL');
  db.exec('create table papers(id text primary key, title text, abstract text, authors text, categories text)');
  if (mode === 'bare-queue') {
    db.exec(`create table search_pending(paper_rowid integer primary key)`);
    db.exec(`create trigger papers_pending_insert after insert on papers begin insert or ignore into search_pending(paper_rowid) values (new.rowid); end`);
  }
  if (mode === 'bare-fts') {
    db.exec(`create virtual table papers_fts using fts5(title, abstract, authors, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`);
    db.exec(`create trigger papers_fts_insert after insert on papers begin insert into papers_fts(rowid, title, abstract, authors) values (new.rowid, new.title, new.abstract, new.authors); end`);
  }
  const rows = files.flatMap((x) => fs.readFileSync(x, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  const t = performance.now();
  const ins = db.prepare('insert into papers values (?,?,?,?,?)');
  db.transaction(() => { for (const r of rows) ins.run(r.id, r.title, r.abstract, JSON.stringify(r.authors), JSON.stringify(r.categories)); })();
  console.log(mode, rows.length, (rows.length / ((performance.now() - t) / 1000)).toFixed(0), 'papers/s');
} else {
  const o = await openStore(f);
  if (mode === 'notrigger') for (const t of ['papers_fts_insert', 'papers_fts_update', 'papers_fts_delete']) await sql`drop trigger ${sql.raw(t)}`.execute(o.store.db);
  const imp = new Importer(o.store);
  const t = performance.now();
  let n = 0;
  for (const x of files) n += (await imp.importFile(x)).read;
  console.log(mode, n, (n / ((performance.now() - t) / 1000)).toFixed(0), 'papers/s');
  await o.close();
}
for (const s of ['', '-wal', '-shm']) fs.rmSync(f + s, { force: true });
