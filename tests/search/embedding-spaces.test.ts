import { RunService } from '../../src/services/runs.ts';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { HashEmbedder } from '../helpers/hash-embedder.ts';
import { openSearch } from '../../src/services/search.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { EmbeddingSpaceMismatch } from '../../src/store/embedding-spaces.ts';
import { JobScheduler } from '../../src/jobs/scheduler.ts';
import { reembedJob } from '../../src/jobs/reembed-job.ts';
import { EMBED_LEASE } from '../../src/services/embedding-runs.ts';
import { sourceOf } from '../../src/services/embedding-spaces.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import type { Embedder } from '../../src/search/embedder.ts';
import { loadCorpus } from './fixtures.ts';
import * as m0460 from '../../src/store/migrations/0460_embedding_spaces.ts';
import { testDb } from '../helpers/stores.ts';

/** Another "model": the same hashed words, another id and size, so its vectors are not comparable. */
function service(store: Store, target: Embedder, older: Embedder[] = []) {
  return openSearch(store, {
    engine: new StoreKeywordEngine(store),
    embedder: async () => target,
    reopenSpace: async (space) => older.find((e) => e.id === space.embedderId) ?? null,
    annRefreshMs: 0,
  });
}

forEachStore('embedding spaces', (ctx) => {
  before(async () => {
    await loadCorpus(ctx.store);
    // More papers than one embedding batch (128), so a re-embed can be caught halfway.
    await ctx.store.papers.upsertMany(Array.from({ length: 300 }, (_, i) => makePaper({ id: `2403.${String(i).padStart(5, '0')}`, title: `Coral reef survey number ${i}`, abstract: `Reef fish counts at site ${i}.` })));
  });

  test('migration 0460 records the spaces that already had vectors as complete, with their dimensions', async () => {
    const db = testDb(ctx.store);
    await m0460.down(db);
    const now = new Date().toISOString();
    const row = (id: string, n: number) => ({ paper_id: id, embedder_id: 'legacy-space', key: n, vector: Buffer.alloc(24 * 4), content_hash: 'h', embedded_at: now });
    await db.insertInto('paper_embeddings').values([row('2402.00001', 1), row('2402.00002', 2)]).execute();
    await m0460.up(db);
    const space = await ctx.store.embeddingSpaces.get('legacy-space');
    assert.ok(space?.completeAt, 'it was serving: it stays serving');
    assert.deepEqual([space.dimensions, space.papersDone], [24, 2]);
    await ctx.store.search.deleteEmbeddings('legacy-space');
  });

  test('vectors of another size are never stored in a space: a clear error that says to reindex, nothing written', async () => {
    const v = (n: number) => new Float32Array(n).fill(1 / Math.sqrt(n));
    await ctx.store.search.saveEmbeddings('mix-test', [{ paperId: '2402.00001', key: 1, vector: v(8), contentHash: 'h' }]);
    const before = await ctx.store.search.embeddingStats('mix-test');
    await assert.rejects(
      ctx.store.search.saveEmbeddings('mix-test', [
        { paperId: '2402.00002', key: 2, vector: v(8), contentHash: 'h' },
        { paperId: '2402.00003', key: 3, vector: v(16), contentHash: 'h' },
      ]),
      (err: Error) => err instanceof EmbeddingSpaceMismatch && /16 dimensions .* stored vectors have 8.*paperboy reindex --reembed/.test(err.message),
    );
    assert.deepEqual(await ctx.store.search.embeddingStats('mix-test'), before, 'nothing of the batch was written');
    await assert.rejects(ctx.store.embeddingSpaces.ensure('mix-test', 16), EmbeddingSpaceMismatch);
    await ctx.store.search.deleteEmbeddings('mix-test');
    assert.equal(await ctx.store.embeddingSpaces.get('mix-test'), null);
  });

  test('switching models: search answers from the old space while the new one is embedded in the background, then switches', async () => {
    const oldModel = new HashEmbedder(128);
    await service(ctx.store, oldModel).index.catchUp();
    const oldSpace = await ctx.store.embeddingSpaces.get(oldModel.id);
    assert.ok(oldSpace?.completeAt, 'the first model covers the corpus');
    const total = await ctx.store.papers.count();
    assert.deepEqual([oldSpace.papersDone, oldSpace.papersTotal], [total, total]);

    const newModel = new HashEmbedder(64);
    const { search, index } = service(ctx.store, newModel, [oldModel]);
    const vectorIds = async (q: string) => (await search.search({ q, mode: 'vector', limit: 3 })).results.map((r) => r.paper.id);

    // Before any re-embedding: the old space serves; the query is embedded by the old model.
    assert.equal((await index.spaces.serving())?.embedderId, oldModel.id);
    const oldQueries = oldModel.texts;
    assert.equal((await vectorIds('lensing halos'))[0], '2402.00006');
    assert.equal(oldModel.texts, oldQueries + 1);
    assert.equal(newModel.texts, 0, 'the new model embedded nothing yet');
    assert.ok((await search.similar('2402.00006', 3))!.length > 0, 'similar papers from the old vectors');

    // The background pass is stopped after its first batch: the new space is half done and does not serve.
    const stop = new AbortController();
    const half = await index.embedInBackground({ signal: stop.signal, onProgress: () => stop.abort() });
    assert.ok(half && half.stopped && !half.complete && half.embedded === 128, JSON.stringify(half));
    const midway = (await ctx.store.embeddingSpaces.get(newModel.id))!;
    assert.deepEqual([midway.papersDone, midway.papersTotal, midway.completeAt, midway.dimensions], [128, total, null, 64]);
    assert.equal((await index.spaces.serving())?.embedderId, oldModel.id, 'still the old space');
    const before = oldModel.texts;
    assert.equal((await vectorIds('lensing halos'))[0], '2402.00006', 'the half-embedded space is not searched');
    assert.equal(oldModel.texts, before + 1);
    assert.ok(await index.hasPending());

    // The rest: the new space covers the corpus and serves from then on.
    const rest = await index.embedInBackground();
    assert.ok(rest?.complete && rest.done === total, JSON.stringify(rest));
    assert.equal((await index.spaces.serving())?.embedderId, newModel.id);
    const newQueries = newModel.texts;
    assert.equal((await vectorIds('lensing halos'))[0], '2402.00006');
    assert.equal(newModel.texts, newQueries + 1, 'queries are embedded by the new model now');
    assert.equal(await index.hasPending(), false);
    // The old vectors stay (switching back is then instant); the two spaces never mix.
    assert.equal((await ctx.store.search.embeddingStats(oldModel.id)).count, total);
    assert.equal((await ctx.store.search.embeddingStats(newModel.id)).count, total);
  });

  test('while the old model cannot be opened, queries are keyword only and similar papers still use its vectors', async () => {
    const third = new HashEmbedder(32);
    const { search, index } = service(ctx.store, third); // no way to reopen the 64-dimension model
    const serving = await index.spaces.serving();
    assert.equal(serving?.embedderId, new HashEmbedder(64).id);
    assert.equal(serving?.embedder, null);
    const res = await search.search({ q: 'lensing halos', mode: 'hybrid' });
    assert.equal(res.mode, 'keyword');
    assert.equal(third.texts, 0);
    assert.ok((await search.similar('2402.00006', 3))!.length > 0);
    // serve's catch-up leaves a whole new space to the re-embed job (whose lease is renewed and whose runs are recorded).
    const stop = index.keepInStep(60_000);
    await new Promise((r) => setTimeout(r, 1000));
    await stop();
    assert.equal((await ctx.store.search.embeddingStats(third.id)).count, 0);
  });

  test('the re-embed job: run by the scheduler under its lease, only when there is work, progress in its run', async () => {
    const model = new HashEmbedder(48);
    const { index } = service(ctx.store, model);
    const scheduler = new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger);
    const job = reembedJob(index);
    // Someone else embeds (another process's keepInStep): the job waits its turn.
    assert.ok(await ctx.store.leases.acquire(EMBED_LEASE, 'other-process', 60_000));
    assert.deepEqual(await scheduler.runOnce(job), { ran: false, reason: 'lease_held' });
    await ctx.store.leases.release(EMBED_LEASE, 'other-process');
    const out = await scheduler.runOnce(job);
    const total = await ctx.store.papers.count();
    assert.ok(out.ran && out.status === 'succeeded', JSON.stringify(out));
    assert.deepEqual(out.stats, { embedder: model.id, embedded: total, done: total, total, complete: true, stopped: false });
    const run = await ctx.store.runs.last(EMBED_LEASE);
    assert.equal(run?.stats.done, total);
    // Nothing left: no run, no lease taken, nothing recorded.
    assert.deepEqual(await scheduler.runOnce(job), { ran: false, reason: 'not_due' });
    assert.equal((await ctx.store.runs.last(EMBED_LEASE))?.id, run?.id);
    await scheduler.stop();
  });
});

test('a space recorded before its source was (migration 0460) is reopened from its id', () => {
  const space = (embedderId: string, source = {}) => ({ embedderId, dimensions: 8, source, createdAt: '', papersDone: 0, papersTotal: 0, progressAt: null, completeAt: null });
  assert.deepEqual(sourceOf(space('local-lsa-v1-256-abc')), { provider: 'local' });
  assert.deepEqual(sourceOf(space('http:BAAI/bge-small-en-v1.5:384')), { provider: 'http', model: 'BAAI/bge-small-en-v1.5' });
  assert.deepEqual(sourceOf(space('http:x:1', { provider: 'http', model: 'y' })), { provider: 'http', model: 'y' });
  assert.deepEqual(sourceOf(space('test-hash-64')), {});
});
