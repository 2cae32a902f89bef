/**
 * CPU per paper: one `paperboy serve` on a PostgreSQL database holding the corpus, asked for
 * `/papers/ID` (the page: similar papers, comments, enrichments, render) and `/api/papers/ID` (no
 * similar papers: the same-run baseline) of the same N papers, a few requests at a time. Reports the
 * CPU the serve process and its PostgreSQL backends spent per request (Linux /proc), which a loaded
 * machine inflates far less than wall times.
 *
 *   npx tsx bench/load/paper-cpu.ts --db postgres://postgres@127.0.0.1:5432/paperboy_load [--papers 200] [--concurrency 4] [--listed]
 *
 * The papers are the first N visible ones by md5(id): the same ones for every run on a database.
 * Rate limits are raised (every request comes from one IP).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, ServerProcesses } from './server-processes.ts';
import { cpuMs, watchBackends } from './process-cpu.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { db: { type: 'string' }, papers: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '4' }, listed: { type: 'boolean' } } });
if (!values.db) throw new Error('--db postgres://… is required');
const DB = values.db;
const N = Number(values.papers);
const CONCURRENCY = Number(values.concurrency);

const client = new pg.Client({ connectionString: DB });
await client.connect();
// --listed: only papers with a stored similar-papers list of their current text (while a fill is under way).
const ids: string[] = (await client.query(values.listed
  ? 'select p.id from papers p join paper_similar_lists l on l.paper_id = p.id and l.content_hash = p.content_hash where p.hidden = 0 and p.deleted = 0 order by md5(p.id) limit $1'
  : 'select id from papers where hidden = 0 and deleted = 0 order by md5(id) limit $1', [N])).rows.map((r) => r.id);

const servers = new ServerProcesses(ROOT);
const port = await freePort();
const relaxed = { API_RATE_LIMIT_IP: '100000000', API_RATE_LIMIT_TOKEN: '100000000' };
const server = servers.start(`serve on port ${port}`, ['src/cli/main.ts', 'serve'], { PAPERBOY_DB: DB, LOG_LEVEL: 'warn', PAPERBOY_DEMO: 'false', HARVEST_ENABLED: 'false', HOST: '127.0.0.1', PORT: String(port), ...relaxed });
const base = `http://127.0.0.1:${port}`;

const waitFor = (url: string, ok: (res: Response) => boolean) => servers.waitFor(url, ok, 1_800_000);
// Measured once hybrid search answers (the ANN index is loaded) and one paper page has been served.
await waitFor(`${base}/api/papers/search?q=transformer&limit=7`, (r) => r.status === 200 && r.headers.get('cache-control') !== 'no-store');
await waitFor(`${base}/papers/${ids[0]}`, (r) => r.status === 200);


async function run(label: string, pathOf: (id: string) => string) {
  const stopWatching = await watchBackends(client);
  const serve0 = cpuMs(server.pid!);
  const t0 = performance.now();
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length) {
        const res = await fetch(`${base}${pathOf(ids[next++])}`);
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  const wall = performance.now() - t0;
  const pgMs = await stopWatching();
  return {
    label,
    requests: ids.length,
    statuses,
    wallMsPerRequest: +(wall / ids.length).toFixed(1),
    serveCpuMsPerRequest: +((cpuMs(server.pid!) - serve0) / ids.length).toFixed(1),
    postgresCpuMsPerRequest: +(pgMs / ids.length).toFixed(1),
  };
}

const load = [os.loadavg()[0]];
const page = await run('paper page /papers/ID', (id) => `/papers/${id}`);
const api = await run('paper API /api/papers/ID (baseline: no similar papers)', (id) => `/api/papers/${id}`);
load.push(os.loadavg()[0]);
console.log(JSON.stringify({ papers: ids.length, concurrency: CONCURRENCY, load, page, api }, null, 2));
await client.end();
servers.stopAll();
process.exit(0);
