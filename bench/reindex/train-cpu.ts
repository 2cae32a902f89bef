/**
 * `LocalEmbedder.train` alone, on the sample `paperboy reindex` trains on (the store's visible papers
 * by id, every (total / 25,000)th), in a child process per run, this checkout and another (main from
 * `git archive`) alternately: CPU seconds of each training phase (analyse, each SVD step) and the
 * sha-256 of the trained model's bytes — the same for both when nothing computed changed.
 *
 *   node --import tsx bench/reindex/train-cpu.ts STORE.db --base DIR [--pairs 2]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { base: { type: 'string' }, pairs: { type: 'string' }, child: { type: 'string' }, sample: { type: 'string' } } });

if (values.child) {
  // One training with the LocalEmbedder of checkout `--child`, on the sample in `--sample` (JSON).
  const { LocalEmbedder } = (await import(pathToFileURL(join(values.child, 'src/search/local-embedder.ts')).href)) as typeof import('../../src/search/local-embedder.ts');
  const papers = JSON.parse(readFileSync(values.sample!, 'utf8')) as Array<{ title: string; abstract: string }>;
  const phases: string[] = [];
  let last = process.cpuUsage();
  const mark = (name: string) => {
    const d = process.cpuUsage(last);
    last = process.cpuUsage();
    phases.push(`${name} ${((d.user + d.system) / 1e6).toFixed(2)}`);
  };
  const t0 = process.cpuUsage();
  let svd = 0;
  const model = LocalEmbedder.train(papers, {}, (phase, done, total) => {
    if (phase === 'analyse' && done === total) mark('analyse');
    if (phase === 'svd') mark(`svd${++svd}`);
  });
  const all = process.cpuUsage(t0);
  const hash = createHash('sha256').update(model.toBuffer()).digest('hex').slice(0, 16);
  console.log(JSON.stringify({ cpu: (all.user + all.system) / 1e6, phases: phases.join(', '), hash }));
  process.exit(0);
}

const store = positionals[0];
if (!store || !values.base) {
  console.error('usage: bench/reindex/train-cpu.ts STORE.db --base DIR [--pairs 2]');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'pb-train-cpu-'));
try {
  const copy = join(work, 'paperboy.db');
  copyFileSync(store, copy);
  if (existsSync(`${store}-wal`)) copyFileSync(`${store}-wal`, `${copy}-wal`);
  const { openStore } = await import('../../src/store/index.ts');
  const { DEFAULT_LOCAL_EMBEDDER } = await import('../../src/search/local-embedder.ts');
  const opened = await openStore(copy);
  // The provider's sample: visible papers by id, every step-th of `count()` (which includes hidden ones).
  const total = await opened.store.papers.count();
  const step = Math.max(1, total / DEFAULT_LOCAL_EMBEDDER.maxTrainingDocs);
  const sample: Array<{ title: string; abstract: string }> = [];
  let seen = 0;
  let next = 0;
  let after = '';
  for (;;) {
    const page = await opened.store.papers.textsById(5000, after);
    for (const p of page) {
      if (seen++ >= next) {
        sample.push({ title: p.title, abstract: p.abstract });
        next += step;
      }
    }
    if (page.length < 5000) break;
    after = page[page.length - 1].id;
  }
  await opened.close();
  const file = join(work, 'sample.json');
  writeFileSync(file, JSON.stringify(sample));
  console.log(`${sample.length} papers sampled of ${seen}; load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  const pairs = Number(values.pairs ?? 2);
  const codes: Array<[string, string]> = [
    ['base', resolve(values.base)],
    ['this', resolve('.')],
  ];
  for (let p = 0; p < pairs; p++) {
    for (const [who, dir] of p % 2 ? [...codes].reverse() : codes) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/reindex/train-cpu.ts', '--child', dir, '--sample', file], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { cpu: number; phases: string; hash: string };
      console.log(`pair ${p + 1} ${who.padEnd(4)} CPU ${out.cpu.toFixed(2)} s  model ${out.hash}  (${out.phases}; load ${loadavg()[0].toFixed(1)})`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
