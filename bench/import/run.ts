/**
 * bench/import: imports a corpus of listing JSONL (e.g. ../shared/data/arxiv-listings) into SQLite
 * and PostgreSQL, twice each, next to a bare better-sqlite3 insert of the same parsed rows in one
 * transaction (the baseline), all in one run. Each phase runs in its own process. The whole set of
 * phases runs `--rounds` times (default 3), interleaved, and the table reports each phase's median:
 * on a shared machine one round's baseline alone can take twice as long as the next one's.
 *
 *   npx tsx bench/import/run.ts <corpus-dir> [--rounds 3] [--pg postgres://postgres@127.0.0.1:5432/test]
 *     [--papers 2500000] [--phases baseline,sqlite1]
 *
 * --papers N imports the corpus repeated with new ids up to N papers (bench/lib/synthetic-corpus.ts,
 * written once under the temporary directory); --phases runs only the named phases (baseline,
 * schema, sqlite1, sqlite2, pg1, pg2; the baseline always runs).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fmt, markdownTable } from '../lib/report.ts';
import { syntheticListings } from '../lib/synthetic-corpus.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const realCorpus = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const pgBase = flag('--pg') ?? 'postgres://postgres@127.0.0.1:5432/test';
const rounds = Number(flag('--rounds') ?? 3);
const papers = flag('--papers') ? Number(flag('--papers')) : null;
const phases = new Set((flag('--phases') ?? 'baseline,schema,sqlite1,sqlite2,pg1,pg2').split(','));
if (!realCorpus || !fs.existsSync(realCorpus) || !(rounds >= 1) || (papers !== null && !(papers >= 1))) {
  console.error('usage: npx tsx bench/import/run.ts <corpus-dir> [--rounds N] [--pg URL] [--papers N] [--phases baseline,sqlite1,...]');
  process.exit(2);
}
const corpus = papers === null ? realCorpus : await syntheticListings(realCorpus, papers);

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

const LABELS = {
  baseline: 'baseline: bare better-sqlite3 insert, one transaction',
  schema: "reference: the same bare insert into Paperboy's schema",
  sqlite1: 'SQLite import, first run',
  sqlite2: 'SQLite import, second run',
  pg1: 'PostgreSQL import, first run',
  pg2: 'PostgreSQL import, second run',
};
type Key = keyof typeof LABELS;
const results = new Map<Key, PhaseResult[]>();
const record = (k: Key, r: PhaseResult) => results.set(k, [...(results.get(k) ?? []), r]);

const dbName = `paperboy_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: pgBase });
let pgOk = phases.has('pg1') || phases.has('pg2');
try {
  if (pgOk) await admin.connect();
} catch (err) {
  pgOk = false;
  console.error(`PostgreSQL unavailable (${(err as Error).message}): skipping the PostgreSQL phases`);
}
const loads: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    loads.push(os.loadavg()[0]);
    record('baseline', runPhase('baseline', path.join(tmp, `baseline-${round}.db`)));
    // Not a baseline: the same bare insert into Paperboy's own tables shows what the schema itself
    // (indexes, search-queue trigger, feed entries) costs, apart from the importer.
    if (phases.has('schema')) record('schema', runPhase('schema', path.join(tmp, `schema-${round}.db`)));
    const sqliteFile = path.join(tmp, `import-${round}.db`);
    if (phases.has('sqlite1')) record('sqlite1', runPhase('import', sqliteFile));
    if (phases.has('sqlite2')) record('sqlite2', runPhase('import', sqliteFile));
    if (pgOk && (phases.has('pg1') || phases.has('pg2'))) {
      await admin.query(`create database ${dbName}`);
      const url = new URL(pgBase);
      url.pathname = `/${dbName}`;
      try {
        record('pg1', runPhase('import', url.toString()));
        if (phases.has('pg2')) record('pg2', runPhase('import', url.toString()));
      } finally {
        await admin.query(`drop database if exists ${dbName} with (force)`);
      }
    }
    for (const f of fs.readdirSync(tmp)) fs.rmSync(path.join(tmp, f), { force: true });
  }
} finally {
  if (pgOk) await admin.end();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = results.get('baseline')!;
const baseSeconds = median(base.map((r) => r.seconds));
const baseCpu = median(base.map((r) => r.cpuSeconds));
const rows: (string | number)[][] = [];
for (const [k, label] of Object.entries(LABELS) as [Key, string][]) {
  const rs = results.get(k);
  if (!rs) continue;
  const seconds = median(rs.map((r) => r.seconds));
  const cpu = median(rs.map((r) => r.cpuSeconds));
  const papers = rs[0].papers;
  const s = rs.at(-1)!.summary;
  rows.push([
    label,
    fmt(papers),
    `${fmt(seconds, 2)} (${rs.map((r) => fmt(r.seconds, 2)).join(', ')})`,
    fmt(papers / seconds),
    fmt(baseSeconds / seconds, 2),
    fmt(cpu, 2),
    fmt(baseCpu / cpu, 2),
    fmt(Math.max(...rs.map((r) => r.peakRssMb))),
    s ? `${s.inserted} / ${s.updated} / ${s.unchanged} / ${s.failed}` : '—',
  ]);
}

console.log(
  `\nbench/import on ${corpus} (${os.cpus().length} cores, load average at each round's start ${loads.map((l) => l.toFixed(1)).join(', ')}, Node ${process.version}), ${new Date().toISOString().slice(0, 10)}, ${rounds} rounds, medians\n`,
);
console.log(
  markdownTable(
    ['phase', 'papers', 'seconds: median (each round)', 'papers/s', 'rate ratio to baseline', 'CPU seconds (all threads)', 'CPU ratio', 'peak RSS (MB)', 'inserted / updated / unchanged / failed'],
    rows,
  ),
);
