/**
 * One phase of the import benchmark, run in its own process so each phase's peak memory is its
 * own. Prints one JSON line: {phase, papers, seconds, peakRssMb, summary?}.
 *
 *   baseline <corpus> <sqlite-file>   bare better-sqlite3 insert of the same parsed rows, one transaction
 *   schema <corpus> <sqlite-file>     the same rows inserted bare into Paperboy's own schema (papers with its
 *                                     indexes and search-queue trigger, feed_entries), one transaction
 *   import <corpus> <location>        `paperboy import` code path (Importer, 2 parse workers) into SQLite or PostgreSQL
 */
import fs from 'node:fs';
import readline from 'node:readline';
import SQLite from 'better-sqlite3';
import { Importer, emptySummary, importInputs } from '../../src/ingest/importer.ts';
import { listingFormat } from '../../src/ingest/formats/listing.ts';
import { paperToRow } from '../../src/store/mappers.ts';
import { openStore } from '../../src/store/index.ts';
import { peakRssMb } from '../lib/report.ts';

const [phase, corpus, location] = process.argv.slice(2);
/** CPU seconds of every thread of this process (parse workers included) since `since`. */
const cpuOf = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
const files = importInputs(corpus);

/**
 * The parsed rows, in chunks of 100,000 (the real corpus is one chunk; a synthetic 2.5M corpus does
 * not fit in memory parsed at once). Only the inserts are timed, never the parsing.
 */
async function* parsedRows() {
  let rows = [];
  const now = new Date().toISOString();
  for (const file of files) {
    const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line.trim()) continue;
      const { paper, feedDay } = listingFormat.parse(JSON.parse(line), { source: 'local' });
      rows.push({ row: paperToRow(paper, now), day: feedDay });
      if (rows.length === 100_000) {
        yield rows;
        rows = [];
      }
    }
  }
  if (rows.length) yield rows;
}

if (phase === 'baseline' || phase === 'schema') {
  if (phase === 'schema') await (await openStore(location)).close();
  const db = new SQLite(location);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const feed = phase === 'schema' ? db.prepare('insert into feed_entries (paper_id, day, position, created_at) values (?, ?, ?, ?)') : null;
  let insert: SQLite.Statement | null = null;
  let seconds = 0;
  let cpuSeconds = 0;
  let papers = 0;
  let position = 0;
  // One transaction over every chunk, as before; the clock runs only while rows are inserted.
  db.exec('begin');
  for await (const rows of parsedRows()) {
    if (!insert) {
      const cols = Object.keys(rows[0].row);
      if (phase === 'baseline') db.exec(`create table papers (${cols.map((c) => (c === 'id' ? 'id text primary key' : `${c}`)).join(', ')})`);
      insert = db.prepare(`insert or replace into papers (${cols.join(', ')}) values (${cols.map((c) => '@' + c).join(', ')})`);
    }
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (const r of rows) {
      insert.run(r.row);
      if (feed && r.day) feed.run(r.row.id, r.day, ++position, r.row.created_at);
    }
    seconds += (performance.now() - start) / 1000;
    cpuSeconds += cpuOf(cpu);
    papers += rows.length;
  }
  const start = performance.now();
  const cpu = process.cpuUsage();
  db.exec('commit');
  seconds += (performance.now() - start) / 1000;
  cpuSeconds += cpuOf(cpu);
  db.close();
  console.log(JSON.stringify({ phase, papers, seconds, cpuSeconds, peakRssMb: peakRssMb() }));
} else if (phase === 'import') {
  const opened = await openStore(location);
  const importer = new Importer(opened.store, { workers: Number(process.env.WORKERS ?? 2) });
  const summary = emptySummary();
  const start = performance.now();
  const cpu = process.cpuUsage();
  await importer.importFiles(files, {}, summary);
  await importer.close();
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuOf(cpu);
  await opened.close();
  const { errors: _e, ...counts } = summary;
  console.log(JSON.stringify({ phase, papers: summary.read, seconds, cpuSeconds, peakRssMb: peakRssMb(), summary: counts }));
} else {
  console.error(`unknown phase ${phase}`);
  process.exit(2);
}
