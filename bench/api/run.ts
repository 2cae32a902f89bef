/**
 * API and feed throughput on the real corpus: imports it into a fresh SQLite store (listing days
 * become feed days), serves the app on a free port, and drives each read route with autocannon
 * for a few seconds, after timing 20 requests made one at a time. The baseline, measured in the same run, is `/healthz` (no store access), so
 * the ratio says what each route costs beyond the HTTP stack.
 *
 *   npx tsx bench/api/run.ts <corpus-dir> [seconds-per-route=5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Importer, emptySummary, importInputs } from '../../src/ingest/importer.ts';
import { openStore } from '../../src/store/index.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';
import { isoWeekOf } from '../../src/domain/period.ts';
import { fmt, markdownTable } from '../lib/report.ts';

const [corpus, secondsArg] = process.argv.slice(2);
if (!corpus) {
  console.error('usage: npx tsx bench/api/run.ts <corpus-dir> [seconds-per-route]');
  process.exit(2);
}
const seconds = Number(secondsArg ?? 5);
const SEQUENTIAL = 20;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-api-'));
const opened = await openStore(path.join(dir, 'bench.db'));
try {
  const t0 = performance.now();
  const importer = new Importer(opened.store, { workers: 2 });
  const summary = emptySummary();
  await importer.importFiles(importInputs(corpus), {}, summary);
  await importer.close();
  const importSeconds = (performance.now() - t0) / 1000;
  const newest = (await opened.store.feed.newestDay())!;
  const categoryOf = (await opened.store.papers.listNewest(1))[0]?.primaryCategory ?? 'cs.LG';

  const config = loadConfig({ PAPERBOY_DB: path.join(dir, 'bench.db'), LOG_LEVEL: 'silent', API_RATE_LIMIT_IP: '100000000', API_RATE_LIMIT_TOKEN: '100000000' });
  const services = createServices({ config, logger: silentLogger, store: opened.store });
  const server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });
  const firstCursor = ((await (await fetch(`${server.url}/api/papers?limit=100`)).json()) as { nextCursor: string }).nextCursor;

  const routes: [string, string][] = [
    ['baseline: /healthz', '/healthz'],
    ['/api/daily_papers (all days, page 0)', '/api/daily_papers?limit=50'],
    ['/api/daily_papers?date= (newest day)', `/api/daily_papers?date=${newest}&limit=50`],
    ['/api/daily_papers?week=&sort=trending', `/api/daily_papers?week=${isoWeekOf(newest)}&sort=trending&limit=50`],
    ['/api/papers (page 2 by cursor)', `/api/papers?limit=100&cursor=${encodeURIComponent(firstCursor)}`],
    ['/feeds/daily.rss', '/feeds/daily.rss'],
    ['/feeds/trending.atom', '/feeds/trending.atom'],
    [`/feeds/category/${categoryOf}.rss`, `/feeds/category/${categoryOf}.rss`],
    ['/openapi.json', '/openapi.json'],
  ];
  const rows: (string | number)[][] = [];
  let baseline = 0;
  for (const [name, url] of routes) {
    // One client, one request at a time: what a single request costs without queueing.
    const t = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) await (await fetch(`${server.url}${url}`)).arrayBuffer();
    const sequentialMs = (performance.now() - t) / SEQUENTIAL;
    const r = await autocannon({ url: `${server.url}${url}`, connections: 8, duration: seconds });
    if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    const rps = r.requests.average;
    if (!baseline) baseline = rps;
    rows.push([name, fmt(sequentialMs, 1), fmt(rps), fmt(r.latency.p50, 1), fmt(r.latency.p99, 1), fmt(rps / baseline, 3)]);
  }
  await server.close();
  console.log(`corpus: ${summary.read} papers (${fmt(importSeconds, 1)} s import), newest feed day ${newest}; ${seconds} s per route, 8 connections, SQLite\n`);
  console.log(markdownTable(['Route', 'one at a time, ms', 'req/s (8 conn.)', 'p50 ms', 'p99 ms', 'req/s ratio to /healthz'], rows));
} finally {
  await opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
