/**
 * What a reindex produced, as fingerprints to compare two builds of the same store (say, copies of
 * one imported store reindexed by the old code and by the new): the trained model, every stored
 * vector, the published keyword index and For-you features files, and the served top 10 of the
 * meaning queries (bench/search-quality/meaning-set.json) in keyword, hybrid and vector mode.
 *
 *   node --import tsx bench/reindex/outputs.ts DIR/paperboy.db
 *
 * Two reindexes of one store must print the same lines. (The ANN graph is built on several threads,
 * so its shape may differ from run to run; the hybrid and vector lines say whether that reached
 * the served results.)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import type { SearchMode } from '../../src/services/search.ts';

const db = process.argv[2];
if (!db) {
  console.error('usage: bench/reindex/outputs.ts DIR/paperboy.db');
  process.exit(2);
}
const sha = (h: ReturnType<typeof createHash>) => h.digest('hex').slice(0, 16);
const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db });
const opened = await openStore(config.db);
const store = opened.store;

const model = await store.search.loadModel('local-embedder');
if (!model) throw new Error('no trained model in this store');
console.log(`model ${model.modelId}: ${model.data.length} bytes, sha256 ${sha(createHash('sha256').update(model.data))}`);

const vectors = createHash('sha256');
let n = 0;
for (let after = -1; ; ) {
  const page = await store.search.embeddingsPage(model.modelId, after, 5000);
  if (!page.length) break;
  for (const r of page) vectors.update(`${r.key} ${r.paperId}\n`).update(new Uint8Array(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength));
  n += page.length;
  after = page[page.length - 1].key;
}
console.log(`vectors: ${n}, sha256 ${sha(vectors)}`);

// The published files (SEARCH_INDEX_FILES=auto on SQLite: a directory beside the database).
const dir = `${db}.search-index`;
for (const f of readdirSync(dir).filter((f) => f.endsWith('.pbidx')).sort()) {
  console.log(`${f.replace(/-v\d+-[0-9a-f]+\.pbidx$/, '')} file: sha256 ${sha(createHash('sha256').update(readFileSync(join(dir, f))))}`);
}

const here = dirname(fileURLToPath(import.meta.url));
const meaning = JSON.parse(readFileSync(join(here, '../search-quality/meaning-set.json'), 'utf8')) as Record<string, unknown>;
const queries = Object.values(meaning).flatMap((v) => (Array.isArray(v) ? v.map((q: { query: string }) => q.query) : []));
const services = createServices({ config, logger: createLogger('warn'), store });
for (const mode of ['keyword', 'hybrid', 'vector'] as SearchMode[]) {
  const h = createHash('sha256');
  for (const q of queries) {
    const r = await services.search.search({ q, mode, limit: 10 });
    h.update(`${r.results.map((x) => x.paper.id).join(' ')}\n`);
  }
  console.log(`served ${mode} top 10 of ${queries.length} queries: sha256 ${sha(h)}`);
}
await services.close();
await opened.close();
