/**
 * Where a `paperboy reindex` spends its CPU, thread by thread and second by second: runs the CLI on a
 * copy of an imported store, samples every thread's CPU time (`/proc/PID/task/TID/stat`, Linux) every
 * 100 ms, and prints each output line with the second it came at, each thread's total and a timeline
 * of how many of the 2 cores the process used — to see which phase holds the critical path.
 *
 *   node --import tsx bench/reindex/threads.ts STORE.db [--code DIR] [--every 1] [-- reindex flags]
 *
 * STORE.db is copied first (it is not changed); --code runs the CLI of another checkout (main from
 * `git archive`) for a same-run baseline. Ends with sha-256 fingerprints of what the reindex stored
 * (model, vectors, term vectors, keyword index files): two codes on one store compare by them.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { code: { type: 'string' }, every: { type: 'string' } } });
const store = positionals[0];
if (!store) {
  console.error('usage: bench/reindex/threads.ts STORE.db [--code DIR] [--every SECONDS] [-- reindex flags]');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'pb-threads-'));
const db = join(work, 'paperboy.db');
copyFileSync(store, db);
const code = resolve(values.code ?? '.');
const every = Number(values.every ?? 1);
const TICK = 100;
const HZ = 100;

interface Thread {
  name: string;
  ticks: number;
  /** CPU ticks per `every` seconds. */
  series: number[];
}
const threads = new Map<number, Thread>();
function sample(pid: number, at: number) {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const t = threads.get(Number(tid)) ?? { name, ticks: 0, series: [] };
    const bucket = Math.floor(at / every);
    t.series[bucket] = (t.series[bucket] ?? 0) + (ticks - t.ticks);
    t.ticks = ticks;
    t.name = name;
    threads.set(Number(tid), t);
  }
}

const started = performance.now();
const load0 = loadavg()[0];
const child = spawn('/usr/bin/time', ['-f', 'RUSAGE %e %U %S %M', process.execPath, '--import', 'tsx', join(code, 'src/cli/main.ts'), 'reindex', '--quiet', ...positionals.slice(1), '--db', db], { cwd: code, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
const lines: string[] = [];
const onData = (d: Buffer) => {
  const at = ((performance.now() - started) / 1000).toFixed(1);
  for (const l of d.toString().split('\n')) if (l.trim()) lines.push(`${at.padStart(6)}  ${l.length > 160 ? l.slice(0, 160) + '…' : l}`);
};
child.stdout.on('data', onData);
child.stderr.on('data', onData);
// /usr/bin/time's child is the node process.
let nodePid = 0;
const timer = setInterval(() => {
  if (!nodePid) {
    try {
      nodePid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'latin1').trim().split(' ')[0]) || 0;
    } catch {
      /* not yet */
    }
  }
  if (nodePid) sample(nodePid, (performance.now() - started) / 1000);
}, TICK);
const code_ = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
clearInterval(timer);
// What the reindex stored, to compare two codes on copies of one store: the model's bytes, every
// vector and term vector (with paper id and content hash), the keyword index files published.
const outputs = (() => {
  const sqlite = new Database(db, { readonly: true });
  try {
    const sha = () => createHash('sha256');
    const model = sha();
    for (const r of sqlite.prepare("SELECT data FROM search_models WHERE name = 'local-embedder'").iterate() as Iterable<{ data: Buffer }>) model.update(r.data);
    const vectors = sha();
    for (const r of sqlite.prepare('SELECT paper_id, embedder_id, key, vector, content_hash FROM paper_embeddings ORDER BY paper_id, embedder_id').iterate() as Iterable<{ paper_id: string; embedder_id: string; key: number; vector: Buffer; content_hash: string }>) {
      vectors.update(`${r.paper_id}\0${r.embedder_id}\0${r.key}\0${r.content_hash}\0`).update(r.vector);
    }
    const terms = sha();
    for (const r of sqlite.prepare('SELECT paper_id, embedder_id, content_hash, terms FROM paper_term_vectors ORDER BY paper_id, embedder_id').iterate() as Iterable<{ paper_id: string; embedder_id: string; content_hash: string; terms: Buffer }>) {
      terms.update(`${r.paper_id}\0${r.embedder_id}\0${r.content_hash}\0`).update(r.terms);
    }
    const keyword = sha();
    const dir = `${db}.search-index`;
    if (existsSync(dir)) for (const f of readdirSync(dir).filter((f) => f.startsWith('keyword')).sort()) keyword.update(f).update(readFileSync(join(dir, f)));
    const hex = (h: ReturnType<typeof sha>) => h.digest('hex').slice(0, 16);
    return `outputs: model ${hex(model)} / vectors ${hex(vectors)} / term vectors ${hex(terms)} / keyword index files ${hex(keyword)}`;
  } finally {
    sqlite.close();
  }
})();
rmSync(work, { recursive: true, force: true });
for (const l of lines) console.log(l);
console.log(outputs);
console.log(`exit ${code_}; load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
const list = [...threads.entries()].filter(([, t]) => t.ticks >= 5).sort((a, b) => b[1].ticks - a[1].ticks);
const buckets = Math.max(...list.map(([, t]) => t.series.length));
console.log(`\nper thread CPU (s), then cores used per ${every} s:`);
for (const [tid, t] of list) {
  const s = Array.from({ length: buckets }, (_, i) => ((t.series[i] ?? 0) / HZ / every).toFixed(1).replace(/^0\.0$/, ' . ').padStart(4)).join('');
  console.log(`${String(tid).padStart(8)} ${t.name.padEnd(16)} ${(t.ticks / HZ).toFixed(1).padStart(5)}  ${s}`);
}
const total = Array.from({ length: buckets }, (_, i) => list.reduce((a, [, t]) => a + (t.series[i] ?? 0), 0) / HZ / every);
console.log(`${''.padStart(8)} ${'all (cores)'.padEnd(16)} ${(list.reduce((a, [, t]) => a + t.ticks, 0) / HZ).toFixed(1).padStart(5)}  ${total.map((x) => x.toFixed(1).padStart(4)).join('')}`);
