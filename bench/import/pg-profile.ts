/**
 * Where a PostgreSQL import's time goes: the importer's own CPU (every thread: the parse workers
 * and the writing thread) against the CPU of the server process(es) serving its connections
 * (read from /proc, so the server must run on this machine), with the wall time. CPU, not wall
 * time, is what to compare on a shared machine.
 *
 *   createdb sd_prof && npx tsx bench/import/pg-profile.ts postgres://postgres@127.0.0.1:5432/sd_prof ../shared/data/arxiv-listings
 *
 * The database should be empty (a first import); it is left filled.
 */
import fs from 'node:fs';
import pg from 'pg';
import { Importer, emptySummary, importInputs } from '../../src/ingest/importer.ts';
import { openStore } from '../../src/store/index.ts';
const url = process.argv[2];
const corpus = process.argv[3];
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dbname = new URL(url).pathname.slice(1);
const tick = 100; // clock ticks per second (getconf CLK_TCK)
const backendCpu = async () => {
  const r = await admin.query(`select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbname]);
  let s = 0;
  for (const { pid } of r.rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      s += (Number(f[11]) + Number(f[12])) / tick;
    } catch {}
  }
  return { s, n: r.rows.length };
};
const opened = await openStore(url);
const imp = new Importer(opened.store, { workers: 2 });
const summary = emptySummary();
const b0 = await backendCpu();
const c0 = process.cpuUsage();
const t0 = performance.now();
let peakBackend = b0;
const timer = setInterval(async () => { const b = await backendCpu(); if (b.s > peakBackend.s) peakBackend = b; }, 200);
await imp.importFiles(importInputs(corpus), {}, summary);
clearInterval(timer);
const b1 = await backendCpu();
const wall = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
await imp.close();
console.log(JSON.stringify({ wall, clientCpu: (c.user + c.system) / 1e6, backendCpu: Math.max(b1.s, peakBackend.s) - b0.s, backends: b1.n, inserted: summary.inserted, load: (await import('node:os')).loadavg()[0] }));
await opened.close();
await admin.end();
