/**
 * What a feed page's page-cache miss costs the request thread, in a fresh process and a warm one,
 * through the served path: the runtime opened and the app built as `serve` does, its warm-up render
 * of `/` before listening, then the real HTTP server, asked by `fetch` (as a browser or the start-up
 * bench asks: `Accept-Encoding: gzip`), each request a page-cache miss (`/?miss=N`).
 *
 *   npx tsx bench/startup/feed-miss.ts --db FILE [--renders 30] [--profile FILE.cpuprofile] [--profile-first N]
 *
 * Prints each request's wall time and the request thread's own CPU (/proc schedstat). No loaders
 * run (no keyword index, no "For you" load): the render alone. --profile: a V8 CPU profile (100 µs
 * samples) of the first --profile-first requests (default 1), to read with bench/startup/profile.ts
 * or summarise with --top.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openRuntime } from '../../src/services/runtime.ts';
import { createApp } from '../../src/http/app.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { warmUpPages } from '../../src/http/warm-up.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, renders: { type: 'string', default: '30' }, profile: { type: 'string' }, 'profile-first': { type: 'string', default: '1' }, 'no-warm-up': { type: 'boolean', default: false }, 'warm-up': { type: 'string', default: '3' } } });
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const cpuMs = () => Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6;
let t = performance.now();
let c = cpuMs();
const lap = (what: string) => {
  console.log(`${what}: ${(performance.now() - t).toFixed(0)} ms wall, ${(cpuMs() - c).toFixed(1)} ms CPU`);
  t = performance.now();
  c = cpuMs();
};
const config = loadConfig({ ...process.env, PAPERBOY_DB: values.db, SEARCH_EMBEDDER: 'none', SEARCH_KEYWORD_ENGINE: 'memory', HARVEST_ENABLED: 'false', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' });
const logger = createLogger('warn', 'json');
const runtime = await openRuntime(config, logger, { serving: true });
lap('opened the runtime');
const app = createApp(runtime.services);
lap('built the app');
const http = createHttpServer(app, { host: '127.0.0.1', logger });
if (!values['no-warm-up']) {
  await warmUpPages(http, Number(values['warm-up']));
  lap('warm-up');
}
const server = await http.listen(0);
lap('listening');
// The in-process client (undici) warmed on another server first: its first request's CPU is not the server's.
{
  const http = await import('node:http');
  const other = http.createServer((_q, s) => s.end('x'.repeat(60_000))).listen(0, '127.0.0.1');
  await new Promise((r) => other.once('listening', r));
  const port = (other.address() as { port: number }).port;
  for (let i = 0; i < 5; i++) await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
  other.close();
}
lap('client warmed');
const session = new Session();
if (values.profile) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
}
const rows: string[] = [];
const profileFirst = Number(values['profile-first']);
for (let i = 0; i < Number(values.renders); i++) {
  if (values.profile && i === 0) await session.post('Profiler.start');
  const t1 = performance.now();
  const c1 = cpuMs();
  const res = await fetch(`${server.url}/?miss=${i}`);
  const body = await res.arrayBuffer();
  rows.push(`${i}: ${res.status} ${res.headers.get('x-page-cache')} ${(body.byteLength / 1024).toFixed(0)} kB ${(performance.now() - t1).toFixed(1)} ms wall ${(cpuMs() - c1).toFixed(1)} ms CPU`);
  if (values.profile && i === profileFirst - 1) {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(values.profile, JSON.stringify(profile));
  }
}
console.log(rows.join('\n'));
await server.close();
await runtime.close();
