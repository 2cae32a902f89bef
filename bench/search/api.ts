/**
 * The search API end to end: `GET /api/papers/search?q=&limit=20` over real HTTP against a Paperboy
 * store of N papers (the 74,728 real ones, or a corpus synthesised from them), for the 200 mixed
 * queries of bench/search; the baseline, in the same run and on the same SQLite file, is the bare
 * FTS5 `bm25()` query of Paperboy's own full-text index (no HTTP, no paper loading).
 *
 *   node --max-old-space-size=12000 --import tsx bench/search/api.ts <arxiv-listings dir> \
 *     <search-queries dir> [--papers 1000000] [--fts-queries 200] [--db /tmp/search-api.db] \
 *     [--rounds 3] [--cpu-prof /tmp/search-api.cpuprofile] [--embedder local]
 *
 * Keyword search only (SEARCH_EMBEDDER=none) unless `--embedder` names another (`local`, the
 * server's default, answers with keywords too until `paperboy reindex` has trained a model in the
 * store: the bench prints the mode the first query was answered in). The offline model's training
 * time grows with the corpus and is measured in bench/search-quality. The store is built with `paperboy import`'s
 * code path; with `--db` an existing file of the right size is reused (e.g. bench/startup's or
 * bench/import/growth.ts's store of the corpus repeated as listings, with its published index).
 * `--rounds` sends the 200 queries that many times, each round reported on its own line;
 * `--cpu-prof` writes a V8 CPU profile of the query loop alone (not the index load).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import { Importer } from '../../src/ingest/importer.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadCorpus } from '../search-quality/corpus.ts';
import { ftsQuery, loadQueries, percentiles, synthesise } from './common.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { embedder: { type: 'string', default: 'none' }, papers: { type: 'string' }, 'fts-queries': { type: 'string', default: '200' }, db: { type: 'string' }, rounds: { type: 'string', default: '1' }, 'cpu-prof': { type: 'string' } },
});
const [corpusDir, queriesDir] = positionals;
if (!corpusDir || !queriesDir) {
  console.error('usage: bench/search/api.ts <arxiv-listings dir> <search-queries dir> [--papers N] [--fts-queries N] [--db FILE]');
  process.exit(2);
}
const load = () => loadavg()[0].toFixed(1);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const fmt = (p: { p50: number; p99: number }) => `p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms`;

const real = loadCorpus(corpusDir);
const n = values.papers ? Number(values.papers) : real.length;
const queries = loadQueries(queriesDir);
const dbFile = values.db ?? path.join(tmpdir(), `paperboy-search-api-${n}.db`);

// The store: imported through the importer as generic papers, then the full-text index caught up.
let opened = await openStore(dbFile);
if ((await opened.store.papers.count()) !== n) {
  await opened.close();
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
  opened = await openStore(dbFile);
  const categories = new Map(real.map((p) => [p.id, p.categories]));
  const jsonl = path.join(tmpdir(), `paperboy-search-api-${n}.jsonl`);
  const out = fs.openSync(jsonl, 'w');
  for (const [i, d] of synthesise(real, n).entries()) {
    const line = JSON.stringify({ id: d.id, title: d.title, abstract: d.abstract, categories: categories.get(d.id) ?? real[i % real.length].categories, published: '2025-01-01' });
    fs.writeSync(out, line + '\n');
  }
  fs.closeSync(out);
  let t = performance.now();
  const importer = new Importer(opened.store, { workers: 2 });
  const s = await importer.importFiles([jsonl], { format: 'generic', source: 'bench' });
  await importer.close();
  fs.rmSync(jsonl);
  console.log(`imported ${s.inserted} papers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  const pending = await opened.store.search.pendingFullText();
  await opened.store.search.drainFullTextQueue();
  console.log(`full-text index of ${pending} papers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// The page cache off: a query asked again within its 5 s (the warm-up's, the next round's) would be
// answered from memory, and this measures ranking.
const config = loadConfig({ PAPERBOY_DB: dbFile, SEARCH_EMBEDDER: values.embedder!, SEARCH_KEYWORD_ENGINE: 'memory', API_RATE_LIMIT_IP: '1000000', PAGE_CACHE_SECONDS: '0' }, { logLevel: 'silent', demo: false });
const services = createServices({ config, logger: silentLogger, store: opened.store });
let t = performance.now();
let c = cpuMs();
const stop = services.searchIndex.keepInStep(3_600_000);
while (!services.searchIndex.indexReady) await new Promise((r) => setTimeout(r, 100));
console.log(`in-memory keyword index loaded in ${((performance.now() - t) / 1000).toFixed(1)} s (${((cpuMs() - c) / 1000).toFixed(1)} s CPU); load ${load()}`);
const server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });

// The API: one request at a time, wall time at the client and this process's CPU time (server and client).
const ask = async (q: string) => {
  const res = await fetch(`${server.url}/api/papers/search?limit=20&q=${encodeURIComponent(q)}`);
  if (res.status !== 200) throw new Error(`${res.status} for ${q}: ${await res.text()}`);
  return (await res.json()) as unknown[];
};
for (const q of queries.slice(0, 20)) await ask(q);
console.log(`SEARCH_EMBEDDER=${values.embedder}: the first query is answered in ${(await services.search.search({ q: queries[0], limit: 20 })).mode} mode`);
const profiler = values['cpu-prof'] ? new Session() : null;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const apiMs: number[] = [];
const apiCpu: number[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  const ms: number[] = [];
  const cpu: number[] = [];
  let empty = 0;
  const loadBefore = load();
  for (const q of queries) {
    t = performance.now();
    c = cpuMs();
    if (!(await ask(q)).length) empty++;
    cpu.push(cpuMs() - c);
    ms.push(performance.now() - t);
  }
  apiMs.push(...ms);
  apiCpu.push(...cpu);
  const pc = percentiles(cpu);
  console.log(`search API, round ${round + 1}, ${queries.length} queries, top 20: wall ${fmt(percentiles(ms))}; CPU ${fmt(pc)}, mean ${pc.mean.toFixed(2)} ms; ${empty} without results; load ${loadBefore} → ${load()}`);
}
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  fs.writeFileSync(values['cpu-prof']!, JSON.stringify(profile));
  profiler.disconnect();
}
stop();
await server.close(1000);

// Baseline: FTS5 bm25() on the same file's full-text index, title weighted as Paperboy weights it.
const db = new Database(dbFile, { readonly: true });
const fts = db.prepare('SELECT rowid, bm25(papers_fts, 2.0, 1.0) AS s FROM papers_fts WHERE papers_fts MATCH ? ORDER BY s LIMIT 20');
const ftsCount = Math.min(queries.length, Number(values['fts-queries']));
const picked = queries.filter((_, i) => Math.floor((i * ftsCount) / queries.length) !== Math.floor(((i - 1) * ftsCount) / queries.length));
for (const q of picked.slice(0, 3)) fts.all(ftsQuery(q));
const ftsMs: number[] = [];
const ftsCpu: number[] = [];
for (const q of picked) {
  t = performance.now();
  c = cpuMs();
  fts.all(ftsQuery(q));
  ftsCpu.push(cpuMs() - c);
  ftsMs.push(performance.now() - t);
}
db.close();
const api = percentiles(apiMs);
const base = percentiles(ftsMs);
console.log(`FTS5 bm25() baseline, ${picked.length} queries: wall ${fmt(base)}; CPU ${fmt(percentiles(ftsCpu))}; load ${load()}`);
console.log(`papers ${n}: API ÷ bare FTS5 — p50 ${(api.p50 / base.p50).toFixed(3)}, p99 ${(api.p99 / base.p99).toFixed(3)}`);
await services.close();
await opened.close();
