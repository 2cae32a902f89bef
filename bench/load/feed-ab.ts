/**
 * Feed pages alone, two trees alternately: `serve` of this tree and of `--baseline DIR` on one
 * database, autocannon on `/` and the 60 newest `/papers/date/DAY` pages (what `run.ts` calls
 * "feed pages") for `--seconds` each, `--rounds` times, with `Accept-Encoding: gzip`. Prints req/s,
 * p99, the page-cache hits and misses (from /metrics) and the serve process's CPU per request.
 *
 *   npx tsx bench/load/feed-ab.ts --db postgres://… --baseline /tmp/base [--seconds 5] [--rounds 4] [--connections 10]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannonModule from 'autocannon';
import pg from 'pg';
import type { Autocannon, Request as CannonRequest } from './autocannon-types.ts';
import { freePort, ServerProcesses } from './server-processes.ts';
import { cpuMs } from './process-cpu.ts';

const autocannon = autocannonModule as unknown as Autocannon;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { db: { type: 'string' }, baseline: { type: 'string' }, seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '4' }, connections: { type: 'string', default: '10' } } });
if (!values.db || !values.baseline) throw new Error('--db URL and --baseline DIR are required');
const client = new pg.Client({ connectionString: values.db });
await client.connect();
const days: string[] = (await client.query('select distinct day from feed_entries order by day desc limit 60')).rows.map((r) => r.day);
await client.end();
const METRICS_TOKEN = `bench-${Date.now()}`;
const servers = [
  { name: 'branch', root: ROOT },
  { name: 'baseline', root: path.resolve(values.baseline) },
].map((t) => ({ ...t, procs: new ServerProcesses(t.root), port: 0, pid: 0 }));
for (const s of servers) {
  s.port = await freePort();
  s.pid = s.procs.start(`serve (${s.name})`, ['src/cli/main.ts', 'serve'], { PAPERBOY_DB: values.db, LOG_LEVEL: 'warn', PAPERBOY_DEMO: 'false', HARVEST_ENABLED: 'false', HOST: '127.0.0.1', PORT: String(s.port), METRICS_TOKEN }).pid!;
}
for (const s of servers) await s.procs.waitFor(`http://127.0.0.1:${s.port}/api/papers/search?q=transformer&limit=7`, (r) => r.status === 200 && r.headers.get('cache-control') !== 'no-store', 1_800_000);
for (const s of servers) for (const p of ['/', `/papers/date/${days[0]}`]) await s.procs.waitFor(`http://127.0.0.1:${s.port}${p}`, (r) => r.status === 200, 300_000);
async function counts(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const get = (r: string) => Number(new RegExp(`paperboy_page_cache_requests_total\\{result="${r}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hit: get('hit'), miss: get('miss') };
}
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
for (let r = 0; r < Number(values.rounds); r++) {
  for (const s of r % 2 ? [...servers].reverse() : servers) {
    const c0 = await counts(s.port);
    const cpu0 = cpuMs(s.pid);
    const res = await autocannon({ url: `http://127.0.0.1:${s.port}`, connections: Number(values.connections), duration: Number(values.seconds), headers: { 'accept-encoding': 'gzip' }, requests: [{ setupRequest: (req: CannonRequest) => ({ ...req, path: Math.random() < 0.5 ? '/' : `/papers/date/${pick(days)}` }) }] });
    const cpu = cpuMs(s.pid) - cpu0;
    const c1 = await counts(s.port);
    console.log(JSON.stringify({ round: r + 1, tree: s.name, rps: Math.round(res.requests.average), requests: res.requests.total, p50: res.latency.p50, p99: res.latency.p99, errors: res.errors + res.non2xx, hits: c1.hit - c0.hit, misses: c1.miss - c0.miss, cpuMsPerRequest: +(cpu / res.requests.total).toFixed(2), load: +os.loadavg()[0].toFixed(2) }));
  }
}
for (const s of servers) s.procs.stopAll();
process.exit(0);
