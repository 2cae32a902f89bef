/**
 * bench/import: imports a corpus of listing JSONL (e.g. ../shared/data/arxiv-listings) into SQLite
 * and PostgreSQL, twice each, next to a bare better-sqlite3 insert of the same parsed rows in one
 * transaction (the baseline), all in one run. Each phase runs in its own process.
 *
 *   npx tsx bench/import/run.ts <corpus-dir> [--pg postgres://postgres@127.0.0.1:5432/test]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fmt, markdownTable } from '../lib/report.ts';

const args = process.argv.slice(2);
const corpus = args.find((a) => !a.startsWith('--'));
const pgIdx = args.indexOf('--pg');
const pgBase = pgIdx >= 0 ? args[pgIdx + 1] : 'postgres://postgres@127.0.0.1:5432/test';
if (!corpus || !fs.existsSync(corpus)) {
  console.error('usage: npx tsx bench/import/run.ts <corpus-dir> [--pg URL]');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-import-'));
interface PhaseResult {
  phase: string;
  papers: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  summary?: Record<string, number>;
}
function runPhase(phase: string, location: string): PhaseResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'phase.ts'), phase, corpus!, location], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const rows: (string | number)[][] = [];
const add = (label: string, r: PhaseResult, baseline: PhaseResult) => {
  const rate = r.papers / r.seconds;
  const s = r.summary;
  rows.push([
    label,
    fmt(r.papers),
    fmt(r.seconds, 2),
    fmt(rate),
    fmt(rate / (baseline.papers / baseline.seconds), 2),
    fmt(r.cpuSeconds, 2),
    fmt(baseline.cpuSeconds / r.cpuSeconds, 2),
    fmt(r.peakRssMb),
    s ? `${s.inserted} / ${s.updated} / ${s.unchanged} / ${s.failed}` : '—',
  ]);
};

const baseline = runPhase('baseline', path.join(tmp, 'baseline.db'));
add('baseline: bare better-sqlite3 insert, one transaction', baseline, baseline);
// Not a baseline: where the import's time goes. The same bare insert into Paperboy's own tables
// shows what the schema itself (indexes, search-queue trigger, feed entries) costs.
add('reference: the same bare insert into Paperboy\'s schema', runPhase('schema', path.join(tmp, 'schema.db')), baseline);
const sqliteFile = path.join(tmp, 'import.db');
add('SQLite import, first run', runPhase('import', sqliteFile), baseline);
add('SQLite import, second run', runPhase('import', sqliteFile), baseline);

const dbName = `paperboy_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: pgBase });
let pgOk = true;
try {
  await admin.connect();
  await admin.query(`create database ${dbName}`);
} catch (err) {
  pgOk = false;
  console.error(`PostgreSQL unavailable (${(err as Error).message}): skipping the PostgreSQL phases`);
}
if (pgOk) {
  const url = new URL(pgBase);
  url.pathname = `/${dbName}`;
  try {
    add('PostgreSQL import, first run', runPhase('import', url.toString()), baseline);
    add('PostgreSQL import, second run', runPhase('import', url.toString()), baseline);
  } finally {
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}
fs.rmSync(tmp, { recursive: true, force: true });

console.log(`\nbench/import on ${corpus} (${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}), ${new Date().toISOString().slice(0, 10)}\n`);
console.log(markdownTable(['phase', 'papers', 'seconds', 'papers/s', 'rate ratio to baseline', 'CPU seconds (all threads)', 'CPU ratio', 'peak RSS (MB)', 'inserted / updated / unchanged / failed'], rows));
