/**
 * `paperboy reindex` against `paperboy import` of the same papers, in the same run: both run as the
 * real CLI (child processes, SQLite in a fresh temporary directory), each timed by wall clock with
 * its CPU time and peak RSS (GNU time). Prints the ratio.
 *
 *   node --import tsx bench/reindex/run.ts ../shared/data/arxiv-listings [--papers 1000000] [--keep DIR]
 *
 * --papers N: the first N papers, or (N above the corpus) the corpus repeated with new ids and
 * shuffled words as bench/search does for its 1M file (bench/search/common.ts `synthesise`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, createWriteStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../search-quality/corpus.ts';
import { synthesise } from '../search/common.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { papers: { type: 'string' }, keep: { type: 'string' } } });
const dir = positionals[0];
if (!dir) {
  console.error('usage: bench/reindex/run.ts <arxiv-listings dir> [--papers N] [--keep DIR]');
  process.exit(2);
}
const work = values.keep ?? mkdtempSync(join(tmpdir(), 'pb-reindex-'));
let input = dir;
if (values.papers) {
  const n = Number(values.papers);
  const real = loadCorpus(dir);
  const docs = synthesise(real.map((p) => ({ id: p.id, title: p.title, abstract: p.abstract })), n);
  input = join(work, 'papers.jsonl');
  const out = createWriteStream(input);
  for (let i = 0; i < docs.length; i++) {
    const base = real[i % real.length];
    const line = JSON.stringify({ id: docs[i].id.startsWith('syn.') ? `9${String(i).padStart(3, '0').slice(0, 3)}.${String(i).padStart(7, '0')}` : docs[i].id, title: docs[i].title, abstract: docs[i].abstract, authors: ['A. Author'], categories: base.categories, published: '2026-01-01' });
    if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}
const db = join(work, 'paperboy.db');

interface Run {
  seconds: number;
  cpu: number;
  maxRssMb: number;
  output: string;
}
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'RUSAGE %U %S %M', process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...args, '--db', db], { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - t) / 1000;
      if (code !== 0) return reject(new Error(`paperboy ${args.join(' ')} exited ${code}:\n${output}`));
      const m = /RUSAGE ([\d.]+) ([\d.]+) (\d+)/.exec(output);
      resolve({ seconds, cpu: m ? Number(m[1]) + Number(m[2]) : NaN, maxRssMb: m ? Number(m[3]) / 1024 : NaN, output: output.replace(/RUSAGE .*\n?/, '') });
    });
  });
}

console.log(`input ${input}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the start`);
const imp = await cli(['import', input, '--quiet']);
const fmtRun = (r: Run) => `${r.seconds.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU, peak RSS ${r.maxRssMb.toFixed(0)} MB`;
console.log(`import:  ${fmtRun(imp)}; load ${loadavg()[0].toFixed(2)}\n${imp.output.trim().split('\n').slice(-2).join('\n')}`);
const re = await cli(['reindex', '--quiet']);
console.log(`reindex: ${fmtRun(re)}; load ${loadavg()[0].toFixed(2)}\n${re.output.trim()}`);
console.log(`ratio reindex / import: ${(re.seconds / imp.seconds).toFixed(2)}x (goal <= 3x)`);
if (!values.keep) rmSync(work, { recursive: true, force: true });
