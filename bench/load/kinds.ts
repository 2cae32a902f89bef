/**
 * Where the mixed load's time goes, one request kind at a time: one `paperboy serve` on a
 * PostgreSQL database holding the corpus (the bench's, with its similar-papers lists stored), asked
 * N requests of each kind of bench/load/run.ts's mix, a few at a time. For each kind it prints the
 * CPU per request of the serve process and of its PostgreSQL backends (Linux /proc), the SQL
 * statements the server sent per request (counted in the serve process by bench/load/count-sql.mjs)
 * with the most frequent ones, and this client's own CPU per request (fetch, no autocannon).
 *
 *   npx tsx bench/load/kinds.ts --db postgres://… [--requests 300] [--concurrency 4] [--kinds feed,page,api,search,upvote] [--sql]
 *   [--listed]    paper ids only among papers with a stored similar-papers list
 *   [--code DIR]  serve the tree in DIR (e.g. main's, from git archive) instead of this one
 *
 * Anonymous pages go through the page cache as in the mix; paper ids are random visible papers, so
 * most paper pages miss it. Rate limits are raised (one IP, one account).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, ServerProcesses } from './server-processes.ts';
import { cpuMs, watchBackends } from './process-cpu.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { db: { type: 'string' }, requests: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '4' }, kinds: { type: 'string', default: 'feed,page,api,search,upvote' }, sql: { type: 'boolean' }, code: { type: 'string' }, listed: { type: 'boolean' } } });
if (!values.db) throw new Error('--db postgres://… is required');
const DB = values.db;
const ROOT = path.resolve(values.code ?? path.join(HERE, '../..'));
const N = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);

const client = new pg.Client({ connectionString: DB });
await client.connect();
// --listed: only papers with a stored similar-papers list of their current text (while a fill is under way).
const ids: string[] = (await client.query(values.listed
  ? 'select p.id from papers p join paper_similar_lists l on l.paper_id = p.id and l.content_hash = p.content_hash where p.hidden = 0 and p.deleted = 0 order by random() limit 5000'
  : 'select id from papers where hidden = 0 and deleted = 0 order by random() limit 5000')).rows.map((r) => r.id);
const days: string[] = (await client.query('select distinct day from feed_entries order by day desc limit 60')).rows.map((r) => r.day);

const servers = new ServerProcesses(ROOT);
const port = await freePort();
const relaxed = Object.fromEntries(['SIGNUP', 'LOGIN', 'COMMENT', 'UPVOTE'].flatMap((k) => [[`RATE_LIMIT_${k}_IP`, '100000000/60'], [`RATE_LIMIT_${k}_USER`, '100000000/60']]).concat([['API_RATE_LIMIT_IP', '100000000'], ['API_RATE_LIMIT_TOKEN', '100000000']]));
const countFile = `/tmp/kinds-sql-${process.pid}.json`;
const server = servers.start(`serve on port ${port}`, ['--import', path.join(HERE, 'count-sql.mjs'), 'src/cli/main.ts', 'serve'], { PAPERBOY_DB: DB, LOG_LEVEL: 'warn', PAPERBOY_DEMO: 'false', HARVEST_ENABLED: 'false', HOST: '127.0.0.1', PORT: String(port), SQL_COUNT_FILE: countFile, ...relaxed });
const base = `http://127.0.0.1:${port}`;

const waitFor = (url: string, ok: (res: Response) => boolean) => servers.waitFor(url, ok, 1_800_000);
await waitFor(`${base}/api/papers/search?q=transformer&limit=7`, (r) => r.status === 200 && r.headers.get('cache-control') !== 'no-store');
for (const p of ['/', `/papers/${ids[0]}`, `/papers/date/${days[0]}`]) await waitFor(`${base}${p}`, (r) => r.status === 200);

const opened = await openStore(DB, { poolSize: 1 });
const accounts = createServices({ config: loadConfig({ PAPERBOY_DB: DB, LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false' }), logger: createLogger('silent'), store: opened.store }).accounts;
const name = `kinds${Date.now().toString(36)}`;
const user = await opened.store.users.create({ username: name, email: `${name}@example.org`, passwordHash: 'x', emailVerified: true });
const { sessionToken, session } = await accounts.openSession(user.id);
await opened.close();
const auth = { cookie: `${SESSION_COOKIE}=${sessionToken}`, 'x-csrf-token': session.csrfToken };

async function sqlCounts(): Promise<{ total: number; byText: [string, number][] }> {
  fs.rmSync(countFile, { force: true });
  server.kill('SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(countFile); i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 20));
  return JSON.parse(fs.readFileSync(countFile, 'utf8'));
}
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const WORDS = ['transformer', 'diffusion', 'graph neural network', 'reinforcement learning', 'language model', 'attention', 'contrastive', 'segmentation', 'bayesian', 'robust', 'federated learning', 'quantization', '"large language"', 'protein', 'causal'];
let seq = 0;
const kinds: Record<string, () => { method: string; path: string; headers?: Record<string, string> }> = {
  feed: () => ({ method: 'GET', path: Math.random() < 0.5 ? '/' : `/papers/date/${pick(days)}` }),
  page: () => ({ method: 'GET', path: `/papers/${pick(ids)}` }),
  api: () => ({ method: 'GET', path: `/api/papers/${pick(ids)}` }),
  search: () => ({ method: 'GET', path: `/api/papers/search?q=${encodeURIComponent(pick(WORDS))}` }),
  upvote: () => ({ method: ++seq % 2 ? 'POST' : 'DELETE', path: `/api/papers/${pick(ids)}/upvote`, headers: auth }),
};

async function run(kind: string) {
  const make = kinds[kind];
  await sqlCounts();
  const stopWatching = await watchBackends(client);
  const serve0 = cpuMs(server.pid!);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const statuses: Record<number, number> = {};
  let left = N;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (left-- > 0) {
      const r = make();
      // No compression asked, as autocannon in run.ts asks none.
      const res = await fetch(`${base}${r.path}`, { method: r.method, headers: { 'accept-encoding': 'identity', ...r.headers } });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  }));
  const wall = performance.now() - t0;
  const self = process.cpuUsage(self0);
  const serveMs = cpuMs(server.pid!) - serve0;
  const pgMs = await stopWatching();
  const sql = await sqlCounts();
  return {
    kind,
    statuses,
    wallMs: +(wall / N).toFixed(1),
    serveCpuMs: +(serveMs / N).toFixed(2),
    postgresCpuMs: +(pgMs / N).toFixed(2),
    clientCpuMs: +((self.user + self.system) / 1000 / N).toFixed(2),
    statements: +(sql.total / N).toFixed(2),
    ...(values.sql ? { top: sql.byText.slice(0, 14).map(([t, n]) => `${(n / N).toFixed(2)}  ${t}`) } : {}),
  };
}

const results = [];
const load = [os.loadavg()[0]];
for (const k of values.kinds!.split(',')) results.push(await run(k));
load.push(os.loadavg()[0]);
console.log(JSON.stringify({ code: ROOT, requests: N, concurrency: CONCURRENCY, load, results }, null, 2));
await client.end();
fs.rmSync(countFile, { force: true });
servers.stopAll();
process.exit(0);
