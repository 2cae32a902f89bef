import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { BACKGROUND_NICE } from '../../src/thread-priority.ts';

/**
 * `paperboy reindex` runs below the servers it runs beside (issue 19: the feed page while a reindex
 * runs): every thread of it at nice BACKGROUND_NICE — its main thread (the keyword rebuild, the
 * stored vectors) and the threads it starts (the ANN graph's), not only the training and embedding
 * workers, which lowered themselves before (BENCHMARKS, start-up, round 24). `--foreground` keeps
 * the priority it was started with. Linux only: elsewhere nothing changes.
 */
const linux = process.platform === 'linux';
const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
const PRIORITY = path.resolve(import.meta.dirname, '../../src/thread-priority.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-reindex-priority-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
/** The nice value this test runs at: what a child starts with. */
const ours = os.getPriority(process.pid);

/** Each thread's nice value (field 19 of /proc/self/task/<tid>/stat), as a module a child imports. */
const NICE_OF_THREADS = `
import fs from 'node:fs';
export function niceOfThreads() {
  return Object.fromEntries(fs.readdirSync('/proc/self/task').map((tid) => {
    const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
    return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
  }));
}`;
const threadsModule = path.join(dir, 'threads.mjs');
fs.writeFileSync(threadsModule, NICE_OF_THREADS);
/** A worker that answers each message with its own thread's nice value. */
const workerModule = path.join(dir, 'worker.mjs');
fs.writeFileSync(workerModule, "import { parentPort } from 'node:worker_threads';\nimport os from 'node:os';\nparentPort.on('message', () => parentPort.postMessage(os.getPriority(0)));\n");

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

test('lowerProcessPriority lowers every thread already running, and the threads started after it inherit it', { skip: !linux && 'Linux only' }, async () => {
  const script = `
    import { Worker } from 'node:worker_threads';
    import { lowerProcessPriority } from ${JSON.stringify(PRIORITY)};
    import { niceOfThreads } from ${JSON.stringify(threadsModule)};
    const waiting = (w) => new Promise((r) => w.once('message', r));
    // A worker already running when the process is lowered, and one started after.
    const before = new Worker(${JSON.stringify(workerModule)});
    before.postMessage('nice?');
    const beforeNice = await waiting(before);
    const lowered = lowerProcessPriority();
    before.postMessage('nice?');
    const beforeAfter = await waiting(before);
    const later = new Worker(${JSON.stringify(workerModule)});
    later.postMessage('nice?');
    const laterNice = await waiting(later);
    const threads = niceOfThreads();
    console.log(JSON.stringify({ beforeNice, lowered, beforeAfter, laterNice, threads, main: threads[process.pid] }));
    await before.terminate();
    await later.terminate();`;
  const file = path.join(dir, 'lower.mjs');
  fs.writeFileSync(file, script);
  const r = await node(['--import', 'tsx', file]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { beforeNice: number; lowered: number; beforeAfter: number; laterNice: number; threads: Record<string, number>; main: number };
  const want = Math.max(ours, BACKGROUND_NICE);
  assert.equal(out.beforeNice, ours, 'a worker starts at the priority of the process');
  assert.equal(out.main, want, 'the main thread is lowered');
  assert.equal(out.beforeAfter, want, 'a worker already running is lowered');
  assert.equal(out.laterNice, want, 'a worker started afterwards inherits it');
  for (const [tid, nice] of Object.entries(out.threads)) assert.equal(nice, want, `thread ${tid}: ${JSON.stringify(out.threads)}`);
  if (ours < BACKGROUND_NICE) assert.ok(out.lowered >= 3, `the main thread, the first worker and V8's helpers: ${out.lowered}`);
});

test('paperboy reindex runs at nice BACKGROUND_NICE; --foreground keeps its priority', { skip: !linux && 'Linux only' }, async () => {
  const db = path.join(dir, 'store.db');
  const listing = path.join(dir, 'listing.jsonl');
  fs.writeFileSync(
    listing,
    ['Graph neural networks predict molecular properties.', 'Dark matter halos in galaxy clusters.', 'Pruning large language models removes weights.']
      .map((a, i) => {
        const id = `2503.${String(i + 1).padStart(5, '0')}`;
        return JSON.stringify({ id, title: a, authors: ['Ada Lovelace'], abstract: a, categories: ['cs.LG'], primary_category: 'cs.LG', comment: null, listing_date: '2025-03-03', abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}` });
      })
      .join('\n') + '\n',
  );
  // A preload that reports, as the command exits, each thread's nice value.
  const report = path.join(dir, 'report.mjs');
  fs.writeFileSync(report, `import { niceOfThreads } from ${JSON.stringify(threadsModule)};\nprocess.on('exit', () => process.stderr.write('NICE ' + JSON.stringify({ main: niceOfThreads()[process.pid] }) + '\\n'));\n`);
  const env = { PAPERBOY_DB: db, LOG_LEVEL: 'silent', SEARCH_EMBEDDER: 'none' };
  assert.equal((await node(['--import', 'tsx', MAIN, 'import', listing, '--quiet'], env)).code, 0);
  const niceOf = (r: { stderr: string }) => (JSON.parse(/^NICE (.+)$/m.exec(r.stderr)![1]) as { main: number }).main;
  const background = await node(['--import', 'tsx', '--import', report, MAIN, 'reindex', '--quiet'], env);
  assert.equal(background.code, 0, background.stderr);
  assert.equal(niceOf(background), Math.max(ours, BACKGROUND_NICE), background.stderr);
  const foreground = await node(['--import', 'tsx', '--import', report, MAIN, 'reindex', '--quiet', '--foreground'], env);
  assert.equal(foreground.code, 0, foreground.stderr);
  assert.equal(niceOf(foreground), ours, foreground.stderr);
  // Flags that do not go together are refused (exit 2) before anything changes: neither its priority nor the store.
  const fresh = path.join(dir, 'untouched.db');
  for (const flags of [['--keyword-only', '--reembed'], ['--keyword-only', '--similar-lists']]) {
    const refused = await node(['--import', 'tsx', '--import', report, MAIN, 'reindex', '--quiet', ...flags], { ...env, PAPERBOY_DB: fresh });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--keyword-only leaves the embeddings as they are/);
    assert.equal(niceOf(refused), ours, `${flags.join(' ')}: ${refused.stderr}`);
    assert.equal(fs.existsSync(fresh), false, 'no store was opened');
  }
  // Another command is not lowered.
  const search = await node(['--import', 'tsx', '--import', report, MAIN, 'search', 'pruning', '--json'], env);
  assert.equal(search.code, 0, search.stderr);
  assert.equal(niceOf(search), ours);
});
