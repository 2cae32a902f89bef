/**
 * Search quality through the code path `GET /api/papers/search` serves: `services.search.search`
 * with `mode` keyword (plain BM25), hybrid (the default) and vector, on a store that the real CLI
 * imported and reindexed. Known-item measures (R@1, R@10, MRR@10 of the one right paper) for:
 *   - meaning-set.json: the hard paraphrased descriptions, tuning half (and the later tuning2 and tuning3 blocks) and held-out half apart;
 *   - dev-set.json: the older descriptive and paraphrase queries and the 1,000 exact titles.
 *
 *   node --import tsx bench/search-quality/served.ts ../shared/data/arxiv-listings [--db /tmp/pb-full/paperboy.db]
 *     [--sets held-out,exact] [--modes keyword,hybrid] [--titles 200 (the first N exact titles)]
 *
 * --db: an existing store of the corpus (e.g. left by `bench/reindex/run.ts --keep DIR`); without
 * it the corpus is imported and reindexed into a temporary one first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import type { SearchMode } from '../../src/services/search.ts';
import { loadCorpus } from './corpus.ts';
import { fmt, rankOf, score } from './metrics.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, sets: { type: 'string' }, titles: { type: 'string' }, modes: { type: 'string' } } });
const dir = positionals[0];
if (!dir) {
  console.error('usage: bench/search-quality/served.ts <arxiv-listings dir> [--db FILE]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<'tuning' | 'tuning2' | 'tuning3' | 'heldout', Array<{ paperId: string; query: string }>>;
const dev = JSON.parse(readFileSync(join(here, 'dev-set.json'), 'utf8')) as { descriptive: Array<{ id: string; query: string }>; paraphrase: Array<{ id: string; query: string }>; exactTitle: string[] };
const corpus = loadCorpus(dir);
const title = new Map(corpus.map((p) => [p.id, p.title]));
const sets: Record<string, Array<{ id: string; query: string }>> = {
  'meaning tuning': meaning.tuning.map((q) => ({ id: q.paperId, query: q.query })),
  'meaning tuning2': meaning.tuning2.map((q) => ({ id: q.paperId, query: q.query })),
  'meaning tuning3': meaning.tuning3.map((q) => ({ id: q.paperId, query: q.query })),
  'meaning held-out': meaning.heldout.map((q) => ({ id: q.paperId, query: q.query })),
  'dev descriptive': dev.descriptive,
  'dev paraphrase': dev.paraphrase,
  'dev exact title': dev.exactTitle.slice(0, values.titles ? Number(values.titles) : undefined).map((id) => ({ id, query: title.get(id)! })),
};
const only = values.sets?.split(',');

let work: string | undefined;
let db = values.db;
if (!db) {
  work = mkdtempSync(join(tmpdir(), 'pb-served-'));
  db = join(work, 'paperboy.db');
  const cli = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--db', db!, '--quiet'], { env: { ...process.env, LOG_LEVEL: 'warn' }, encoding: 'utf8' });
  cli('import', dir);
  cli('reindex');
}
console.log(`store ${db}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db });
const opened = await openStore(config.db);
const services = createServices({ config, logger: createLogger('warn'), store: opened.store });
const embedder = await services.searchIndex.embedder();
console.log(`embedder: ${embedder?.id ?? 'none'}; keyword engine ${services.searchIndex.engineName}`);
for (const [name, qs] of Object.entries(sets)) {
  if (only && !only.some((o) => name.includes(o))) continue;
  for (const mode of (values.modes?.split(',') ?? ['keyword', 'hybrid', 'vector']) as SearchMode[]) {
    const t = performance.now();
    const ranks = [];
    for (const q of qs) {
      const r = await services.search.search({ q: q.query, mode, limit: 10 });
      ranks.push(rankOf(r.results.map((x) => x.paper.id), q.id));
    }
    const ms = (performance.now() - t) / qs.length;
    console.log(`${name.padEnd(17)} ${mode.padEnd(8)} ${fmt(score(ranks))}  ${ms.toFixed(0)} ms/query`);
  }
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await services.close();
await opened.close();
if (work) rmSync(work, { recursive: true, force: true });
