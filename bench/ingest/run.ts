/**
 * Ingestion benchmark: harvests a locally served, synthetic 10,000-record OAI-PMH ListRecords
 * stream generated from the real corpus, with the politeness delay at zero, into a fresh store.
 * Reports papers/s end to end, the share of time spent fetching, parsing and storing, and, as the
 * baseline measured in the same run, the existing JSON Lines importer on the same records.
 *
 *   npx tsx bench/ingest/run.ts ../shared/data/arxiv-listings [--records 10000] [--page-size 1000] [--db postgres://HOST/DB]
 *
 * With --db the measurements run on PostgreSQL, each in a database of its own created (and dropped) on that server.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import { OaiClient } from '../../src/ingest/oai/client.ts';
import { Harvester } from '../../src/ingest/oai/harvester.ts';
import { Importer } from '../../src/ingest/importer.ts';
import { asJsonl, buildPages, readCorpus } from './synthetic-oai.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { records: { type: 'string', default: '10000' }, 'page-size': { type: 'string', default: '1000' }, db: { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error('usage: npx tsx bench/ingest/run.ts <corpus dir or .jsonl> [--records N] [--page-size N] [--db postgres://...]');
  process.exit(2);
}
const wanted = Number(values.records);
const pageSize = Number(values['page-size']);
const records = readCorpus(positionals[0], wanted);
const pages = buildPages(records, pageSize);
const bytes = [...pages.values()].reduce((n, p) => n + Buffer.byteLength(p), 0);

const server = http.createServer((req, res) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const body = pages.get(q.get('resumptionToken') ?? 'start');
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/xml' });
  res.end(body ?? '');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oai`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-ingest-'));
/**
 * A fresh store per measurement: a SQLite file in a temp dir, or with --db (a PostgreSQL server
 * URL) a new database created for the measurement and dropped afterwards.
 */
const dropAfter: string[] = [];
async function admin(sql: string) {
  const c = new pg.Client({ connectionString: values.db });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
async function freshStore(name: string) {
  if (values.db) {
    const db = `paperboy_bench_ingest_${name}_${process.pid}`;
    await admin(`create database ${db}`);
    dropAfter.push(db);
    const url = new URL(values.db);
    url.pathname = `/${db}`;
    return openStore(url.toString());
  }
  return openStore(path.join(tmp, `${name}.db`));
}

const round = (n: number, d = 0) => Number(n.toFixed(d));

// Baseline: the existing JSON Lines importer on the same records.
const base = await freshStore('baseline');
let t0 = performance.now();
const importCpu0 = process.cpuUsage();
const importSummary = await new Importer(base.store).importStream(Readable.from([asJsonl(records)]), 'bench', { format: 'listing' });
const importMs = performance.now() - t0;
const importCpu = process.cpuUsage(importCpu0);
await base.close();

// The harvest, end to end over HTTP.
const opened = await freshStore('harvest');
const timings = { fetch: 0, parse: 0, store: 0 };
const cpuTimings = { fetch: 0, parse: 0, store: 0 };
const harvester = new Harvester(opened.store, new OaiClient({ baseUrl, delayMs: 0 }), {
  feedCategories: ['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG', 'stat.ML'],
  onTiming: (phase, ms, cpuMs) => {
    timings[phase] += ms;
    cpuTimings[phase] += cpuMs;
  },
});
t0 = performance.now();
const cpu0 = process.cpuUsage();
const summary = await harvester.harvest({ from: '2025-01-01', sets: ['cs'] });
const harvestMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);

// The same harvest again: every record unchanged, nothing written.
const again = { fetch: 0, parse: 0, store: 0 };
const harvester2 = new Harvester(opened.store, new OaiClient({ baseUrl, delayMs: 0 }), {
  feedCategories: ['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG', 'stat.ML'],
  onTiming: (phase, ms) => (again[phase] += ms),
});
t0 = performance.now();
const summary2 = await harvester2.harvest({ from: '2025-01-01', sets: ['cs'] });
const againMs = performance.now() - t0;
await opened.close();
server.close();
fs.rmSync(tmp, { recursive: true, force: true });
for (const db of dropAfter) await admin(`drop database if exists ${db} with (force)`);

const share = (t: typeof timings, total: number) =>
  `fetch ${round((100 * t.fetch) / total)}% / parse ${round((100 * t.parse) / total)}% / store ${round((100 * t.store) / total)}%`;
const result = {
  loadAverage: os.loadavg().map((l) => round(l, 1)),
  store: values.db ? 'postgres' : 'sqlite',
  records: records.length,
  pages: summary.pages,
  xmlMB: round(bytes / 1e6, 1),
  harvest: {
    seconds: round(harvestMs / 1000, 2),
    papersPerSecond: round(summary.records / (harvestMs / 1000)),
    // CPU seconds of this process (server, parser, SQLite driver): steadier than wall time on a shared machine.
    cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    inserted: summary.inserted,
    addedToFeed: summary.addedToFeed,
    msFetch: round(timings.fetch),
    msParse: round(timings.parse),
    msStore: round(timings.store),
    share: share(timings, harvestMs),
    cpuMsFetch: round(cpuTimings.fetch),
    cpuMsParse: round(cpuTimings.parse),
    cpuMsStore: round(cpuTimings.store),
    cpuShare: share(cpuTimings, cpuTimings.fetch + cpuTimings.parse + cpuTimings.store),
  },
  reharvestUnchanged: {
    seconds: round(againMs / 1000, 2),
    papersPerSecond: round(summary2.records / (againMs / 1000)),
    unchanged: summary2.unchanged,
    share: share(again, againMs),
  },
  baselineJsonlImport: {
    seconds: round(importMs / 1000, 2),
    papersPerSecond: round(importSummary.read / (importMs / 1000)),
    cpuSeconds: round((importCpu.user + importCpu.system) / 1e6, 2),
    inserted: importSummary.inserted,
  },
  /** Harvest speed relative to the JSONL importer: wall time, and CPU time. */
  harvestVsImport: round(importMs / harvestMs, 2),
  harvestVsImportCpu: round((importCpu.user + importCpu.system) / (cpu.user + cpu.system), 2),
};
console.log(JSON.stringify(result, null, 2));
