/**
 * The tuning run for hybrid search: the TUNING half of meaning-set.json only (the held-out half is
 * never read here), through SearchService instances built like the served one with `fusion`
 * overridden — convex weights and pseudo-relevance feedback. Pick on this, then measure the held-out
 * half with served.ts.
 *
 *   node --import tsx bench/search-quality/tune.ts --db /tmp/pb-full/paperboy.db [--prf-only]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { openSearch } from '../../src/services/search.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { DEFAULT_FUSION, type FusionWeights } from '../../src/search/fusion.ts';
import { fmt, rankOf, score } from './metrics.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, 'prf-only': { type: 'boolean' } } });
if (!values.db) {
  console.error('usage: bench/search-quality/tune.ts --db FILE (a store of the corpus, reindexed)');
  process.exit(2);
}
const meaning = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'meaning-set.json'), 'utf8')) as { tuning: Array<{ paperId: string; query: string }> };
const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db: values.db });
const logger = createLogger('warn');
const opened = await openStore(config.db);
const store = opened.store;
const engine = new InvertedIndexEngine(store, new StoreKeywordEngine(store));
const embedder = embedderProvider('local')!.open({ config, store, logger });
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${meaning.tuning.length} tuning queries`);
const only = Boolean(values['prf-only']);
const variants: Array<[string, FusionWeights, 'hybrid' | 'keyword']> = only ? [] : [['keyword (BM25)', DEFAULT_FUSION, 'keyword']];
if (!only) for (const v of [0.2, 0.3, 0.45, 0.6]) variants.push([`convex ${1 - v}/${v}`, { ...DEFAULT_FUSION, keyword: 1 - v, vector: v }, 'hybrid']);
for (const [docs, terms, ow, v] of [[3, 10, 3, 0], [3, 10, 3, 0.3], [5, 10, 2, 0.3], [3, 5, 2, 0.3]])
  variants.push([`PRF docs ${docs} terms ${terms} x${ow}, vector ${v}`, { ...DEFAULT_FUSION, keyword: 1 - v, vector: v, expansion: { docs, terms, originalWeight: ow } }, 'hybrid']);
for (const [name, fusion, mode] of variants) {
  const { search: s } = openSearch(store, { engine, embedder: () => embedder, fusion });
  const ranks = [];
  for (const q of meaning.tuning) ranks.push(rankOf((await s.search({ q: q.query, mode, limit: 10 })).results.map((r) => r.paper.id), q.paperId));
  console.log(`${name.padEnd(40)} ${fmt(score(ranks))}`);
}
await opened.close();
