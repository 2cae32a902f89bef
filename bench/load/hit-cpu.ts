/**
 * CPU per feed-page cache hit: two `paperboy serve` processes on one database — this tree's and
 * another tree's (`--baseline DIR`, e.g. main's code from `git archive`) — each asked for the feed
 * page (`/`) N times, a few requests at a time, by anonymous clients with `Accept-Encoding: gzip`
 * (what browsers send) and without (identity). After one warming request of each kind every request
 * is a page-cache hit (the servers' /metrics say so); the rounds start once both processes are idle. Rounds alternate tree and encoding; reported:
 * the serve process's CPU per request (Linux /proc: its every thread, zlib's pool too) and the bytes
 * of one answer.
 *
 *   npx tsx bench/load/hit-cpu.ts --db postgres://postgres@127.0.0.1:5432/paperboy_load --baseline /tmp/base [--requests 2000] [--rounds 3] [--concurrency 4] [--idle-wait 120]
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort, ServerProcesses } from './server-processes.ts';
import { cpuMs } from './process-cpu.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { db: { type: 'string' }, baseline: { type: 'string' }, requests: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '4' }, path: { type: 'string', default: '/' }, 'idle-wait': { type: 'string', default: '120' } } });
if (!values.db || !values.baseline) throw new Error('--db URL and --baseline DIR are required');
const N = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const PAGE = values.path!;
const METRICS_TOKEN = `bench-${Date.now()}`;
const env = (port: number) => ({ PAPERBOY_DB: values.db!, LOG_LEVEL: 'warn', PAPERBOY_DEMO: 'false', HARVEST_ENABLED: 'false', HOST: '127.0.0.1', PORT: String(port), METRICS_TOKEN, PAGE_CACHE_SECONDS: '3600' });

const trees = [
  { name: 'branch', root: ROOT },
  { name: 'baseline', root: path.resolve(values.baseline) },
];
const servers = trees.map((t) => ({ ...t, procs: new ServerProcesses(t.root), port: 0, pid: 0 }));
for (const s of servers) {
  s.port = await freePort();
  s.pid = s.procs.start(`serve (${s.name}) on port ${s.port}`, ['src/cli/main.ts', 'serve'], env(s.port)).pid!;
}
for (const s of servers) await s.procs.waitFor(`http://127.0.0.1:${s.port}/api/papers/search?q=transformer&limit=7`, (r) => r.status === 200 && r.headers.get('cache-control') !== 'no-store', 1_800_000);

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(port: number, headers: Record<string, string>): Promise<{ status: number; bytes: number; cache: string; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: PAGE, headers, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, cache: String(res.headers['x-page-cache']), encoding: String(res.headers['content-encoding'] ?? 'identity') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const kinds = { gzip: { 'accept-encoding': 'gzip' }, identity: {} } as const;
for (const s of servers) for (const h of Object.values(kinds)) await get(s.port, h);

// A fresh serve process keeps busy for a while after it answers (on PostgreSQL it loads the stored
// vectors into its ANN index, catches up the keyword index): its CPU would be counted against the
// hits. Measured once each process spent under 20 ms of CPU a second, three seconds running (at
// most `--idle-wait` seconds; then the CPU each spends a second unasked is printed beside the rounds).
const idleSince = Date.now();
let idleMsPerS: number[] = [];
for (let quiet = 0; quiet < 3 && Date.now() - idleSince < Number(values['idle-wait']) * 1000; ) {
  const before = servers.map((s) => cpuMs(s.pid));
  await new Promise((r) => setTimeout(r, 1000));
  idleMsPerS = servers.map((s, i) => cpuMs(s.pid) - before[i]);
  quiet = idleMsPerS.every((ms) => ms < 20) ? quiet + 1 : 0;
}
console.log(`after ${((Date.now() - idleSince) / 1000).toFixed(0)} s: CPU unasked, ms a second: ${servers.map((s, i) => `${s.name} ${idleMsPerS[i]}`).join(', ')}`);

async function hitsOf(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return Number(/paperboy_page_cache_requests_total\{result="hit"\} (\d+)/.exec(text)?.[1] ?? 0);
}

async function run(s: (typeof servers)[number], kind: keyof typeof kinds) {
  const hits0 = await hitsOf(s.port);
  const cpu0 = cpuMs(s.pid);
  const t0 = performance.now();
  let next = 0;
  let last = { status: 0, bytes: 0, cache: '', encoding: '' };
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < N) last = await get(s.port, kinds[kind]);
  }));
  const wall = performance.now() - t0;
  const cpu = cpuMs(s.pid) - cpu0;
  const hits = (await hitsOf(s.port)) - hits0;
  return { tree: s.name, kind, requests: N, hits, status: last.status, encoding: last.encoding, bytes: last.bytes, cpuMsPerHit: +(cpu / N).toFixed(3), wallMsPerHit: +(wall / N).toFixed(3), load: +os.loadavg()[0].toFixed(2) };
}

const rows: Awaited<ReturnType<typeof run>>[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...servers].reverse() : servers;
  for (const kind of ['gzip', 'identity'] as const) {
    for (const s of order) {
      const row = await run(s, kind);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}
for (const kind of ['gzip', 'identity'] as const) {
  const med = (name: string) => {
    const xs = rows.filter((x) => x.tree === name && x.kind === kind).map((x) => x.cpuMsPerHit).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)];
  };
  console.log(`${kind}: CPU per hit, median of ${ROUNDS}: branch ${med('branch')} ms, baseline ${med('baseline')} ms`);
}
agent.destroy();
for (const s of servers) s.procs.stopAll();
process.exit(0);
