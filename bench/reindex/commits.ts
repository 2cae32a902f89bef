/**
 * The embedding phase's writes alone: every paper's vector (128 × f32) and term vector (1,363 bytes,
 * the 75k corpus' mean) stored through `store.search.saveEmbeddings` in 2,000-paper batches, as
 * `paperboy reindex` stores them, on a copy of an imported store — with the write-ahead log
 * checkpointed by the writing connection's own commits (SQLite's automatic checkpoint, 1,000 pages)
 * or by a thread (`checkpointInThread`, what `reindex` does since round 26), alternately. Prints the
 * writing thread's wall and CPU (`/proc/self/task/<pid>/stat`), the process' CPU, and the close (which
 * checkpoints what is left).
 *
 *   node --import tsx bench/reindex/commits.ts STORE.db [--rounds 3]
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { vectorKey } from '../../src/search/vector-index.ts';
import { seededRandom } from '../../src/domain/random.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' } } });
const source = positionals[0];
if (!source) {
  console.error('usage: bench/reindex/commits.ts STORE.db [--rounds 3]');
  process.exit(2);
}
const rounds = Number(values.rounds ?? 3);
const BATCH = 2000;
const TERMS = 1363;

/** This thread's CPU seconds (the main thread's id is the process id). */
function threadCpu(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const papers = (() => {
  const db = new Database(source, { readonly: true });
  try {
    return db.prepare('select id, content_hash as contentHash from papers order by id').all() as { id: string; contentHash: string }[];
  } finally {
    db.close();
  }
})();

async function run(mode: 'commits' | 'thread') {
  const work = mkdtempSync(join(tmpdir(), 'pb-commits-'));
  const file = join(work, 'paperboy.db');
  copyFileSync(source, file);
  const random = seededRandom(5);
  const opened = await openStore(file, { checkpointThread: mode === 'thread' });
  const t = performance.now();
  const cpu0 = threadCpu();
  const proc0 = process.cpuUsage();
  let slowest = 0;
  for (let i = 0; i < papers.length; i += BATCH) {
    const rows = papers.slice(i, i + BATCH).map((p) => {
      const vector = new Float32Array(128);
      for (let d = 0; d < 128; d++) vector[d] = random() - 0.5;
      const terms = new Uint8Array(TERMS);
      for (let b = 0; b < TERMS; b++) terms[b] = (random() * 256) | 0;
      return { paperId: p.id, key: vectorKey(p.id), vector, contentHash: p.contentHash, terms };
    });
    const s = performance.now();
    await opened.store.search.saveEmbeddings('bench-commits', rows);
    slowest = Math.max(slowest, performance.now() - s);
  }
  const wall = (performance.now() - t) / 1000;
  const cpu = threadCpu() - cpu0;
  const c = performance.now();
  await opened.close();
  const close = (performance.now() - c) / 1000;
  const p = process.cpuUsage(proc0);
  rmSync(work, { recursive: true, force: true });
  console.log(
    `${mode.padEnd(8)} writes ${wall.toFixed(2)} s wall, writing thread ${cpu.toFixed(2)} s CPU, slowest batch ${slowest.toFixed(0)} ms; close ${close.toFixed(2)} s; process ${((p.user + p.system) / 1e6).toFixed(2)} s CPU; load ${loadavg()[0].toFixed(1)}`,
  );
}

console.log(`${papers.length} papers, ${BATCH} a batch; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (let r = 0; r < rounds; r++) {
  const order: Array<'commits' | 'thread'> = r % 2 ? ['thread', 'commits'] : ['commits', 'thread'];
  for (const mode of order) await run(mode);
}
