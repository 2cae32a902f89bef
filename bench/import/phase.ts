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

async function parsedRows() {
  const rows = [];
  const now = new Date().toISOString();
  for (const file of files) {
    const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line.trim()) continue;
      const { paper, feedDay } = listingFormat.parse(JSON.parse(line), { source: 'local' });
      rows.push({ row: paperToRow(paper, now), day: feedDay });
    }
  }
  return rows;
}

if (phase === 'baseline' || phase === 'schema') {
  const rows = await parsedRows();
  const cols = Object.keys(rows[0].row);
  if (phase === 'schema') await (await openStore(location)).close();
  const db = new SQLite(location);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  if (phase === 'baseline') db.exec(`create table papers (${cols.map((c) => (c === 'id' ? 'id text primary key' : `${c}`)).join(', ')})`);
  const insert = db.prepare(`insert or replace into papers (${cols.join(', ')}) values (${cols.map((c) => '@' + c).join(', ')})`);
  const feed = phase === 'schema' ? db.prepare('insert into feed_entries (paper_id, day, position, created_at) values (?, ?, ?, ?)') : null;
  const start = performance.now();
  const cpu = process.cpuUsage();
  db.transaction(() => {
    let position = 0;
    for (const r of rows) {
      insert.run(r.row);
      if (feed && r.day) feed.run(r.row.id, r.day, ++position, r.row.created_at);
    }
  })();
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuOf(cpu);
  db.close();
  console.log(JSON.stringify({ phase, papers: rows.length, seconds, cpuSeconds, peakRssMb: peakRssMb() }));
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
