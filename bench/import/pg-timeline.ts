/**
 * A first PostgreSQL import's timeline: when the parse pool was ready, when each parsed batch
 * reached the writer and how long its transaction took, when the writer waited, and the set-aside
 * indexes' rebuild at the end; then the CPU of every thread of this process (from
 * /proc/self/task, by thread name) and of the server processes serving the database (from
 * /proc/<pid>), so the wall time can be split into client CPU, server CPU and waiting. The
 * database should be empty (a first import); it is left filled.
 *
 *   npx tsx bench/import/pg-timeline.ts postgres://postgres@127.0.0.1:5432/<db> ../shared/data/arxiv-listings
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { Importer, emptySummary, importInputs } from '../../src/ingest/importer.ts';
import { PaperRepository } from '../../src/store/papers.ts';
import { openStore } from '../../src/store/index.ts';

const [url, corpus] = process.argv.slice(2);
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dbname = new URL(url).pathname.slice(1);
const ticks = (stat: string) => {
  const f = stat.split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** CPU seconds by server process id (every backend on the database, parallel workers included while they live). */
const server = new Map<number, number>();
const sampleServer = async () => {
  const r = await admin.query(`select pid from pg_stat_activity where (datname = $1 or backend_type = 'parallel worker') and pid <> pg_backend_pid()`, [dbname]);
  for (const { pid } of r.rows) {
    try {
      server.set(pid, Math.max(server.get(pid) ?? 0, ticks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))));
    } catch {}
  }
};
const threads = () => {
  const out: Record<string, number> = {};
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      const name = fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim();
      out[`${name}#${t}`] = ticks(fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8'));
    } catch {}
  }
  return out;
};

const t0 = performance.now();
const at = () => +((performance.now() - t0) / 1000).toFixed(3);
const events: [number, string][] = [];
const mark = (what: string) => events.push([at(), what]);

const imp = Importer.prototype as any;
const workerBatches = imp.workerBatches;
imp.workerBatches = function (this: { pool: unknown }, ...a: unknown[]) {
  const had = this.pool;
  const r = workerBatches.apply(this, a);
  if (!had) mark('parse pool created');
  return r;
};
const write = imp.write;
let lastEnd = 0;
let waited = 0;
imp.write = async function (this: unknown, ...a: unknown[]) {
  const s = at();
  waited += s - lastEnd;
  mark(`batch ready (writer waited ${(s - lastEnd).toFixed(3)} s)`);
  await write.apply(this, a);
  lastEnd = at();
  mark(`batch written in ${(lastEnd - s).toFixed(3)} s`);
};
const proto = PaperRepository.prototype as any;
for (const m of ['setIndexesAsideForFirstImport', 'restoreSetAsideIndexes']) {
  const f = proto[m];
  proto[m] = async function (this: unknown, ...a: unknown[]) {
    mark(`${m} start`);
    try {
      return await f.apply(this, a);
    } finally {
      mark(`${m} end`);
    }
  };
}

const opened = await openStore(url);
const importer = new Importer(opened.store, { workers: Number(process.env.WORKERS ?? 2) });
const threads0 = threads();
await sampleServer();
const server0 = new Map(server);
const timer = setInterval(() => void sampleServer(), 100);
const c0 = process.cpuUsage();
const start = performance.now();
lastEnd = at();
mark('import start');
await importer.importFiles(importInputs(corpus), {}, emptySummary());
mark('import end');
const wall = (performance.now() - start) / 1000;
const c = process.cpuUsage(c0);
clearInterval(timer);
await sampleServer();
const threads1 = threads();
await importer.close();
// Node names no thread but its libuv pool: the main thread is the one whose id is the process's,
// the parse worker the busiest of the rest, and the rest V8's helpers and libuv's pool.
const perThread: Record<string, number> = { main: 0, busiestOther: 0, restOther: 0 };
const others: number[] = [];
for (const [k, v] of Object.entries(threads1)) {
  const d = v - (threads0[k] ?? 0);
  if (k.endsWith(`#${process.pid}`)) perThread.main = +d.toFixed(2);
  else others.push(d);
}
others.sort((a, b) => b - a);
perThread.busiestOther = +(others[0] ?? 0).toFixed(2);
perThread.restOther = +others.slice(1).reduce((a, b) => a + b, 0).toFixed(2);
let serverCpu = 0;
for (const [pid, s] of server) serverCpu += s - (server0.get(pid) ?? 0);
const writes = events.filter(([, e]) => e.startsWith('batch written')).map(([, e]) => Number(e.split(' ')[3]));
console.log(events.map(([t, e]) => `${t.toFixed(3).padStart(7)}  ${e}`).join('\n'));
console.log(
  JSON.stringify({
    load: os.loadavg()[0],
    wall: +wall.toFixed(3),
    clientCpu: +((c.user + c.system) / 1e6).toFixed(2),
    perThread,
    serverCpu: +serverCpu.toFixed(2),
    writerWaited: +waited.toFixed(3),
    writing: +writes.reduce((a, b) => a + b, 0).toFixed(3),
    firstBatch: +((events.find(([, e]) => e.startsWith('batch ready'))?.[0] ?? 0) - (events.find(([, e]) => e === 'import start')?.[0] ?? 0)).toFixed(3),
    rebuild: +(events.filter(([, e]) => e.startsWith('restoreSetAsideIndexes'))
      .slice(-2)
      .reduce((a, [t], i) => (i ? t - a : t), 0)).toFixed(3),
  }),
);
await opened.close();
await admin.end();
