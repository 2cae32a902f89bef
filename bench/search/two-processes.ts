/**
 * Two processes on one SQLite file (issue 19): the search API of one server while another process
 * writes to the same file, as a second `serve` or the worker does. Each search's catch-up asks
 * whether another process wrote papers; when it thinks so, it scans the papers table for rows
 * modified since (no index on `modified_at` on SQLite: a whole-table read).
 *
 *   node --import tsx bench/search/two-processes.ts <arxiv-listings dir> <search-queries dir> [--db FILE] [--rounds 1]
 *
 * Three phases, the 200 mixed queries of bench/search each (`GET /api/papers/search?limit=20`, one
 * at a time over real HTTP, client in this process), on the same file:
 * - `alone`: no other process (the baseline of the same run);
 * - `limits`: bench/search/other-writer.ts writes a rate-limit row every 20 ms;
 * - `papers`: the same, and it also hides or shows one paper every second;
 * - `batches`: it writes 200 rate-limit rows per transaction every 100 ms (the write lock held as
 *   long as an import's batch), the case where a search that writes must wait (issue 19).
 * - `hold`: it holds a write transaction open 200 ms of every 300 ms, idle (the lock without its CPU).
 * `--phases alone,limits,batches` picks phases (default `alone,limits,papers`).
 * Per phase: wall and CPU (this process: server and client) per request, and how many scans of
 * the papers table the catch-ups ran (counted by wrapping the repository's `modifiedSinceSliced`).
 * The store is imported through the importer on first use (or reused with `--db`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Importer } from '../../src/ingest/importer.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadCorpus } from '../search-quality/corpus.ts';
import { loadQueries, percentiles } from './common.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, rounds: { type: 'string', default: '1' }, phases: { type: 'string', default: 'alone,limits,papers' } } });
const [corpusDir, queriesDir] = positionals;
if (!corpusDir || !queriesDir) {
  console.error('usage: bench/search/two-processes.ts <arxiv-listings dir> <search-queries dir> [--db FILE] [--rounds N]');
  process.exit(2);
}
const load = () => loadavg()[0].toFixed(1);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const real = loadCorpus(corpusDir);
const queries = loadQueries(queriesDir);
const dbFile = values.db ?? path.join(tmpdir(), `paperboy-two-processes-${real.length}.db`);

let opened = await openStore(dbFile);
if ((await opened.store.papers.count()) !== real.length) {
  await opened.close();
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
  opened = await openStore(dbFile);
  const jsonl = path.join(tmpdir(), `paperboy-two-processes-${process.pid}.jsonl`);
  fs.writeFileSync(jsonl, real.map((p) => JSON.stringify({ id: p.id, title: p.title, abstract: p.abstract, categories: p.categories, published: '2025-01-01' })).join('\n') + '\n');
  const importer = new Importer(opened.store, { workers: 2 });
  const s = await importer.importFiles([jsonl], { format: 'generic', source: 'bench' });
  await importer.close();
  fs.rmSync(jsonl);
  await opened.store.search.drainFullTextQueue();
  console.log(`imported ${s.inserted} papers`);
}

// Every scan of the papers table a catch-up runs goes through this method.
const papers = opened.store.papers;
const scan = papers.modifiedSinceSliced.bind(papers);
let scans = 0;
papers.modifiedSinceSliced = (...args) => {
  scans++;
  return scan(...args);
};

const config = loadConfig(
  { PAPERBOY_DB: dbFile, SEARCH_EMBEDDER: 'none', SEARCH_KEYWORD_ENGINE: 'memory', API_RATE_LIMIT_IP: '1000000', PAGE_CACHE_SECONDS: '0' },
  { logLevel: 'silent', demo: false },
);
const services = createServices({ config, logger: silentLogger, store: opened.store });
const stop = services.searchIndex.keepInStep(3_600_000);
while (!services.searchIndex.indexReady) await new Promise((r) => setTimeout(r, 100));
const server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });
const ask = async (q: string) => {
  const res = await fetch(`${server.url}/api/papers/search?limit=20&q=${encodeURIComponent(q)}`);
  if (res.status !== 200) throw new Error(`${res.status} for ${q}: ${await res.text()}`);
  await res.arrayBuffer();
};
for (const q of queries.slice(0, 20)) await ask(q);
console.log(`${real.length} papers, ${queries.length} queries a phase; load ${load()}`);

async function phase(name: string): Promise<void> {
  const child = name === 'alone' ? null : spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'other-writer.ts'), dbFile, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  let childOut = '';
  child?.stdout!.on('data', (d) => (childOut += d));
  if (child) await new Promise((r) => setTimeout(r, 3000)); // its store open and writing
  const loadBefore = load();
  const before = scans;
  const wall: number[] = [];
  const cpu: number[] = [];
  const t0 = performance.now();
  for (const q of queries) {
    const t = performance.now();
    const c = cpuMs();
    await ask(q);
    cpu.push(cpuMs() - c);
    wall.push(performance.now() - t);
  }
  const total = (performance.now() - t0) / 1000;
  if (child) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  const w = percentiles(wall);
  const waited = wall.map((x, i) => x - cpu[i]).sort((a, b) => a - b);
  const c = percentiles(cpu);
  console.log(
    `${name.padEnd(7)}: ${total.toFixed(1)} s for ${queries.length} searches; wall p50 ${w.p50.toFixed(1)} ms p99 ${w.p99.toFixed(1)} ms max ${Math.max(...wall).toFixed(0)} ms; ` +
      `wall minus CPU p50 ${waited[Math.floor(waited.length / 2)].toFixed(1)} ms; ` +
      `CPU p50 ${c.p50.toFixed(1)} ms mean ${c.mean.toFixed(1)} ms p99 ${c.p99.toFixed(1)} ms; scans ${scans - before}; ` +
      `other process ${childOut.trim() || '-'}; load ${loadBefore} → ${load()}`,
  );
}

for (let round = 0; round < Number(values.rounds); round++) {
  for (const name of values.phases!.split(',')) await phase(name);
}
await stop();
await server.close(1000);
await services.close();
await opened.close();
