/**
 * What the PDF text field costs keyword search: both keyword engines (the in-memory BM25 index and
 * the store's FTS5) on one SQLite store of real papers, for the 200 mixed queries of bench/search,
 * first without any PDF text (the baseline, same run, same store), then after `--enriched` papers
 * received PDF text the way the enrichment `pdf` step stores it (each paper's own title and abstract
 * followed by sentences of eight other abstracts, about the size of three first pages' text) and
 * the engines caught up.
 *
 *   npx tsx bench/search/pdf-text.ts ../shared/data/arxiv-listings ../shared/data/eval/search-queries [--papers 74728] [--enriched 10000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/store/index.ts';
import { completePaper } from '../../src/domain/complete-paper.ts';
import { seededRandom as rng } from '../../src/domain/random.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import type { KeywordEngine } from '../../src/search/keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { loadCorpus } from '../search-quality/corpus.ts';
import { loadQueries, percentiles } from './common.ts';
import { fmt, markdownTable } from '../lib/report.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { papers: { type: 'string' }, enriched: { type: 'string', default: '10000' } } });
const [corpusDir, queriesDir] = positionals;
if (!corpusDir || !queriesDir) {
  console.error('usage: bench/search/pdf-text.ts <arxiv-listings dir> <search-queries dir> [--papers N] [--enriched N]');
  process.exit(2);
}
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const corpus = loadCorpus(corpusDir);
const papers = corpus.slice(0, Number(values.papers ?? corpus.length));
const enriched = Math.min(papers.length, Number(values.enriched));
const queries = loadQueries(queriesDir);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-pdf-text-bench-'));
const { store, close } = await openStore(path.join(dir, 'bench.db'));
let t = performance.now();
for (let i = 0; i < papers.length; i += 5000) {
  await store.papers.upsertMany(
    papers.slice(i, i + 5000).map((p) => completePaper({ id: p.id, source: 'arxiv', version: 1, title: p.title, abstract: p.abstract, authors: ['A. Author'], categories: p.categories, primaryCategory: p.categories[0] ?? null, publishedAt: '2024-01-01', updatedAt: null, comment: null, journalRef: null, doi: null, license: null })),
  );
}
console.log(`${papers.length} papers stored in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const fts = new StoreKeywordEngine(store);
const memory = new InvertedIndexEngine(store, new StoreKeywordEngine(store));
// The import's queue into FTS5 first (as `paperboy import` does), then the in-memory build from the store.
await fts.catchUp();
await memory.warm();

async function measure(engine: KeywordEngine, rounds: number): Promise<{ p50: number; p99: number; mean: number }> {
  for (const q of queries.slice(0, 20)) await engine.search(parseQuery(q), { limit: 20, sort: 'relevance' });
  const ms: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const q of queries) {
      const s = performance.now();
      await engine.search(parseQuery(q), { limit: 20, sort: 'relevance' });
      ms.push(performance.now() - s);
    }
  }
  return percentiles(ms);
}

const rows: string[][] = [];
const record = async (label: string) => {
  const l = load();
  const a = await measure(memory, 2);
  const b = await measure(fts, 1);
  rows.push([label, `${fmt(a.p50, 2)} / ${fmt(a.p99, 2)} ms`, `${fmt(b.p50, 2)} / ${fmt(b.p99, 2)} ms`, `${fmt(memory.memoryBytes() / 1048576, 0)} MB`, l]);
  console.log(label, JSON.stringify({ memory: a, fts5: b, memoryMb: memory.memoryBytes() / 1048576, load: l }));
};
await record('no PDF text (baseline)');

// PDF text as the pdf step keeps it, for the newest `enriched` papers.
const r = rng(17);
const sentences = corpus.map((p) => p.abstract.split(/(?<=[.!?])\s+/));
t = performance.now();
for (const p of papers.slice(0, enriched)) {
  const parts = [p.title, 'A. Author', 'Abstract', p.abstract, '1 Introduction'];
  for (let k = 0; k < 8; k++) parts.push(...sentences[Math.floor(r() * sentences.length)]);
  await store.enrichment.savePdf(p.id, { text: parts.join('\n'), pages: 3, thumbnails: [] });
}
const saved = (performance.now() - t) / 1000;
// One catch-up, as the server's search index runs it: the in-memory engine drains the store's queue
// through its fallback (which writes FTS5) and indexes exactly those papers. (A second engine
// draining the queue first would leave it nothing to see on this one connection.)
t = performance.now();
const caught = await memory.catchUp();
const seconds = (performance.now() - t) / 1000;
console.log(`${enriched} PDF texts stored in ${saved.toFixed(1)} s; caught up ${caught} papers (FTS5 and the in-memory index) in ${seconds.toFixed(1)} s`);
await record(`${fmt(enriched)} papers with PDF text`);

await close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(
  '\n' +
    markdownTable(['keyword search, 200 queries (×2 in memory), top 20', 'in-memory BM25 p50 / p99', 'store FTS5 p50 / p99', 'in-memory index size', 'load (1, 5, 15 min)'], rows),
);
