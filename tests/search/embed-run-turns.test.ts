import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loopTurns } from '../helpers/event-loop.ts';
import { seededRandom } from '../../src/domain/random.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';

/**
 * The embedding job's run in a serving process (issue 19): on SQLite the count of the papers to
 * embed ran in one turn with the first batch's read and embedding, a batch's write and ANN insert
 * with the next batch's read and first slice of embedding, and the count of those left with the last
 * batch's write: 12–17 ms of the request thread at 75k papers (BENCHMARKS "Background jobs", round 22). Counted in turns
 * of the loop, not milliseconds. PostgreSQL's reads hand the loop back by themselves.
 */
forEachStore('the embedding run counts the papers to embed in turns of their own', (ctx) => {
  const rnd = seededRandom(2201);
  const words = ['graph', 'node', 'quantum', 'qubit', 'galaxy', 'halo', 'protein', 'residue', 'policy', 'reward', 'token', 'decoder', 'method', 'model'];
  const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const papers = Array.from({ length: 60 }, (_, i) => makePaper({ id: `2409.${String(i).padStart(5, '0')}`, title: text(6), abstract: `${text(30)}.`, publishedAt: '2024-09-01' }));
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');
  let services: ReturnType<typeof createServices>;

  before(async () => {
    await ctx.store.papers.upsertMany(papers);
    await embedderProvider('local')!.train!({ config, store: ctx.store, logger });
    services = createServices({ config, logger, store: ctx.store });
    await services.searchIndex.reindex();
  });

  test('no turn of the loop counts the papers to embed, reads a batch or writes vectors, two of them', async () => {
    if (ctx.kind !== 'sqlite') return;
    // A harvest's changed papers: to embed again.
    await ctx.store.papers.upsertMany(papers.slice(0, 20).map((p) => ({ ...p, abstract: `${p.abstract} Revised.` })));
    const search = ctx.store.search;
    const saveEmbeddings = search.saveEmbeddings;
    const countToEmbed = search.countToEmbed;
    const papersToEmbed = search.papersToEmbed;
    const turns = loopTurns();
    const saved: number[] = [];
    const counted: number[] = [];
    const read: number[] = [];
    search.saveEmbeddings = (...a) => (saved.push(turns.count), saveEmbeddings.apply(search, a));
    search.countToEmbed = (...a) => (counted.push(turns.count), countToEmbed.apply(search, a));
    search.papersToEmbed = (...a) => (read.push(turns.count), papersToEmbed.apply(search, a));
    try {
      // Batches of 8: the next batch is read while one is written (three batches).
      const run = await services.searchIndex.embedInBackground({ batch: 8 });
      assert.equal(run?.embedded, 20);
      assert.equal(run?.complete, true);
    } finally {
      turns.stop();
      search.saveEmbeddings = saveEmbeddings;
      search.countToEmbed = countToEmbed;
      search.papersToEmbed = papersToEmbed;
    }
    assert.ok(saved.length >= 1 && counted.length >= 2, `${saved.length} writes, ${counted.length} counts`);
    for (const t of saved) assert.ok(!read.includes(t), `a batch read and vectors written in turn ${t}`);
    for (const t of counted) {
      assert.ok(!saved.includes(t), `vectors written and the papers left counted in turn ${t}`);
      assert.ok(!read.includes(t), `a batch read and the papers left counted in turn ${t}`);
    }
  });
});
