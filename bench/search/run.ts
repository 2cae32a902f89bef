/**
 * Search speed: the in-memory BM25F index with windowed MaxScore pruning against SQLite FTS5 `bm25()` (the
 * baseline, measured in the same run on the same papers and queries), over the real corpus and
 * over a corpus synthesised from it (--papers 1000000).
 *
 *   node --max-old-space-size=12000 --import tsx bench/search/run.ts ../shared/data/arxiv-listings \
 *     ../shared/data/eval/search-queries [--papers 1000000] [--fts-queries 200] [--k 20] [--json out.json]
 *
 * Synthetic papers (beyond the real ones) take a real paper's title with two words swapped for
 * words of another title, and an abstract made of sentences drawn from three real abstracts, so
 * the vocabulary, term frequencies and posting-list shapes stay those of arXiv abstracts.
 * Queries: 200 from the search-queries collection (100 AI, 100 non-AI; few words to several
 * sentences), as OR queries of their words, top k (the API's default page, 20).
 */
import Database from 'better-sqlite3';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { InvertedIndex, type IndexedDoc } from '../../src/search/inverted-index.ts';
import { loadCorpus } from '../search-quality/corpus.ts';
import { ftsQuery, loadQueries, percentiles, synthesise } from './common.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    papers: { type: 'string' },
    'fts-queries': { type: 'string', default: '200' },
    k: { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const [corpusDir, queriesDir] = positionals;
if (!corpusDir || !queriesDir) {
  console.error('usage: bench/search/run.ts <arxiv-listings dir> <search-queries dir> [--papers N] [--fts-queries N] [--k 20]');
  process.exit(2);
}
const k = Number(values.k);
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

const fmtP = (p: { p50: number; p99: number; mean: number }) => `p50 ${p.p50.toFixed(2)} ms  p99 ${p.p99.toFixed(2)} ms  mean ${p.mean.toFixed(2)} ms`;

const real = loadCorpus(corpusDir).map((p) => ({ id: p.id, title: p.title, abstract: p.abstract }));
const n = values.papers ? Number(values.papers) : real.length;
const docs = synthesise(real, n);
const queries = loadQueries(queriesDir);
const words = queries.map((q) => q.split(/\s+/).length);
console.log(`papers: ${docs.length} (${real.length} real); queries: ${queries.length} (words: min ${Math.min(...words)}, median ${words.sort((a, b) => a - b)[100]}, max ${Math.max(...words)}); k=${k}`);

// Wall time, and this process's CPU time (the shared machine's load inflates wall time, not CPU time).
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`load average (1, 5, 15 min) before the index build: ${load()}`);

// In-memory index.
global.gc?.();
const heapBefore = process.memoryUsage();
let t = performance.now();
let c0 = cpuMs();
const index = InvertedIndex.build(docs);
const buildS = (performance.now() - t) / 1000;
const buildCpuS = (cpuMs() - c0) / 1000;
global.gc?.();
const heapAfter = process.memoryUsage();
console.log(`inverted index: built in ${buildS.toFixed(1)} s wall, ${buildCpuS.toFixed(1)} s CPU; index ${mb(index.memoryBytes())} (arrayBuffers +${mb(heapAfter.arrayBuffers - heapBefore.arrayBuffers)}, rss ${mb(heapAfter.rss)})`);
for (const q of queries.slice(0, 20)) index.search(q, k); // warm-up (JIT)
console.log(`load average before the index queries: ${load()}`);
const indexMs: number[] = [];
const indexCpuMs: number[] = [];
for (const q of queries) {
  t = performance.now();
  const c = cpuMs();
  index.search(q, k);
  indexCpuMs.push(cpuMs() - c);
  indexMs.push(performance.now() - t);
}
const indexP = percentiles(indexMs);
console.log(`inverted index (windowed MaxScore) top ${k}: ${fmtP(indexP)}; CPU time ${fmtP(percentiles(indexCpuMs))}; load average after: ${load()}`);

const ftsCount = Math.min(queries.length, Number(values['fts-queries']));
if (ftsCount === 0) {
  if (values.json) (await import('node:fs')).writeFileSync(values.json, JSON.stringify({ papers: docs.length, queries: queries.length, k, index: { buildS, buildCpuS, bytes: index.memoryBytes(), ...indexP, cpu: percentiles(indexCpuMs) } }, null, 1));
  process.exit(0);
}

// FTS5 baseline: same papers, same queries as OR of their words, bm25() with title weighted 2:1.
const db = new Database(':memory:');
db.exec(`CREATE VIRTUAL TABLE fts USING fts5(title, abstract, tokenize = 'porter unicode61')`);
t = performance.now();
c0 = cpuMs();
const insert = db.prepare('INSERT INTO fts(rowid, title, abstract) VALUES (?, ?, ?)');
db.transaction(() => docs.forEach((d, i) => insert.run(i + 1, d.title, d.abstract)))();
const ftsBuildS = (performance.now() - t) / 1000;
const ftsBuildCpuS = (cpuMs() - c0) / 1000;
const ftsPages = db.prepare('SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()').get() as { b: number };
console.log(`FTS5: built in ${ftsBuildS.toFixed(1)} s wall, ${ftsBuildCpuS.toFixed(1)} s CPU; database ${mb(ftsPages.b)}`);
const search = db.prepare(`SELECT rowid, bm25(fts, 2.0, 1.0) AS s FROM fts WHERE fts MATCH ? ORDER BY s LIMIT ${k}`);
for (const q of queries.slice(0, 5)) search.all(ftsQuery(q));
console.log(`load average before the FTS5 queries: ${load()}`);
const ftsMs: number[] = [];
const ftsCpuMs: number[] = [];
// With fewer FTS queries than 200 (a bounded run at 1M), an even spread of the 200.
const ftsIdx = queries.map((_, i) => i).filter((i) => Math.floor((i * ftsCount) / queries.length) !== Math.floor(((i - 1) * ftsCount) / queries.length) && ftsQuery(queries[i]));
for (const i of ftsIdx) {
  const m = ftsQuery(queries[i]);
  t = performance.now();
  const c = cpuMs();
  search.all(m);
  ftsCpuMs.push(cpuMs() - c);
  ftsMs.push(performance.now() - t);
}
const ftsP = percentiles(ftsMs);
console.log(`FTS5 bm25() OR query top ${k} (${ftsMs.length} queries): ${fmtP(ftsP)}; CPU time ${fmtP(percentiles(ftsCpuMs))}; load average after: ${load()}`);
// The index over the same subset of queries, for a like-for-like ratio when FTS5 ran fewer.
const subset = (xs: number[]) => ftsIdx.map((i) => xs[i]);
const idxSubP = percentiles(subset(indexMs));
const idxSubCpu = percentiles(subset(indexCpuMs));
const ftsCpuP = percentiles(ftsCpuMs);
if (ftsMs.length < queries.length) console.log(`inverted index on the same ${ftsMs.length} queries: ${fmtP(idxSubP)}; CPU time ${fmtP(idxSubCpu)}`);
console.log(`speed-up over FTS5: wall p50 ×${(ftsP.p50 / idxSubP.p50).toFixed(1)}, p99 ×${(ftsP.p99 / idxSubP.p99).toFixed(1)}; CPU p50 ×${(ftsCpuP.p50 / idxSubCpu.p50).toFixed(1)}, p99 ×${(ftsCpuP.p99 / idxSubCpu.p99).toFixed(1)}`);
if (values.json) {
  const out = { papers: docs.length, queries: queries.length, k, index: { buildS, buildCpuS, bytes: index.memoryBytes(), ...indexP, cpu: percentiles(indexCpuMs) }, fts5: { buildS: ftsBuildS, buildCpuS: ftsBuildCpuS, bytes: ftsPages.b, queries: ftsMs.length, ...ftsP, cpu: percentiles(ftsCpuMs) } };
  (await import('node:fs')).writeFileSync(values.json, JSON.stringify(out, null, 1));
}
