/**
 * Load: mixed feed, paper, search and upvote traffic from autocannon against two `paperboy serve`
 * processes on one PostgreSQL database holding the corpus, and, in the same run, the same number of
 * bare Hono processes (one trivial route) as the ceiling, and the same mix against two more
 * `serve` processes with the anonymous page cache off (PAGE_CACHE_SECONDS=0), to show what it adds.
 *
 *   npx tsx bench/load/run.ts --db postgres://postgres@127.0.0.1:5432/paperboy_load [--import ../shared/data/arxiv-listings]
 *        [--seconds 20] [--connections 10] [--search-tail ../shared/data/eval/search-queries] [--listed] [--gzip]
 *
 * Searches ask 15 popular queries; with --search-tail half of them ask one of the 200 real queries
 * of bench/search instead (a long tail the anonymous cache rarely answers). The servers' page-cache
 * counters (/metrics) say how many reads of each run the cache answered.
 * --import loads the corpus first when the database holds fewer papers (npx tsx src/cli/main.ts import DIR --db URL).
 * Rate limits are raised for the run (one IP, one account send all upvotes).
 * --gzip: every request says `Accept-Encoding: gzip`, as browsers do (without it autocannon asks for
 * the identity coding, and no answer is compressed).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannonModule from 'autocannon';
import type { Autocannon, Request as CannonRequest, Result as CannonResult } from './autocannon-types.ts';
import pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { loadQueries } from '../search/common.ts';
import { freePort, ServerProcesses } from './server-processes.ts';

const autocannon = autocannonModule as unknown as Autocannon;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { db: { type: 'string' }, import: { type: 'string' }, seconds: { type: 'string', default: '20' }, connections: { type: 'string', default: '10' }, 'search-tail': { type: 'string' }, listed: { type: 'boolean' }, gzip: { type: 'boolean' } } });
if (!values.db) throw new Error('--db postgres://… is required');
const DB = values.db;
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const ENCODING: Record<string, string> = values.gzip ? { 'accept-encoding': 'gzip' } : {};

const client = new pg.Client({ connectionString: DB });
await client.connect();
const count = async () => Number((await client.query('select count(*) as n from papers')).rows[0].n);
if (values.import && (await count().catch(() => 0)) < 70_000) {
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', values.import, '--db', DB], { cwd: ROOT, stdio: 'inherit' });
}
// Right after a bulk import PostgreSQL has no statistics for the new rows (it plans the feed's join
// for 2 visible papers, 210 ms per query instead of 0.1 ms) until autovacuum gets to them; a
// deployment gets there within minutes, the bench makes sure now.
await client.query('vacuum analyze papers');
await client.query('vacuum analyze feed_entries');
// The same for the stored vectors (every paper page looks up its similar papers' ANN keys in them):
// `paperboy reindex` refreshes them since round 17; a database reindexed before then has none.
await client.query('vacuum analyze paper_embeddings');
// And the term vectors and stored similar-papers lists every paper page reads: a reindex rewrites
// them, and with autovacuum off (this machine) the dead rows stayed and nothing analysed them.
await client.query('vacuum analyze paper_term_vectors');
if ((await client.query("select to_regclass('paper_similar_lists') as t")).rows[0].t) await client.query('vacuum analyze paper_similar_lists');
const papers = await count();
// --listed: paper ids only among papers with a stored similar-papers list of their current text (a
// store whose lists are still being filled: the steady state a deployment reaches once the job ran).
const ids: string[] = (await client.query(values.listed
  ? 'select p.id from papers p join paper_similar_lists l on l.paper_id = p.id and l.content_hash = p.content_hash where p.hidden = 0 and p.deleted = 0 order by random() limit 5000'
  : 'select id from papers order by random() limit 5000')).rows.map((r) => r.id);
const days: string[] = (await client.query('select distinct day from feed_entries order by day desc limit 60')).rows.map((r) => r.day);
await client.end();

// Started servers are watched: one that exits unasked (its port taken, say) fails the bench at once.
const servers = new ServerProcesses(ROOT);
const waitFor = (url: string, ok: (res: Response) => Promise<boolean> | boolean, ms?: number) => servers.waitFor(url, ok, ms);

const relaxed = Object.fromEntries(['SIGNUP', 'LOGIN', 'COMMENT', 'UPVOTE'].flatMap((k) => [[`RATE_LIMIT_${k}_IP`, '100000000/60'], [`RATE_LIMIT_${k}_USER`, '100000000/60']]).concat([['API_RATE_LIMIT_IP', '100000000'], ['API_RATE_LIMIT_TOKEN', '100000000']]));
const METRICS_TOKEN = `bench-${Date.now()}`;
const serverEnv = { PAPERBOY_DB: DB, LOG_LEVEL: 'warn', PAPERBOY_DEMO: 'false', HARVEST_ENABLED: 'false', HOST: '127.0.0.1', METRICS_TOKEN, ...relaxed };
const appPorts = [await freePort(), await freePort()];
const uncachedPorts = [await freePort(), await freePort()];
const barePorts = [await freePort(), await freePort()];
for (const p of appPorts) servers.start(`serve on port ${p}`, ['src/cli/main.ts', 'serve'], { ...serverEnv, PORT: String(p) });
for (const p of uncachedPorts) servers.start(`serve (page cache off) on port ${p}`, ['src/cli/main.ts', 'serve'], { ...serverEnv, PORT: String(p), PAGE_CACHE_SECONDS: '0' });
for (const p of barePorts) servers.start(`bare Hono on port ${p}`, ['bench/load/bare-server.ts', String(p)]);
const apps = appPorts.map((p) => `http://127.0.0.1:${p}`);
const uncached = uncachedPorts.map((p) => `http://127.0.0.1:${p}`);
for (const u of [...apps, ...uncached]) await waitFor(`${u}/readyz`, (r) => r.status === 200);
for (const p of barePorts) await waitFor(`http://127.0.0.1:${p}/bare`, (r) => r.status === 200);
// Each process builds its search index from the store at start; measure once searches answer.
const hits = (body: unknown) => (Array.isArray(body) ? body : ((body as { results?: unknown[] }).results ?? [])).length;
// Hybrid search answers with vectors only once the ANN index holds the stored vectors (on PostgreSQL
// every start inserts them, minutes on a loaded machine); until then it answers keyword results
// marked no-store. Measure the steady state: wait for a search that is not a stand-in.
for (const u of [...apps, ...uncached]) await waitFor(`${u}/api/papers/search?q=transformer&limit=7`, async (r) => r.status === 200 && hits(await r.json()) > 0 && r.headers.get('cache-control') !== 'no-store', 1_800_000);

// Warm-up: the first paper page of a process builds its similar-papers index (seconds on the corpus).
for (const u of [...apps, ...uncached]) for (const p of ['/', `/papers/${ids[0]}`, `/papers/date/${days[0]}`]) await waitFor(`${u}${p}`, (r) => r.status === 200, 300_000);

// One account per server process. Sign-up now waits for a mailed link, so the accounts and their
// sessions are made the way the server makes them (AccountService over the same store); the
// servers read the sessions from the store like any other.
const opened = await openStore(DB, { poolSize: 2 });
const accounts = createServices({ config: loadConfig({ PAPERBOY_DB: DB, LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false' }), logger: createLogger('silent'), store: opened.store }).accounts;
async function session(_base: string, name: string) {
  const user = await opened.store.users.create({ username: name, email: `${name}@example.org`, passwordHash: 'x', emailVerified: true });
  const { sessionToken, session: s } = await accounts.openSession(user.id);
  return { cookie: `${SESSION_COOKIE}=${sessionToken}`, csrf: s.csrfToken };
}
const tag = Date.now().toString(36);
const sessions = await Promise.all(apps.map((u, i) => session(u, `load${i}${tag}`)));
await opened.close();
// Sessions live in the store: the uncached processes take the same accounts.

const WORDS = ['transformer', 'diffusion', 'graph neural network', 'reinforcement learning', 'language model', 'attention', 'contrastive', 'segmentation', 'bayesian', 'robust', 'federated learning', 'quantization', '"large language"', 'protein', 'causal'];
const TAIL = values['search-tail'] ? loadQueries(values['search-tail']) : [];
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const searchPath = () => `/api/papers/search?q=${encodeURIComponent(TAIL.length && Math.random() < 0.5 ? pick(TAIL) : pick(WORDS))}`;
/** Reads answered by the anonymous page cache (pages and search API), summed over `urls`' /metrics. */
async function cacheCounts(urls: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const u of urls) {
    const text = await (await fetch(`${u}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    for (const m of text.matchAll(/^paperboy_page_cache_requests_total\{result="(\w+)"\} (\d+)/gm)) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  }
  return out;
}
const since = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));
let seq = 0;
/** Mixed traffic: 30% feed pages, 25% paper (page or API), 25% search, 20% upvote/un-upvote. */
function nextRequest(i: number) {
  const r = Math.random();
  const s = sessions[i];
  if (r < 0.3) return { method: 'GET', path: Math.random() < 0.5 ? '/' : `/papers/date/${pick(days)}` };
  if (r < 0.55) { const id = pick(ids); return { method: 'GET', path: Math.random() < 0.5 ? `/api/papers/${id}` : `/papers/${id}` }; }
  if (r < 0.8) return { method: 'GET', path: searchPath() };
  return { method: ++seq % 2 ? 'POST' : 'DELETE', path: `/api/papers/${pick(ids)}/upvote`, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } };
}

type Result = CannonResult;
function cannon(url: string, setup?: (req: CannonRequest) => CannonRequest): Promise<Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: ENCODING, ...(setup ? { requests: [{ setupRequest: setup }] } : {}) });
}
const summarise = (label: string, rs: Result[]) => {
  const requests = rs.reduce((n, r) => n + r.requests.total, 0);
  const rps = rs.reduce((n, r) => n + r.requests.average, 0);
  const non2xx = rs.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  const p99 = Math.max(...rs.map((r) => r.latency.p99));
  const p50 = Math.max(...rs.map((r) => r.latency.p50));
  const statuses: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) statuses[k] = (statuses[k] ?? 0) + v.count;
  return { label, requests, rps: Math.round(rps), p50, p99, errors: non2xx, statuses };
};

const bare = summarise('bare Hono (2 processes)', await Promise.all(barePorts.map((p) => cannon(`http://127.0.0.1:${p}/bare`))));
// Each kind alone (a third of the time each), to show where the mix spends it.
const kinds: Record<string, (i: number) => { method: string; path: string; headers?: Record<string, string> }> = {
  'feed pages': () => ({ method: 'GET', path: Math.random() < 0.5 ? '/' : `/papers/date/${pick(days)}` }),
  'paper (page or API)': () => { const id = pick(ids); return { method: 'GET', path: Math.random() < 0.5 ? `/api/papers/${id}` : `/papers/${id}` }; },
  'search API': () => ({ method: 'GET', path: searchPath() }),
  'upvote/un-upvote API': (i) => ({ method: ++seq % 2 ? 'POST' : 'DELETE', path: `/api/papers/${pick(ids)}/upvote`, headers: { cookie: sessions[i].cookie, 'x-csrf-token': sessions[i].csrf } }),
};
const alone: (ReturnType<typeof summarise> & { pageCache: Record<string, number> })[] = [];
for (const [label, make] of Object.entries(kinds)) {
  const before = await cacheCounts(apps);
  const result = summarise(label, await Promise.all(apps.map((u, i) => autocannon({ url: u, connections: CONNECTIONS, duration: Math.max(3, Math.round(SECONDS / 3)), requests: [{ setupRequest: (req: CannonRequest) => { const n = make(i); return { ...req, method: n.method, path: n.path, headers: { ...req.headers, ...ENCODING, ...(n.headers ?? {}) } }; } }] }))));
  alone.push({ ...result, pageCache: since(before, await cacheCounts(apps)) });
}
const mixedOn = (label: string, urls: string[]) =>
  servers.whileRunning(Promise.all(
    urls.map((u, i) =>
      cannon(u, (req) => {
        const n = nextRequest(i);
        return { ...req, method: n.method, path: n.path, headers: { ...req.headers, ...ENCODING, ...(n.headers ?? {}) } };
      }),
    ),
  )).then((rs) => summarise(label, rs));
const beforeMixed = await cacheCounts(apps);
// The load generator runs on the same cores as the servers: what it spends per request of the mix.
const clientCpu0 = process.cpuUsage();
const mixed = { ...(await mixedOn('Paperboy mixed (2 serve processes)', apps)), pageCache: {} as Record<string, number>, clientCpuMsPerRequest: 0 };
const clientCpu = process.cpuUsage(clientCpu0);
mixed.clientCpuMsPerRequest = +((clientCpu.user + clientCpu.system) / 1000 / Math.max(1, mixed.requests)).toFixed(3);
mixed.pageCache = since(beforeMixed, await cacheCounts(apps));
const mixedUncached = await mixedOn('Paperboy mixed, page cache off (2 serve processes)', uncached);
console.log(JSON.stringify({ papers, seconds: SECONDS, connectionsPerProcess: CONNECTIONS, load: os.loadavg()[0], bare, mixed, ratio: +(mixed.rps / bare.rps).toFixed(4), mixedUncached, cacheGain: +(mixed.rps / mixedUncached.rps).toFixed(2), alone }, null, 2));
servers.stopAll();
process.exit(mixed.errors || mixedUncached.errors ? 1 : 0);
