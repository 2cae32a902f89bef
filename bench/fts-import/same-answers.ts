/**
 * Whether two SQLite stores of the same papers answer keyword searches alike: the 400 eval queries
 * and a few with phrases, authors and exclusions, through the served keyword engine (FTS5 bm25,
 * `StoreKeywordEngine`), top 50 each, compared by paper id and score. Used to check that a store
 * whose full-text index was written beside its first import (`full-text-side-build.ts`) answers as
 * one whose index was caught up after it (main's way).
 *
 *   npx tsx bench/fts-import/same-answers.ts <store A> <store B> ../shared/data/eval/search-queries
 */
import { openStore } from '../../src/store/index.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { loadQueries } from '../search/common.ts';

const [a, b, queriesDir] = process.argv.slice(2);
if (!a || !b || !queriesDir) {
  console.error('usage: bench/fts-import/same-answers.ts <store A> <store B> <search-queries dir>');
  process.exit(2);
}
const QUERIES = [...loadQueries(queriesDir), 'neural network', 'graph', '"quantum error correction"', 'language model', 'author:chen diffusion', '"large language" -vision'];

async function answers(file: string): Promise<string[]> {
  const opened = await openStore(file);
  const engine = new StoreKeywordEngine(opened.store);
  const out: string[] = [];
  for (const q of QUERIES) {
    const hits = await engine.search(parseQuery(q), { limit: 50, sort: 'relevance' });
    out.push(hits.map((h) => `${h.id}:${h.score.toPrecision(12)}`).join(' '));
  }
  await opened.close();
  return out;
}

const [x, y] = [await answers(a), await answers(b)];
const differ = x.filter((s, i) => s !== y[i]).length;
const hits = x.reduce((n, s) => n + (s ? s.split(' ').length : 0), 0);
console.log(`${QUERIES.length} queries, ${hits} hits in A; ${differ} answers differ`);
process.exit(differ ? 1 : 0);
