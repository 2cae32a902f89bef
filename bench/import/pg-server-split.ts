/**
 * Where a first PostgreSQL import's server CPU goes, statement by statement: the server processes'
 * CPU (from /proc/<pid>/schedstat, nanoseconds) is read before and after each of the import's
 * steps — the look-up of stored versions, the papers' COPY, the feed's next positions and COPY,
 * the rest of each batch transaction (begin, relaxCommit, commit) and the rebuild at the end —
 * and summed by step; beside it the client's CPU and the wall time of each step. The database
 * should be empty (a first import); it is left filled.
 *
 *   npx tsx bench/import/pg-server-split.ts postgres://postgres@127.0.0.1:5432/<db> /work/shared/data/arxiv-listings
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { Importer, emptySummary, importInputs } from '../../src/ingest/importer.ts';
import { PaperRepository } from '../../src/store/papers.ts';
import { FeedRepository } from '../../src/store/feed.ts';
import { PgCopy } from '../../src/store/pg-copy.ts';
import { openStore } from '../../src/store/index.ts';

const [url, corpus] = process.argv.slice(2);
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dbname = new URL(url).pathname.slice(1);
let pids: number[] = [];
const refresh = async () => {
  const r = await admin.query(`select pid from pg_stat_activity where (datname = $1 or backend_type = 'parallel worker') and pid <> pg_backend_pid()`, [dbname]);
  pids = r.rows.map((x) => x.pid);
};
/** Server CPU seconds so far: every backend seen, counted from when it was first seen. */
const schedstat = (field: number) => {
  let s = 0;
  for (const pid of pids) {
    try {
      s += Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[field]);
    } catch {}
  }
  return s / 1e9;
};
const serverCpu = () => schedstat(0);
/** Seconds the server processes were runnable but waiting for a core (schedstat's second field). */
const serverQueued = () => schedstat(1);
const totals = new Map<string, { server: number; queued: number; client: number; wall: number; n: number }>();
const timed = <T>(step: string, f: () => Promise<T>) => async (): Promise<T> => {
  const s0 = serverCpu();
  const q0 = serverQueued();
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  try {
    return await f();
  } finally {
    const c = process.cpuUsage(c0);
    const t = totals.get(step) ?? { server: 0, queued: 0, client: 0, wall: 0, n: 0 };
    t.server += serverCpu() - s0;
    t.queued += serverQueued() - q0;
    t.client += (c.user + c.system) / 1e6;
    t.wall += (performance.now() - w0) / 1000;
    t.n++;
    totals.set(step, t);
  }
};
const wrap = (proto: any, method: string, step: (a: unknown[]) => string) => {
  const f = proto[method];
  proto[method] = function (this: unknown, ...a: unknown[]) {
    return timed(step(a), () => f.apply(this, a))();
  };
};
wrap(PaperRepository.prototype, 'lookupVersions', () => 'papers look-up');
wrap(PgCopy.prototype, 'copyIn', (a) => `COPY ${String(a[1]).split(' ')[0]}`);
wrap(FeedRepository.prototype, 'nextPositions', () => 'feed next positions');
wrap(PgCopy.prototype, 'relaxCommit', () => 'relaxCommit');
wrap(Importer.prototype, 'writeBatch', () => 'batch transaction (all)');
wrap(PaperRepository.prototype, 'setIndexesAsideForFirstImport', () => 'set aside');
wrap(PaperRepository.prototype, 'restoreSetAsideIndexes', () => 'rebuild');

const opened = await openStore(url);
await refresh();
const timer = setInterval(() => void refresh(), 50);
const importer = new Importer(opened.store, { workers: Number(process.env.WORKERS ?? 2) });
const s0 = serverCpu();
const c0 = process.cpuUsage();
const w0 = performance.now();
await importer.importFiles(importInputs(corpus), {}, emptySummary());
const wall = (performance.now() - w0) / 1000;
const c = process.cpuUsage(c0);
await refresh();
const server = serverCpu() - s0;
clearInterval(timer);
await importer.close();
const f = (x: number) => x.toFixed(3);
console.log(`load ${os.loadavg()[0].toFixed(1)}; whole import: wall ${f(wall)} s, client CPU ${f((c.user + c.system) / 1e6)} s, server CPU ${f(server)} s`);
console.log('step | n | wall s | server CPU s | server waiting for a core s | client (all threads) CPU s');
for (const [k, t] of totals) console.log(`${k} | ${t.n} | ${f(t.wall)} | ${f(t.server)} | ${f(t.queued)} | ${f(t.client)}`);
await opened.close();
await admin.end();
