/**
 * `paperboy serve` from start to steady state, as a deployment sees it: the real command in a
 * child process on a SQLite store of N papers, measured from outside.
 *
 *   npx tsx bench/startup/run.ts <arxiv-listings dir> <search-queries dir> [--papers N] [--db FILE]
 *
 * Two starts on the same file, in the same run:
 *   1. `build`: no published keyword index or For-you features (their directory and version rows
 *      removed) — both are built from the store, as every start did before, then published;
 *   2. `file`: the published files are there — loaded instead of built.
 * For each start: seconds until `/readyz` answers 200, until the "For you" features are ready (and
 * how: built or loaded, the server's own time for it, the papers added as the delta), the
 * server's resident memory (VmRSS once ready and warm, VmHWM = its peak), and a feed page (`/`)
 * fetched one request at a time from the moment the port answers until start-up work ends, against
 * the same number of requests once idle (the baseline). After the second start, the search API:
 * the 200 mixed queries of bench/search, `GET /api/papers/search?q=&limit=20`, one at a time.
 *
 * --baseline DIR: another checkout (say `main`, with node_modules) whose `serve` starts on the same
 * store and published files too, alternating with this checkout's, --rounds times: the same-run
 * baseline of a change to start-up. --skip-build: the files are published already (a previous run
 * on the same --db): no `build` start. --reindex: then, for each checkout, a started server serves
 * the feed (and a search every second, which swaps in a newly published keyword index) while
 * `paperboy reindex` of the same checkout runs beside it on the same store, until it has ended and
 * the server has loaded its keyword index.
 *
 * --embedder local: the servers and the reindex run with SEARCH_EMBEDDER=local (the default
 * configuration: the corpus-trained model, its vectors and ANN index; the store gets them from one
 * `paperboy reindex` before the starts when it has none) instead of `none` (keyword search only,
 * the default here). With --reindex, the feed is measured for 15 s more after the reindex ended and
 * the keyword index was swapped (the server picks up the new model's space on its own clocks), and
 * the same page idle again after it. The servers' embedding and similar-lists jobs are off then
 * (`SEARCH_EMBED_SCHEDULE`; --embed-jobs keeps them): see `embedJobs` below.
 *
 * --trace: a preload (`trace.mjs`) records inside the server what each request waited for, when the
 * port opened and the loop's first turn after it; printed per start, raw lines in the temp directory.
 * --cpu-prof DIR: V8 CPU profiles of every thread of each started server (read with `profile.ts`).
 * --cold-client: the bench process's own fetch is not warmed before the first start (by default it
 * decompresses a few pages from a throwaway server first: its first compressed answer cost it 15–24 ms
 * of CPU, charged to the first start's request #0 — round 27); each slow request's line says the
 * client's CPU too.
 * --v8-gc-log: V8's own line per collection (`node --trace-gc`: its kind, heap before and after, and
 * the reason that started it — "external memory pressure", "allocation failure", ...) for each
 * server, to a file named per start in the temp directory (the lines go to the server's stdout).
 *
 * Without --papers the store is the real corpus imported as arXiv listings (feed days, so the
 * For-you index has its 180 days); with --papers N it is the corpus repeated with new ids and
 * shuffled text, still as arXiv listings with their days (bench/lib/synthetic-corpus.ts).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Importer, importInputs } from '../../src/ingest/importer.ts';
import { openStore } from '../../src/store/index.ts';
import { syntheticListings } from '../lib/synthetic-corpus.ts';
import { loadQueries, percentiles } from '../search/common.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    papers: { type: 'string' },
    db: { type: 'string' },
    'min-requests': { type: 'string', default: '200' },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    'skip-build': { type: 'boolean', default: false },
    reindex: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'v8-gc-log': { type: 'boolean', default: false },
    embedder: { type: 'string', default: 'none' },
    'embed-jobs': { type: 'boolean', default: false },
    'cold-client': { type: 'boolean', default: false },
  },
});
const [corpusDir, queriesDir] = positionals;
// --embedder local: the servers and the reindex run the default configuration (the corpus-trained
// model, its vectors and ANN index); `none` (the default here) is keyword search only, as before.
const embedderMode = values.embedder!;
if (embedderMode !== 'none' && embedderMode !== 'local') {
  console.error('--embedder is none or local');
  process.exit(2);
}
if (!corpusDir || !queriesDir) {
  console.error('usage: bench/startup/run.ts <arxiv-listings dir> <search-queries dir> [--papers N] [--db FILE]');
  process.exit(2);
}
// With --embedder local the servers' embedding and similar-lists jobs (SEARCH_EMBED_SCHEDULE) are
// off unless --embed-jobs: the bench's store has no similar-papers lists (filling them takes 6+
// minutes at 75k), and the job filling them, 250 lists a minute in every server, is background work
// of its own (measured by bench/jobs), not the reindex's: off, the servers are those of a deployment
// whose lists are all stored, where the job finds nothing to do.
const embedJobs = embedderMode === 'local' && !values['embed-jobs'] ? { SEARCH_EMBED_SCHEDULE: '0 0 1 1 *' } : {};
const load = () => loadavg()[0].toFixed(1);
const fmt = (p: { p50: number; p99: number }) => `p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms`;
const synthetic = values.papers ? Number(values.papers) : 0;
const dbFile = values.db ?? path.join(tmpdir(), `paperboy-startup-${synthetic || 'real'}.db`);

// --- the store ------------------------------------------------------------------------------------
{
  let opened = await openStore(dbFile);
  const want = synthetic || null;
  const have = await opened.store.papers.count();
  if (!have || (want !== null && have !== want)) {
    await opened.close();
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
    opened = await openStore(dbFile);
    // The repeated corpus is written (or found) before the clock starts: writing 2.5M lines was
    // counted as import time before.
    const listings = synthetic ? await syntheticListings(corpusDir, synthetic) : corpusDir;
    const t = performance.now();
    const importer = new Importer(opened.store, { workers: 2 });
    await importer.importFiles(importInputs(listings), {});
    await importer.close();
    const imported = performance.now();
    console.log(`imported ${await opened.store.papers.count()} papers in ${((imported - t) / 1000).toFixed(1)} s (load ${load()})`);
    await opened.store.search.drainFullTextQueue();
    console.log(`full-text index (FTS5) filled in ${((performance.now() - imported) / 1000).toFixed(1)} s (load ${load()})`);
    console.log(`store of ${await opened.store.papers.count()} papers built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  // --embedder local: the model, the vectors and the ANN index a deployment has before its servers
  // start — one `paperboy reindex` of this checkout with the servers' environment, when the store has
  // no complete embedding space yet (its published files too: the `build` start removes them).
  const spaces = await opened.store.embeddingSpaces.list();
  await opened.close();
  if (embedderMode === 'local' && !spaces.some((s) => s.completeAt && s.embedderId.startsWith('local-'))) {
    const t = performance.now();
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'reindex', '--quiet'], { env: serverEnvFor(dbFile), stdio: 'inherit' });
    console.log(`the store's model, vectors and ANN index: paperboy reindex in ${((performance.now() - t) / 1000).toFixed(1)} s (load ${load()})`);
  }
  {
    const again = await openStore(dbFile);
    const complete = (await again.store.embeddingSpaces.list()).filter((s) => s.completeAt).map((s) => s.embedderId);
    console.log(`store: ${dbFile}, ${await again.store.papers.count()} papers, ${(fs.statSync(dbFile).size / 1e6).toFixed(0)} MB; embedding spaces: ${complete.join(', ') || 'none'}; servers run with SEARCH_EMBEDDER=${embedderMode}`);
    await again.close();
  }
}

// --- one start -------------------------------------------------------------------------------------
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A process's CPU seconds so far (user + system), from /proc. */
function serverCpu(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A thread's time on a core and waiting for one (ms), from /proc/PID/task/TID/schedstat: the server's request thread is the task whose id is the process's. */
function schedstat(pid: number, tid = pid): { cpu: number; wait: number } {
  const [cpu, wait] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
  return { cpu: cpu / 1e6, wait: wait / 1e6 };
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One request, with the bench process's own CPU time meanwhile (`clientCpu`, ms): the client's share of the wall time. */
async function timed(url: string, id?: string): Promise<{ ms: number; status: number; cache: string | null; clientCpu: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const clientCpu = () => {
    const u = process.cpuUsage(c);
    return (u.user + u.system) / 1000;
  };
  try {
    const res = await fetch(url, id ? { headers: { 'x-request-id': id } } : {});
    await res.arrayBuffer();
    return { ms: performance.now() - t, status: res.status, cache: res.headers.get('x-page-cache'), clientCpu: clientCpu() };
  } catch {
    return { ms: performance.now() - t, status: 0, cache: null, clientCpu: clientCpu() };
  }
}

/**
 * The client's own first compressed answer costs the bench process 15–19 ms of CPU (undici's
 * decompression path compiled, round 27): without this, the first start's first feed request was
 * charged it — 58 ms at the client against 17 ms in the server (round 26). A throwaway local server
 * answers a few gzip pages first (--cold-client: not done, to see it).
 */
async function warmClient(): Promise<void> {
  const { createServer: createHttp } = await import('node:http');
  const { gzipSync } = await import('node:zlib');
  const page = gzipSync(Buffer.from('<!doctype html><p>warm-up</p>'.repeat(4000)));
  const other = createHttp((_q, s) => s.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(page)).listen(0, '127.0.0.1');
  await new Promise((r) => other.once('listening', r));
  const port = (other.address() as { port: number }).port;
  for (let i = 0; i < 5; i++) await timed(`http://127.0.0.1:${port}/`);
  await new Promise((r) => other.close(r));
}

const queries = loadQueries(queriesDir);

const serverEnv = serverEnvFor(dbFile);
function serverEnvFor(db: string): NodeJS.ProcessEnv {
  return { ...process.env, PAPERBOY_DB: db, SEARCH_EMBEDDER: embedderMode, SEARCH_KEYWORD_ENGINE: 'memory', LOG_FORMAT: 'json', LOG_LEVEL: 'info', HARVEST_ENABLED: 'false', API_RATE_LIMIT_IP: '1000000', RATE_LIMIT_LOGIN_IP: '1000/1', SEARCH_INDEX_POLL_SECONDS: '2', ...embedJobs };
}

async function start(label: string, search: boolean, cwd = process.cwd(), reindex = false): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const preload = values.trace ? ['--import', new URL('./trace.mjs', import.meta.url).href] : [];
  // --cpu-prof DIR: V8's CPU profile of each of the server's threads, written when it exits (one
  // directory per start; open them in Chrome DevTools or read them with bench/startup/profile.ts).
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', path.resolve(values['cpu-prof'], label.replace(/[^a-z0-9]+/gi, '-'))] : [];
  const gcLog = values['v8-gc-log'] ? path.join(tmpdir(), `startup-v8-gc-${label.replace(/[^a-z0-9]+/gi, '-')}.log`) : null;
  const gcLogFd = gcLog ? fs.openSync(gcLog, 'w') : null;
  const child: ChildProcess = spawn(process.execPath, [...profile, ...(gcLog ? ['--trace-gc'] : []), '--import', 'tsx', ...preload, 'src/cli/main.ts', 'serve', '--port', String(port), '--host', '127.0.0.1', '--no-demo'], {
    cwd,
    env: serverEnv,
    stdio: ['ignore', gcLogFd ?? 'ignore', 'pipe'],
  });
  if (gcLogFd !== null) {
    fs.closeSync(gcLogFd);
    console.log(`[${label}] V8's GC lines: ${gcLog}`);
  }
  let swappedAt: number | null = null;
  let forYouAt: number | null = null;
  let forYouLog: { source?: string; ms?: number; papers?: number; delta?: number; version?: number | null; rejected?: string | null } = {};
  let keywordLog = '';
  // --trace: the preload's lines and the server's request log, read after the run.
  const traced: string[] = [];
  // The server's own info and warn lines (not requests, not the trace), when the bench saw them.
  const events: { at: number; msg: string }[] = [];
  // The server's last log lines, printed if it dies before it is ready (a 2.5M start did, silently).
  const tail: string[] = [];
  // The whole log, kept for a look after the run (at 2.5M a server was not ready after 496 s and
  // its log, which said why, was gone with it).
  const logFile = path.join(tmpdir(), `paperboy-startup-${label.replace(/[^a-z0-9]+/gi, '-')}-${child.pid}.log`);
  const logOut = fs.createWriteStream(logFile);
  console.log(`[${label}] the server's log: ${logFile}`);
  child.on('exit', () => logOut.end());
  let buf = '';
  child.stderr!.on('data', (d: Buffer) => {
    logOut.write(d);
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (/(built|loaded) the \\?"For you\\?" index/.test(line)) {
        forYouAt = performance.now();
        try {
          forYouLog = JSON.parse(line);
        } catch {
          // not JSON: the time alone
        }
      }
      if (line.includes('keyword index')) keywordLog += line.slice(0, 300) + '\n';
      if (line.includes('loaded a newer keyword index')) swappedAt = performance.now();
      if (values.trace && (line.includes('"trace":true') || line.includes('"msg":"request"') || line.includes('Paperboy is serving') || /(built|loaded) the \\?"For you\\?" index/.test(line))) traced.push(line);
      if (!line.includes('"trace":true') && !line.includes('"msg":"request"')) {
        const m = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line);
        if (m) events.push({ at: performance.now(), msg: m[1].replace(/\\"/g, '"').slice(0, 140) });
      }
      tail.push(line.slice(0, 500));
      if (tail.length > 20) tail.shift();
    }
  });
  let gone = false;
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => ((gone = true), r(code))));
  // Wait for the port: /healthz answers as soon as the server listens. A server that exits first (a
  // --baseline checkout that cannot open a store migrated by a newer one, say) ends the run with its
  // last lines instead of a wait for ever.
  while ((await timed(`${base}/healthz`)).status !== 200) {
    if (gone) throw new Error(`[${label}] the server exited (code ${await exited}) before it listened; its last lines:\n${tail.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const listening = performance.now();
  let readyAt: number | null = null;
  const during: number[] = [];
  // Each one's page-cache answer (X-Page-Cache: hit or miss).
  const duringCache: (string | null)[] = [];
  // The bench process's own CPU during each (ms).
  const duringClientCpu: number[] = [];
  // When each was sent, ms after the port answered.
  const sentAt: number[] = [];
  let errors = 0;
  let peakLoad = 0;
  // The feed, one request at a time, while start-up work runs; /readyz checked between requests.
  while (readyAt === null || forYouAt === null) {
    sentAt.push(performance.now() - listening);
    const r = await timed(`${base}/`, `during-${during.length}`);
    if (r.status !== 200) errors++;
    during.push(r.ms);
    duringCache.push(r.cache);
    duringClientCpu.push(r.clientCpu);
    peakLoad = Math.max(peakLoad, loadavg()[0]);
    if (readyAt === null && (await timed(`${base}/readyz`)).status === 200) readyAt = performance.now();
    if (performance.now() - t0 > 30 * 60_000) throw new Error('not ready after 30 minutes');
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`[${label}] the server exited (${child.exitCode ?? child.signalCode}) before it was ready; its last log lines:\n${tail.join('\n')}`);
  }
  const rssReady = status(child.pid!, 'VmRSS');
  // Idle baseline: the same page, as many requests (at least --min-requests).
  const idle: number[] = [];
  let idleMisses = 0;
  const count = Math.max(during.length, Number(values['min-requests']));
  for (let i = 0; i < count; i++) {
    const r = await timed(`${base}/`, `idle-${i}`);
    idle.push(r.ms);
    if (r.cache === 'miss') idleMisses++;
  }
  const d = percentiles(during);
  const b = percentiles(idle);
  if (values.trace) {
    await new Promise((r) => setTimeout(r, 1500));
    printTrace(label, traced, t0, during, sentAt, duringCache, duringClientCpu);
    // The raw lines, for a closer look.
    const rawFile = path.join(tmpdir(), `startup-trace-${label.replace(/[^a-z0-9]+/gi, '-')}.jsonl`);
    fs.writeFileSync(rawFile, traced.join('\n') + '\n');
    console.log(`[${label}] trace: raw lines in ${rawFile}`);
  }
  console.log(`[${label}] listening after ${((listening - t0) / 1000).toFixed(1)} s; /readyz 200 after ${((readyAt! - t0) / 1000).toFixed(1)} s; "For you" ready after ${((forYouAt! - t0) / 1000).toFixed(1)} s`);
  console.log(
    `[${label}] "For you" features ${forYouLog.source === 'file' ? `loaded from published v${forYouLog.version}` : 'built from the store'}: ${forYouLog.papers} papers (${forYouLog.delta ?? 0} as the delta) in ${((forYouLog.ms ?? NaN) / 1000).toFixed(1)} s of the server's time${forYouLog.rejected ? `; the published file was refused (${forYouLog.rejected})` : ''}`,
  );
  if (keywordLog) console.log(`[${label}] ${keywordLog.trim()}`);
  console.log(`[${label}] feed page while start-up work ran: ${during.length} requests (${duringCache.filter((x) => x === 'miss').length} page-cache misses), ${fmt(d)}, max ${Math.max(...during).toFixed(1)} ms, ${errors} errors (load up to ${peakLoad.toFixed(1)}); idle baseline, ${idle.length} requests (${idleMisses} misses): ${fmt(b)}; load ${load()}`);
  if (reindex) {
    // `paperboy reindex` of the same checkout on the same store; the feed one request at a time
    // beside it, and a search every second (a search is what makes the server look for a newer
    // keyword index and swap it in), until the reindex has ended and the server has swapped — and,
    // with --embedder local, SETTLE_MS more: the server picks up the new model, vectors and ANN index
    // on its own clocks (the embedding space's choice, the ANN index's top-up) after the swap.
    const settleMs = embedderMode === 'local' ? 15_000 : 0;
    const r0 = performance.now();
    const cpu0 = serverCpu(child.pid!);
    const sched0 = schedstat(child.pid!);
    const serverLines0 = events.length;
    const job = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'reindex', '--quiet'], { cwd, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    job.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    job.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    let jobEnded: number | null = null;
    let jobCpu = 0;
    const jobExit = new Promise<number | null>((r) => job.on('exit', (code) => ((jobEnded = performance.now()), r(code))));
    // The reindex process's CPU, read while it runs (gone from /proc once it exits).
    const jobCpuTimer = setInterval(() => {
      try {
        jobCpu = serverCpu(job.pid!);
      } catch {
        // exited
      }
    }, 250);
    const feed: number[] = [];
    const feedSent: number[] = [];
    const searches: number[] = [];
    let lastSearch = 0;
    let reindexLoad = 0;
    while (jobEnded === null || (swappedAt === null && performance.now() - jobEnded! < 60_000) || performance.now() - Math.max(jobEnded!, swappedAt ?? 0) < settleMs) {
      feedSent.push(performance.now() - r0);
      feed.push((await timed(`${base}/`, `reindex-${feed.length}`)).ms);
      reindexLoad = Math.max(reindexLoad, loadavg()[0]);
      if (performance.now() - lastSearch > 1000) {
        lastSearch = performance.now();
        searches.push((await timed(`${base}/api/papers/search?limit=20&q=${encodeURIComponent(queries[searches.length % queries.length])}`)).ms);
      }
      if (performance.now() - r0 > 30 * 60_000) throw new Error('reindex not done after 30 minutes');
    }
    const code = await jobExit;
    clearInterval(jobCpuTimer);
    const busy = serverCpu(child.pid!) - cpu0;
    const sched1 = schedstat(child.pid!);
    const f = percentiles(feed);
    // The same page idle once more, after the reindex and the swap (as many as --min-requests).
    const after: number[] = [];
    for (let i = 0; i < Number(values['min-requests']); i++) after.push((await timed(`${base}/`, `after-${i}`)).ms);
    const slow = feed.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log(`[${label}] reindex beside the server: exit ${code}, ${((jobEnded! - r0) / 1000).toFixed(1)} s, its CPU ≥ ${jobCpu.toFixed(1)} s; ${out.trim().split('\n').slice(-1)[0]}`);
    console.log(`[${label}] the server ${swappedAt !== null ? `swapped in the new keyword index ${((swappedAt - r0) / 1000).toFixed(1)} s after the reindex started` : 'did NOT swap in a new keyword index'}; its CPU meanwhile ${busy.toFixed(1)} s; its request thread ran ${((sched1.cpu - sched0.cpu) / 1000).toFixed(1)} s and waited ${((sched1.wait - sched0.wait) / 1000).toFixed(1)} s for a core (runnable, not running) in the ${((performance.now() - r0) / 1000).toFixed(1)} s`);
    console.log(`[${label}] the server's log meanwhile: ${events.slice(serverLines0).filter((e) => e.at >= r0).map((e) => `${((e.at - r0) / 1000).toFixed(1)} s ${e.msg}`).join('; ') || 'nothing'}`);
    console.log(`[${label}] feed page while reindex ran: ${feed.length} requests, ${fmt(f)}, max ${Math.max(...feed).toFixed(1)} ms (load up to ${reindexLoad.toFixed(1)}); searches ${fmt(percentiles(searches))}; the slowest (ms, sent s after the reindex started): ${slow.map(({ ms, i }) => `${ms.toFixed(0)} (${(feedSent[i] / 1000).toFixed(1)} s)`).join(', ')}`);
    console.log(`[${label}] idle feed page in the same server: before the reindex ${idle.length} requests ${fmt(b)}; after it ${after.length} requests ${fmt(percentiles(after))}; load ${load()}`);
    if (values.trace) {
      await new Promise((r) => setTimeout(r, 1500));
      printReindexTrace(label, traced, feed, feedSent);
      const rawFile = path.join(tmpdir(), `startup-trace-${label.replace(/[^a-z0-9]+/gi, '-')}.jsonl`);
      fs.writeFileSync(rawFile, traced.join('\n') + '\n');
      console.log(`[${label}] trace: raw lines (start-up and reindex) in ${rawFile}`);
    }
  }
  if (search) {
    const ask = async (q: string) => {
      const res = await fetch(`${base}/api/papers/search?limit=20&q=${encodeURIComponent(q)}`);
      if (res.status !== 200) throw new Error(`${res.status} for ${q}`);
      await res.arrayBuffer();
    };
    for (const q of queries.slice(0, 20)) await ask(q);
    const ms: number[] = [];
    const loadBefore = load();
    for (const q of queries) {
      const t = performance.now();
      await ask(q);
      ms.push(performance.now() - t);
    }
    console.log(`[${label}] search API, ${queries.length} queries one at a time, top 20: ${fmt(percentiles(ms))}; load ${loadBefore} → ${load()}`);
  }
  const rss = status(child.pid!, 'VmRSS');
  const hwm = status(child.pid!, 'VmHWM');
  console.log(`[${label}] resident: ${rssReady.toFixed(0)} MB once ready and warm, ${rss.toFixed(0)} MB at the end, peak ${hwm.toFixed(0)} MB`);
  child.kill('SIGTERM');
  await exited;
}

/**
 * --trace: inside the server, for the feed requests during start-up and idle: the handler's own time
 * (the request log's `ms`), the server's time from request to response, the immediates (sliced
 * start-up work) that ran meanwhile, the loop's longest gap, and the event loop's delay per second.
 */
function printTrace(label: string, lines: string[], t0: number, during: number[], sentAt: number[], cache: (string | null)[], clientCpu: number[]): void {
  const parsed = lines.flatMap((l) => {
    try {
      return [JSON.parse(l.slice(l.indexOf('{')))];
    } catch {
      return [];
    }
  });
  for (const phase of ['during', 'idle']) {
    const handler = parsed.filter((o) => o.msg === 'request' && String(o.reqId).startsWith(phase + '-')).map((o) => o.ms as number);
    const reqs = parsed.filter((o) => o.kind === 'request' && String(o.id).startsWith(phase + '-'));
    if (!reqs.length) continue;
    const server = reqs.map((o) => o.ms as number);
    const imm = reqs.map((o) => o.immediates as number);
    const immMs = reqs.map((o) => o.immediateMs as number);
    const gap = reqs.map((o) => o.longestGap as number);
    const cpu = reqs.map((o) => o.cpu as number);
    const cpuGap = reqs.map((o) => o.longestCpuGap as number);
    const max = (xs: number[]) => Math.max(...xs).toFixed(1);
    const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
    console.log(
      `[${label}] trace, ${phase}: ${reqs.length} requests; handler (request log) ${handler.length ? `${fmt(percentiles(handler))}, max ${max(handler)} ms` : 'n/a'}; in the server ${fmt(percentiles(server))}, max ${max(server)} ms; ` +
        `request thread's CPU while one was in flight ${fmt(percentiles(cpu))}, max ${max(cpu)} ms; immediates run meanwhile: mean ${mean(imm)}, max ${max(imm)} (${mean(immMs)} / ${max(immMs)} ms); ` +
        `longest loop gap in a request: wall p99 ${percentiles(gap).p99.toFixed(1)} / max ${max(gap)} ms, CPU p99 ${percentiles(cpuGap).p99.toFixed(1)} / max ${max(cpuGap)} ms`,
    );
  }
  // The request thread's CPU stretches without a turn of the loop, from listening until the For-you
  // features are in (what a request arriving then waits for on an idle machine), and what ran in them.
  const from = parsed.findIndex((o) => String(o.msg ?? '').startsWith('Paperboy is serving'));
  const to = parsed.findIndex((o) => /the "For you" index/.test(String(o.msg ?? '')));
  if (from >= 0 && to > from) {
    const window = parsed.slice(from, to + 1);
    const stretches = window.flatMap((o, i) => (o.kind === 'stretch' ? [{ ...o, i }] : []));
    const cpu = stretches.map((o) => o.cpu as number).sort((a, b) => b - a);
    const gcs = window.filter((o) => o.kind === 'gc').map((o) => o.ms as number);
    console.log(
      `[${label}] trace, listening → For you ready: request-thread CPU stretches without a loop turn: ${stretches.length} of 8 ms or more, ${cpu.filter((c) => c >= 20).length} of 20+, ${cpu.filter((c) => c >= 50).length} of 50+; longest ${cpu.slice(0, 5).map((c) => c.toFixed(0)).join(' / ')} ms; GC pauses of 5 ms+: ${gcs.length} (${gcs.reduce((a, b) => a + b, 0).toFixed(0)} ms wall, longest ${gcs.length ? Math.max(...gcs).toFixed(0) : 0} ms)`,
    );
    // The request thread's own CPU from the port opening to the last whole second before For you
    // was ready: the start-up work left on it, plus the feed requests answered meanwhile.
    // The pauses of 10 ms+ by V8's kind (perf_hooks' `detail.kind` is V8's GCType: 1 scavenge,
    // 4 mark-compact, 8 incremental marking, 16 weak callbacks), and how many fell inside a feed
    // request (its span in the server against the pause's start and length).
    const feed = window.filter((o) => o.kind === 'request' && o.url === '/').map((o) => ({ end: o.t as number, start: (o.t as number) - (o.ms as number) }));
    const long = window.filter((o) => o.kind === 'gc' && (o.ms as number) >= 10);
    const kindName = (k: unknown) => ({ 1: 'scavenge', 4: 'mark-compact', 8: 'incremental', 16: 'weak callbacks' } as Record<number, string>)[k as number] ?? `kind ${k}`;
    const byKind = new Map<string, number>();
    for (const g of long) byKind.set(kindName(g.gc), (byKind.get(kindName(g.gc)) ?? 0) + 1);
    const inFeed = long.filter((g) => typeof g.start === 'number' && feed.some((r) => (g.start as number) < r.end && (g.start as number) + (g.ms as number) > r.start));
    console.log(
      `[${label}] trace, listening → For you ready: GC pauses of 10 ms+: ${long.length} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; ${long.map((g) => (g.ms as number).toFixed(0)).join(' / ') || '-'} ms), ${inFeed.length} inside a feed request`,
    );
    const opened = parsed.find((o) => o.kind === 'listening' && typeof o.cpu === 'number');
    const seconds = window.filter((o) => o.kind === 'second' && typeof o.cpu === 'number');
    const lastSecond = seconds[seconds.length - 1];
    if (opened && lastSecond) {
      const inRequests = window.filter((o) => o.kind === 'request' && (o.t as number) <= (lastSecond.t as number)).reduce((n, o) => n + ((o.cpu as number) ?? 0), 0);
      console.log(
        `[${label}] trace, listening → For you ready (to the last whole second, ${(((lastSecond.t as number) - (opened.t as number)) / 1000).toFixed(0)} s): request-thread CPU ${((lastSecond.cpu as number) - (opened.cpu as number)).toFixed(0)} ms, of which ${inRequests.toFixed(0)} ms while a request was in flight`,
      );
    }
    for (const st of stretches.sort((a, b) => b.cpu - a.cpu).slice(0, 4)) {
      // The GC pauses and statements logged just before the stretch ended belong to it.
      const inside = window.slice(Math.max(0, st.i - 6), st.i).filter((o) => (o.kind === 'gc' || o.kind === 'sql') && (o.t as number) >= (st.t as number) - st.wall);
      console.log(`[${label}]   ${(st.cpu as number).toFixed(0)} ms CPU (${(st.wall as number).toFixed(0)} ms wall): ${inside.map((o) => (o.kind === 'gc' ? `gc ${o.ms} ms` : `sql ${o.cpu} ms CPU "${String(o.sql).slice(0, 50)}"`)).join(', ') || 'no GC pause or statement of 5 ms+'}`);
    }
  }
  // The slowest feed requests during start-up: the client's time against the server's (the rest is
  // time before the server saw the request: the loop held, or the connection not yet accepted — or
  // the client's own work: its CPU meanwhile is printed too).
  const serverMs = new Map(parsed.filter((o) => o.kind === 'request').map((o) => [String(o.id), o]));
  const slowest = during.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms).slice(0, 3);
  console.log(
    `[${label}] trace: slowest feed requests during start-up (client ms / in the server ms, sent s after listening): ${slowest
      .map(({ ms, i }) => `#${i} ${ms.toFixed(0)} / ${serverMs.get(`during-${i}`)?.ms?.toFixed(0) ?? '?'} (${(sentAt[i] / 1000).toFixed(2)} s, ${cache[i] ?? '?'}, ${serverMs.get(`during-${i}`)?.cpu?.toFixed(0) ?? '?'} ms CPU, ${serverMs.get(`during-${i}`)?.immediates ?? '?'} imm., client CPU ${clientCpu[i]?.toFixed(0) ?? '?'} ms)`)
      .join(', ')}`,
  );
  // The first one (#0, sent as the port opened: the process's first feed request over HTTP).
  {
    const first = serverMs.get('during-0');
    const handler = parsed.find((o) => o.msg === 'request' && o.reqId === 'during-0');
    console.log(`[${label}] trace: the first feed request (#0): ${during[0]?.toFixed(1)} ms at the client (its CPU ${clientCpu[0]?.toFixed(1)} ms) / ${first?.ms?.toFixed(1) ?? '?'} ms in the server (handler ${handler?.ms ?? '?'} ms, request thread CPU ${first?.cpu?.toFixed(1) ?? '?'} ms, ${cache[0] ?? '?'})`);
  }
  const seconds = parsed.filter((o) => o.kind === 'second');
  const listened = parsed.find((o) => o.kind === 'listening');
  const listenedAt = (listened?.t as number | undefined) ?? 0;
  // The first turn of the loop after the port opened: the first stretch logged after it, if it ended
  // within a second (else no stretch of 8 ms+ held the loop then).
  const first = parsed.find((o) => o.kind === 'stretch' && (o.t as number) >= listenedAt && (o.t as number) < listenedAt + 1000);
  console.log(`[${label}] trace: after listening, the first stretch of 8 ms+ without a loop turn: ${first ? `ended ${((first.t as number) - listenedAt).toFixed(0)} ms after it, ${first.wall} ms wall, ${first.cpu} ms CPU, of which ${(first.cpu - (listened?.cpuSinceTurn ?? 0)).toFixed(1)} ms CPU after the port opened` : 'none in the first second'}`);
  const worst = seconds.filter((o) => o.eldMax > 20).map((o) => `${(((o.t as number) - listenedAt) / 1000).toFixed(0)}s: max ${(o.eldMax as number).toFixed(0)} ms (CPU gap ${(o.cpuGapMax as number).toFixed(0)} ms), ${o.immediates} imm`);
  console.log(`[${label}] trace: event-loop delay (monitorEventLoopDelay), per second (ending s after listening), over ${seconds.length} s: ${worst.length} seconds with a delay over 20 ms${worst.length ? `, the worst: ${worst.sort((a, b) => parseFloat(b.split('max ')[1]) - parseFloat(a.split('max ')[1])).slice(0, 3).join('; ')}` : ''}`);
  const last = seconds.filter((o) => o.origins).pop();
  if (last) console.log(`[${label}] trace: immediates scheduled from (every 64th, by then): ${JSON.stringify(last.origins)}`);
  void t0;
}

/**
 * --trace with --reindex: inside the server, for the feed requests while the reindex ran — the
 * server's time and the request thread's CPU per request, and, for the slowest, what happened inside
 * them: GC pauses, the request thread's CPU stretches without a loop turn, SQLite statements of 5 ms+.
 */
function printReindexTrace(label: string, lines: string[], feed: number[], sentAt: number[]): void {
  const parsed = lines.flatMap((l) => {
    try {
      return [JSON.parse(l.slice(l.indexOf('{')))];
    } catch {
      return [];
    }
  });
  const reqs = parsed.filter((o) => o.kind === 'request' && String(o.id).startsWith('reindex-'));
  if (!reqs.length) return;
  const max = (xs: number[]) => Math.max(...xs).toFixed(1);
  const from = (reqs[0].t as number) - (reqs[0].ms as number);
  const to = reqs[reqs.length - 1].t as number;
  const window = parsed.filter((o) => typeof o.t === 'number' && o.t >= from && o.t <= to);
  const gcs = window.filter((o) => o.kind === 'gc').map((o) => o.ms as number);
  const stretches = window.filter((o) => o.kind === 'stretch').map((o) => o.cpu as number).sort((a, b) => b - a);
  console.log(
    `[${label}] trace, reindex: ${reqs.length} feed requests; in the server ${fmt(percentiles(reqs.map((o) => o.ms)))}, max ${max(reqs.map((o) => o.ms))} ms; ` +
      `request thread's CPU while one was in flight ${fmt(percentiles(reqs.map((o) => o.cpu)))}, max ${max(reqs.map((o) => o.cpu))} ms; slices inside one, max ${max(reqs.map((o) => o.immediates))}; ` +
      `GC pauses of 5 ms+: ${gcs.length} (${gcs.reduce((a, b) => a + b, 0).toFixed(0)} ms, longest ${gcs.length ? max(gcs) : 0} ms); CPU stretches without a loop turn: ${stretches.length} of 8 ms+, ${stretches.filter((c) => c >= 20).length} of 20+, longest ${stretches.slice(0, 5).map((c) => c.toFixed(0)).join(' / ')} ms`,
  );
  const byId = new Map(reqs.map((o) => [String(o.id), o]));
  const slowest = feed.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms).slice(0, 6);
  for (const { ms, i } of slowest) {
    const r = byId.get(`reindex-${i}`);
    if (!r) {
      console.log(`[${label}]   #${i} ${ms.toFixed(0)} ms (sent ${(sentAt[i] / 1000).toFixed(1)} s): not seen by the server's trace`);
      continue;
    }
    const inside = parsed.filter((o) => typeof o.t === 'number' && o.t >= (r.t as number) - (r.ms as number) && o.t <= (r.t as number) && (o.kind === 'gc' || o.kind === 'stretch' || o.kind === 'sql'));
    console.log(
      `[${label}]   #${i} ${ms.toFixed(0)} ms client / ${(r.ms as number).toFixed(0)} ms in the server (sent ${(sentAt[i] / 1000).toFixed(1)} s after the reindex started), ${r.cpu} ms CPU, ${r.immediates} slices, longest loop gap ${r.longestGap} ms: ` +
        (inside.map((o) => (o.kind === 'gc' ? `gc ${o.ms} ms (${o.gc})` : o.kind === 'stretch' ? `stretch ${o.cpu} ms CPU / ${o.wall} ms wall` : `sql ${o.cpu} ms CPU "${String(o.sql).slice(0, 60)}"`)).join(', ') || 'nothing of 5 ms+ logged inside'),
    );
  }
}

console.log(`load before: ${load()} (the machine is shared)`);
if (!values['cold-client']) await warmClient();
if (!values['skip-build']) {
  fs.rmSync(`${dbFile}.search-index`, { recursive: true, force: true });
  // The published version rows go too: the first start must find nothing to load.
  {
    const opened = await openStore(dbFile);
    await opened.store.searchIndexFiles.prune('keyword', 2 ** 31 - 1);
    await opened.store.searchIndexFiles.prune('for-you', 2 ** 31 - 1);
    await opened.close();
  }
  await start('build', true);
}
const baseline = values.baseline ? path.resolve(values.baseline) : null;
for (let round = 1, rounds = Number(values.rounds); round <= rounds; round++) {
  const tag = rounds > 1 ? ` ${round}` : '';
  if (baseline) await start(`file, baseline${tag}`, round === rounds, baseline);
  await start(`file${tag}`, round === rounds);
}
if (values.reindex) {
  if (baseline) await start('reindex, baseline', false, baseline, true);
  await start('reindex', false, process.cwd(), true);
}
