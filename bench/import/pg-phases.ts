/**
 * Where a first PostgreSQL import's wall time goes, phase by phase: setting indexes aside, the
 * writer waiting for parsed batches, the batches' transactions (client CPU and the server's CPU
 * for each, from /proc/<backend pid>/stat), and the rebuild of the set-aside indexes at the end.
 * The database should be empty (a first import); it is left filled.
 *
 *   npx tsx bench/import/pg-phases.ts postgres://postgres@127.0.0.1:5432/<db> ../shared/data/arxiv-listings
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
const serverCpu = async () => {
  const r = await admin.query(`select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbname]);
  let s = 0;
  for (const { pid } of r.rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      s += (Number(f[11]) + Number(f[12])) / 100;
    } catch {}
  }
  return s;
};
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const acc: Record<string, { wall: number; client: number; n: number }> = {};
const add = (k: string, wall: number, client: number) => {
  const a = (acc[k] ??= { wall: 0, client: 0, n: 0 });
  a.wall += wall;
  a.client += client;
  a.n++;
};
const timed = <T>(k: string, f: () => Promise<T>) => async () => {
  const w = performance.now();
  const c = cpu();
  try {
    return await f();
  } finally {
    add(k, (performance.now() - w) / 1000, cpu() - c);
  }
};
const proto = PaperRepository.prototype as any;
const restore = proto.restoreSetAsideIndexes;
proto.restoreSetAsideIndexes = function (this: unknown) {
  return timed('index rebuilds', () => restore.call(this))();
};
const setAside = proto.setIndexesAsideForFirstImport;
proto.setIndexesAsideForFirstImport = function (this: unknown) {
  return timed('set indexes aside', () => setAside.call(this))();
};
const imp = Importer.prototype as any;
const writeBatch = imp.writeBatches ?? imp.writeBatch;
imp[imp.writeBatches ? 'writeBatches' : 'writeBatch'] = function (this: unknown, ...a: unknown[]) {
  return timed('batch transactions', () => writeBatch.apply(this, a))();
};
const opened = await openStore(url);
const importer = new Importer(opened.store, { workers: Number(process.env.WORKERS ?? 2) });
const s0 = await serverCpu();
const c0 = cpu();
const t0 = performance.now();
await importer.importFiles(importInputs(corpus), {}, emptySummary());
const wall = (performance.now() - t0) / 1000;
const client = cpu() - c0;
const s1 = await serverCpu();
await importer.close();
const tA = performance.now();
await opened.store.papers.refreshStatistics();
const analyze = (performance.now() - tA) / 1000;
const s2 = await serverCpu();
const inside = Object.values(acc).reduce((s, a) => s + a.wall, 0);
console.log(JSON.stringify({ load: os.loadavg()[0], wall, clientCpu: client, serverCpu: s1 - s0, phases: acc, waitingForBatches: wall - inside, analyze: { wall: analyze, server: s2 - s1 } }, null, 1));
await opened.close();
await admin.end();
