import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import { SIDE_ABORT, SIDE_ROWS_DONE, type SideBuildData, type SideBuildReply } from './full-text-side-build-protocol.ts';

/**
 * The thread of `startFullTextSideBuild`: writes the full-text index of the papers a first import
 * stores into a scratch database of its own while the import runs, then moves it into the store.
 *
 * Its connection's main database is the scratch file (no journal, no sync: it is thrown away if the
 * process dies) and the store is attached. Each batch is one `insert … select` from the store's
 * committed papers above the last rowid taken, so the text never crosses into JavaScript, and the
 * scratch file takes no lock the importer waits for (the store is only read, a snapshot per batch).
 */
const data = workerData as SideBuildData;
// better-sqlite3 from the main thread's node_modules: this script is bundled and run by `eval`.
const Database = createRequire(data.driver)(data.driver) as typeof SQLite;
const flag = new Int32Array(data.flag);

function reply(m: SideBuildReply): void {
  parentPort!.postMessage(m);
}

try {
  const db = new Database(data.sideFile);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // Writing the shadow tables of the store's FTS5 tables (the last step) is refused in defensive mode.
  db.unsafeMode(true);
  db.prepare('attach database ? as store').run(data.storeFile);
  db.pragma('store.busy_timeout = 30000');
  // The store's own definitions, so the tokenizer and options are the store's exactly.
  const ddl = (name: string) => {
    const sql = db.prepare(`select sql from store.sqlite_master where type = 'table' and name = ?`).pluck().get(name) as string | undefined;
    if (!sql) throw new Error(`the store has no ${name} table`);
    return sql;
  };
  for (const t of ['papers_fts', 'papers_pdf_fts']) {
    db.exec(ddl(t));
    // The bulk merge setting `drainFullTextQueue` uses for a first import (BENCHMARKS, round 18).
    db.exec(`insert into main.${t}(${t}, rank) values ('automerge', ${data.automerge})`);
  }

  // The last rowid of the next batch: rowids of committed rows only grow (the importer writes them
  // in order), so every row up to it is committed and none appears below it later.
  const upper = db.prepare('select rowid from store.papers where rowid > ? order by rowid limit 1 offset ?').pluck();
  const last = db.prepare('select max(rowid) from store.papers').pluck();
  const papers = db.prepare('insert into main.papers_fts(rowid, title, abstract, authors) select rowid, title, abstract, authors from store.papers where rowid > ? and rowid <= ?');
  const pdf = db.prepare('insert into main.papers_pdf_fts(rowid, text) select p.rowid, t.text from store.papers p join store.paper_pdf_text t on t.paper_id = p.id where p.rowid > ? and p.rowid <= ?');
  let upTo = 0;
  let indexed = 0;
  const batch = db.transaction((from: number, to: number) => {
    const n = papers.run(from, to).changes;
    pdf.run(from, to);
    return n;
  });
  for (;;) {
    // Read before the batch: a batch that starts after the importer said it was done sees every row.
    const state = Atomics.load(flag, 0);
    if (state === SIDE_ABORT) throw new Error('aborted');
    const to = (upper.get(upTo, data.batch - 1) as number | undefined) ?? (last.get() as number | null) ?? upTo;
    if (to > upTo) {
      indexed += batch(upTo, to);
      upTo = to;
      continue;
    }
    if (state === SIDE_ROWS_DONE) break;
    Atomics.wait(flag, 0, 0, 200);
  }

  // One transaction on the store: take the index only if the store's is still empty (no other
  // process indexed anything meanwhile), then start the high-water mark above what it holds. Papers
  // changed or deleted after their batch here were queued by the store's triggers: the next
  // catch-up re-indexes exactly those.
  const adopt = db.transaction((): boolean => {
    const mark = db.prepare('select indexed_rowid from store.search_state where id = 1').pluck().get() as number | undefined;
    const used = db.prepare('select exists (select 1 from store.papers_fts_docsize) or exists (select 1 from store.papers_pdf_fts_docsize)').pluck().get();
    const versions = db.prepare(`select (select v from store.papers_fts_config where k = 'version') is (select v from main.papers_fts_config where k = 'version')`).pluck().get();
    if (mark !== 0 || used || !versions) return false;
    for (const t of ['papers_fts', 'papers_pdf_fts']) {
      for (const part of ['data', 'idx', 'docsize']) {
        db.exec(`delete from store.${t}_${part}`);
        db.exec(`insert into store.${t}_${part} select * from main.${t}_${part}`);
      }
    }
    db.prepare('update store.search_state set indexed_rowid = ? where id = 1').run(upTo);
    return true;
  });
  const moving = performance.now();
  const adopted = adopt.immediate();
  const moveMs = performance.now() - moving;
  db.close();
  reply({ kind: 'done', adopted, upTo, indexed, moveMs });
} catch (err) {
  reply({ kind: 'failed', message: (err as Error).message });
}
