import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { seededRandom } from '../../src/domain/random.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Similar papers read each candidate's TF-IDF term vector as stored beside its vector (migration
 * 1800); a store embedded before that migration has none, and every paper page analysed ~280 texts
 * until someone ran a reindex. The minute embedding pass writes the missing ones in the background
 * (`backfillTermVectors`): exactly the bytes embedding writes, and the same similar lists.
 */
const WORDS = [
  ['quantum', 'qubit', 'entanglement', 'decoherence', 'circuit', 'gate', 'photon', 'fidelity'],
  ['graph', 'node', 'edge', 'message', 'passing', 'molecule', 'spectral', 'convolution'],
  ['galaxy', 'cluster', 'redshift', 'dark', 'matter', 'halo', 'survey', 'stellar'],
  ['protein', 'folding', 'sequence', 'residue', 'binding', 'enzyme', 'mutation', 'genome'],
];
const N = 60;

const rows = async (store: Store) =>
  (await sql<{ paper_id: string; content_hash: string; terms: Uint8Array }>`select paper_id, content_hash, terms from paper_term_vectors order by paper_id`.execute(testDb(store))).rows.map(
    (r) => `${r.paper_id} ${r.content_hash} ${Buffer.from(r.terms).toString('base64')}`,
  );

forEachStore('term vectors written in the background for papers embedded without them', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');
  let services: ReturnType<typeof createServices>;
  const ids: string[] = [];

  before(async () => {
    const rnd = seededRandom(7);
    const papers = Array.from({ length: N }, (_, i) => {
      const topic = WORDS[i % WORDS.length];
      const words = (n: number) => Array.from({ length: n }, () => topic[Math.floor(rnd() * topic.length)]).join(' ');
      return makePaper({ id: `2407.${String(i).padStart(5, '0')}`, title: words(5), abstract: `${words(20)}.`, publishedAt: '2024-07-01' });
    });
    ids.push(...papers.map((p) => p.id));
    await ctx.store.papers.upsertMany(papers);
    await embedderProvider('local')!.train!({ config, store: ctx.store, logger });
    services = createServices({ config, logger, store: ctx.store });
    await services.searchIndex.reindex();
  });

  test('the embedding pass writes the missing term vectors, the same bytes as embedding, and the same similar lists', async () => {
    const embedded = await rows(ctx.store);
    assert.equal(embedded.length, N, 'reindex stores a term vector per paper');
    const lists = async () => Promise.all(ids.slice(0, 12).map(async (x) => `${x}: ${((await services.search.similar(x, 5)) ?? []).map((s) => `${s.paper.id} ${s.score}`).join(', ')}`));
    const before = await lists();

    // As a store embedded before migration 1800: vectors, no term vectors.
    await testDb(ctx.store).deleteFrom('paper_term_vectors').execute();
    assert.equal((await rows(ctx.store)).length, 0);
    assert.equal(await services.searchIndex.embedNewPapers('test-holder'), 0, 'nothing to embed');
    assert.deepEqual(await rows(ctx.store), embedded, 'every term vector written back, byte for byte');
    assert.deepEqual(await lists(), before);

    // Done once per process: a later pass costs nothing and writes nothing.
    await testDb(ctx.store).deleteFrom('paper_term_vectors').where('paper_id', '=', ids[0]).execute();
    await services.searchIndex.embedNewPapers('test-holder');
    assert.equal((await rows(ctx.store)).length, N - 1);
  });

  test('a paper whose text changed since its vector gets no term vector from the backfill (the embedding pass writes both)', async () => {
    await testDb(ctx.store).deleteFrom('paper_term_vectors').execute();
    await testDb(ctx.store).updateTable('papers').set({ content_hash: 'changed-text' }).where('id', '=', ids[1]).execute();
    const fresh = createServices({ config, logger, store: ctx.store });
    const written = await fresh.searchIndex.backfillTermVectors((await fresh.searchIndex.embedder()) as never);
    assert.equal(written, N - 1);
    const after = await rows(ctx.store);
    assert.ok(!after.some((r) => r.startsWith(`${ids[1]} `)), 'not for the paper whose vector is stale');
  });
});
