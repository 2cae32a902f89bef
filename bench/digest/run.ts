/**
 * bench/digest: build and send 10,000 personalised weekly digests over the real corpus to a local
 * SMTP sink, against a baseline measured in the same run: nodemailer alone sending 10,000 copies
 * of one finished digest to the same sink (the floor any digest sender pays for SMTP).
 *
 *   node --import tsx bench/digest/run.ts /work/shared/data/arxiv-listings [--subscribers 10000] [--date 2026-06-29]
 *
 * The corpus is imported once into a cached SQLite file; each run works on a fresh copy of it.
 */
import { fork, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.ts';
import { addDays } from '../../src/domain/digest-period.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { subscribers: { type: 'string', default: '10000' }, date: { type: 'string', default: '2026-06-29' }, cache: { type: 'string', default: path.join(os.tmpdir(), 'paperboy-bench-digest') } },
});
const corpus = positionals[0];
if (!corpus) {
  console.error('usage: bench/digest/run.ts <arxiv-listings dir> [--subscribers N] [--date MONDAY]');
  process.exit(2);
}
const N = Number(values.subscribers);
const date = values.date!;
fs.mkdirSync(values.cache!, { recursive: true });
const cached = path.join(values.cache!, 'corpus.db');
if (!fs.existsSync(cached)) {
  console.error(`importing ${corpus} into ${cached} (once)…`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', corpus, '--quiet', '--db', cached], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const work = path.join(values.cache!, `run-${process.pid}.db`);
fs.copyFileSync(cached, work);

// Seeded, so every run personalises the same way.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

// Readers: each upvoted 5 papers of the four weeks before the digest's week; most subscribe with
// personal picks, some filter by an archive, some follow an author, a search or a category. The week's papers get upvotes so trending ranks.
{
  const opened = await openStore(work);
  const db = opened.connection.db;
  const weekFrom = addDays(date, -6);
  const history = (await db.selectFrom('feed_entries').select('paper_id').where('day', '>=', addDays(date, -34)).where('day', '<', weekFrom).execute()).map((r) => r.paper_id);
  const week = (await db.selectFrom('feed_entries').select('paper_id').where('day', '>=', weekFrom).where('day', '<=', date).execute()).map((r) => r.paper_id);
  const weekAuthors = (await db.selectFrom('papers').select('authors').where('id', 'in', week.slice(0, 2000)).execute()).flatMap((r) => JSON.parse(r.authors) as string[]);
  const searches = ['diffusion', 'reinforcement learning', 'graph neural', 'quantum', 'transformer', 'large language models', 'black hole', 'benchmark'];
  const categories = ['cs.CV', 'cs.CL', 'math.PR', 'quant-ph', 'astro-ph.GA', 'stat.ML'];
  if (!week.length || !history.length) throw new Error(`no papers around ${date} in the corpus`);
  await db.transaction().execute(async (trx) => {
    for (const id of week) await trx.updateTable('papers').set({ upvotes: Math.floor(rand() ** 3 * 60) }).where('id', '=', id).execute();
  });
  const now = new Date().toISOString();
  const archives = ['cs', 'math', 'physics', 'stat', 'q-bio', 'astro-ph', 'cond-mat', 'hep-th', 'eess', 'quant-ph'];
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < N; i++) {
      const u = await trx.insertInto('users').values({ username: `bench${i}`, email: `bench${i}@users.example`, password_hash: 'x', created_at: now }).returning('id').executeTakeFirstOrThrow();
      const liked = new Set(Array.from({ length: 5 }, () => history[Math.floor(rand() * history.length)]));
      await trx.insertInto('upvotes').values([...liked].map((p) => ({ user_id: Number(u.id), paper_id: p, created_at: now }))).execute();
      // Follows: 30 % an author with a paper that week, 20 % a saved search, 10 % a category.
      const follows: { kind: string; value: string }[] = [];
      if (rand() < 0.3) follows.push({ kind: 'author', value: weekAuthors[Math.floor(rand() * weekAuthors.length)] });
      if (rand() < 0.2) follows.push({ kind: 'search', value: searches[Math.floor(rand() * searches.length)] });
      if (rand() < 0.1) follows.push({ kind: 'category', value: categories[Math.floor(rand() * categories.length)] });
      if (follows.length) await trx.insertInto('follows').values(follows.map((f) => ({ user_id: Number(u.id), ...f, created_at: now }))).execute();
      await trx
        .insertInto('mail_subscriptions')
        .values({
          email: `reader${i}@example.test`,
          user_id: rand() < 0.9 ? Number(u.id) : null,
          frequency: 'weekly',
          categories: JSON.stringify(rand() < 0.5 ? [] : [archives[Math.floor(rand() * archives.length)]]),
          personal_picks: 1,
          status: 'active',
          created_at: now,
          updated_at: now,
          confirmed_at: now,
        })
        .execute();
    }
  });
  await opened.close();
}

const sink = fork(path.join(ROOT, 'bench/digest/sink.ts'), [], { execArgv: ['--import', 'tsx'], cwd: ROOT });
const ask = <T>(msg: string | null): Promise<T> =>
  new Promise((resolve) => {
    sink.once('message', (m) => resolve(m as T));
    if (msg) sink.send(msg);
  });
const { port } = await ask<{ port: number }>(null);

const phase = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', values.cache!] : []), '--import', 'tsx', 'bench/digest/phase.ts', ...args], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!);
const digest = phase('digest', work, String(port), date);
const sinkAfterDigest = await ask<{ count: number; bytes: number }>('count');
await ask('reset');
const baseline = phase('baseline', work, String(port), String(N));
const sinkAfterBaseline = await ask<{ count: number; bytes: number }>('count');
sink.send('stop');
fs.rmSync(work, { force: true });
for (const ext of ['-wal', '-shm']) fs.rmSync(work + ext, { force: true });

const totalMs = digest.buildMs + digest.sendMs;
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const rows = [
  ['Paperboy: build + send (end to end)', digest.sent, (totalMs / 1000).toFixed(1), rate(digest.sent, totalMs), digest.peakRssMb],
  ['— of which building into the outbox', digest.created, (digest.buildMs / 1000).toFixed(1), rate(digest.created, digest.buildMs), ''],
  ['— of which sending from the outbox', digest.sent, (digest.sendMs / 1000).toFixed(1), rate(digest.sent, digest.sendMs), ''],
  ['Baseline: nodemailer, one fixed digest', baseline.sent, (baseline.sendMs / 1000).toFixed(1), rate(baseline.sent, baseline.sendMs), baseline.peakRssMb],
];
console.log(`\n${N} subscribers, weekly digest for ${date} (${digest.papers} papers in the week); sink accepted ${sinkAfterDigest.count} digests (${Math.round(sinkAfterDigest.bytes / 1e6)} MB) and ${sinkAfterBaseline.count} baseline mails`);
console.log(`digests with For-you picks in a sample: ${digest.picksInSample}, with a following section: ${digest.followingInSample}; average message ${Math.round(digest.avgHtmlBytes / 1000)} kB (text + HTML); failures ${digest.failed}; empty ${digest.empty}\n`);
console.log('| Phase | Messages | Seconds | Messages/s | Peak RSS (MB) |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
const cpu = (ms: number, n: number) => `${(ms / 1000).toFixed(1)} s (${(ms / n).toFixed(2)} ms/message)`;
console.log(`\nCPU: For-you index warm-up ${cpu(digest.warmCpuMs, 1)}; build ${cpu(digest.buildCpuMs, digest.created)}; send ${cpu(digest.sendCpuMs, digest.sent)}; baseline ${cpu(baseline.sendCpuMs, baseline.sent)}`);
console.log(`CPU per message / baseline: build + send ${((digest.buildCpuMs + digest.sendCpuMs) / digest.sent / (baseline.sendCpuMs / baseline.sent)).toFixed(2)}, send ${(digest.sendCpuMs / digest.sent / (baseline.sendCpuMs / baseline.sent)).toFixed(2)}`);
console.log(`\nend-to-end rate / baseline rate: ${(rate(digest.sent, totalMs) / rate(baseline.sent, baseline.sendMs)).toFixed(2)}; sending phase / baseline: ${(rate(digest.sent, digest.sendMs) / rate(baseline.sent, baseline.sendMs)).toFixed(2)}`);
