/**
 * The full-text catch-up after a first import, as `paperboy import` runs it: FTS5 written with its
 * default merge setting (the baseline, `bulkFrom: Infinity`) and as a bulk load (`automerge` 16
 * while it is written, `SearchRepository.drainFullTextQueue`), alternately on copies of one store
 * whose full-text index is emptied first; then both indexes must answer the same queries alike.
 *
 *   npx tsx bench/fts-import/bulk.ts <store.db> [--rounds 2]
 *
 * A store: `bench/import/growth.ts … --papers 200000 --db /tmp/growth-200k.db`.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/store/index.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '2' } } });
const [source] = positionals;
if (!source || !fs.existsSync(source)) {
  console.error('usage: bench/fts-import/bulk.ts <store.db> [--rounds 2]');
  process.exit(2);
}
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const QUERIES = ['neural network', 'graph', '"quantum error correction"', 'language model', 'diffusion', 'authors : "chen"', 'transformer OR attention', '"large language" NOT vision'];

/** A copy of the store with its full-text index empty and every paper above the high-water mark. */
function emptiedCopy(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const src = new Database(source, { readonly: true });
  src.exec(`vacuum into '${file}'`);
  src.close();
  const db = new Database(file);
  db.exec(`drop table papers_fts; drop table papers_pdf_fts; delete from search_pending; update search_state set indexed_rowid = 0;
    create virtual table papers_fts using fts5(title, abstract, authors, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2');
    create virtual table papers_pdf_fts using fts5(text, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2');`);
  db.close();
}

const answers = new Map<string, string>();
const runs: Record<string, { cpu: number; wall: number }[]> = { default: [], bulk: [] };
for (let round = 0; round < Number(values.rounds); round++) {
  for (const how of round % 2 ? (['bulk', 'default'] as const) : (['default', 'bulk'] as const)) {
    const file = `${source}.${how}.db`;
    emptiedCopy(file);
    const opened = await openStore(file);
    const w = performance.now();
    const c = cpu();
    const n = (await opened.store.search.drainFullTextQueue(5000, how === 'default' ? { bulkFrom: Infinity } : {})).length;
    const r = { cpu: cpu() - c, wall: (performance.now() - w) / 1000 };
    runs[how].push(r);
    await opened.close();
    const db = new Database(file, { readonly: true });
    const segments = (db.prepare('select count(*) as n from papers_fts_data').get() as { n: number }).n;
    const automerge = (db.prepare("select v from papers_fts_config where k = 'automerge'").get() as { v: number } | undefined)?.v ?? 'default';
    const answer = QUERIES.map((q) => (db.prepare('select rowid from papers_fts where papers_fts match ? order by bm25(papers_fts), rowid limit 50').all(q) as { rowid: number }[]).map((x) => x.rowid).join(',')).join('|');
    db.close();
    if (answers.has('any') && answers.get('any') !== answer) throw new Error(`${how}: the index answers differently`);
    answers.set('any', answer);
    console.log(`round ${round + 1}, ${how}: ${n} papers in ${r.wall.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU; ${segments} rows in papers_fts_data, automerge after ${automerge}; load ${load()}`);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
}
const sum = (xs: { cpu: number }[]) => xs.reduce((s, x) => s + x.cpu, 0);
console.log(`bulk ÷ default CPU: ${(sum(runs.bulk) / sum(runs.default)).toFixed(3)} over ${runs.bulk.length} round(s); the ${QUERIES.length} queries' top 50 identical`);
