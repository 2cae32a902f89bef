import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { LOCAL_MODEL_NAME } from '../../src/search/local-embedder-provider.ts';
import { loadCorpus } from './fixtures.ts';

/**
 * Issue 14, "vectors of another model or dimension are never mixed": `paperboy reindex` on the
 * default embedder (`local`) trains a new model (a new id) when the corpus changed, while servers
 * that opened the old one at their start keep running. Each server must embed its queries with the
 * model of the vectors it searches at every moment, and move to the new model once its space
 * covers the corpus, without a restart.
 */
forEachStore('a running server and a reindex that trains a new local model', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');
  /** `paperboy reindex`: a process of its own (its own services) that trains and then embeds. */
  const reindexProcess = () => createServices({ config, logger, store: ctx.store });

  before(async () => {
    await loadCorpus(ctx.store);
  });

  /** What the server answers from now: the space, the model that embeds its queries, and the configured model. */
  async function servingOf(server: Services) {
    const s = await server.searchIndex.spaces.serving();
    const target = await server.searchIndex.embedder();
    return { space: s?.embedderId, query: s?.embedder?.id ?? null, target: target?.id ?? null };
  }

  let server: Services;
  let a: string;

  test('a server started before any model was trained moves to the first one once it covers the corpus', async () => {
    server = createServices({ config, logger, store: ctx.store });
    assert.deepEqual(await servingOf(server), { space: undefined, query: null, target: null });
    assert.equal((await server.search.search({ q: 'attention networks' })).mode, 'keyword');

    // The first reindex: model A, every paper embedded.
    const first = reindexProcess();
    assert.equal(await first.trainEmbedder(), true);
    await first.searchIndex.reindex();
    await first.searchIndex.close();
    a = (await ctx.store.search.loadModel(LOCAL_MODEL_NAME))!.modelId;

    server.searchIndex.spaces.invalidate();
    await server.searchIndex.spaces.serving();
    await server.searchIndex.spaces.switched();
    assert.deepEqual(await servingOf(server), { space: a, query: a, target: a });
    assert.equal((await server.search.search({ q: 'attention networks' })).mode, 'hybrid');
    assert.ok((await server.search.similar('2402.00002', 3))!.some((s) => s.paper.id === '2402.00003'));
  });

  test('the server keeps the old model and its vectors together until the new space is complete, then moves to both at once', async () => {
    assert.deepEqual(await servingOf(server), { space: a, query: a, target: a });
    // A `paperboy worker` beside it (its jobs, no searches), holding A's ANN index as its
    // similar-lists job does once it has ranked a list.
    const worker = createServices({ config, logger, store: ctx.store });
    assert.ok((await worker.search.similar('2402.00002', 3))!.length > 0);
    assert.deepEqual(worker.searchIndex.annSpaces, [a]);

    // The corpus changes and a reindex trains model B: the model row is B, B's space is empty.
    await ctx.store.papers.upsertMany(
      Array.from({ length: 12 }, (_, i) => makePaper({ id: `2405.${String(i).padStart(5, '0')}`, title: `Coral reef bleaching survey ${i}`, abstract: `Ocean warming and coral reef fish counts at reef site ${i}.` })),
    );
    const second = reindexProcess();
    await second.trainEmbedder();
    const b = (await ctx.store.search.loadModel(LOCAL_MODEL_NAME))!.modelId;
    assert.notEqual(b, a, 'the changed corpus trains another model');
    // The reindex opens B and starts embedding: B's space exists, not yet complete.
    assert.equal((await second.searchIndex.embedder())?.id, b);
    assert.equal((await ctx.store.embeddingSpaces.get(b))?.completeAt, null);

    // While B is being embedded the server stays on A: A's queries, A's vectors, A as its target
    // (it neither embeds B's space itself nor searches B's half-filled one).
    server.searchIndex.spaces.invalidate();
    assert.deepEqual(await servingOf(server), { space: a, query: a, target: a });
    await server.searchIndex.spaces.switched();
    assert.deepEqual(await servingOf(server), { space: a, query: a, target: a });
    assert.equal((await server.search.search({ q: 'attention networks' })).mode, 'hybrid', 'queries still embedded (by A)');

    // The reindex embeds every paper with B: B's space is complete.
    await second.searchIndex.reindex({ fullText: false });
    await second.searchIndex.close();
    assert.ok((await ctx.store.embeddingSpaces.get(b))?.completeAt);

    // A similar-papers page begun on A just before the server moves to B ranks in A throughout: the
    // move happens between the request's first read (its stored list, looked up in the space it
    // took) and its vector reads, and every read of vectors, keys and term vectors names A.
    const search = ctx.store.search;
    const saved = { get: ctx.store.similarLists.get, embeddingOf: search.embeddingOf, embeddingsOf: search.embeddingsOf, paperIdsForKeys: search.paperIdsForKeys, similarCandidates: search.similarCandidates };
    const spacesRead: string[] = [];
    let moved = false;
    ctx.store.similarLists.get = async (...a) => {
      spacesRead.push(a[0]);
      if (!moved) {
        moved = true;
        server.searchIndex.spaces.invalidate();
        await server.searchIndex.spaces.serving();
        await server.searchIndex.spaces.switched();
        assert.equal((await server.searchIndex.spaces.serving())?.embedderId, b, 'the server moved to B during the request');
      }
      return saved.get.apply(ctx.store.similarLists, a);
    };
    search.embeddingOf = (...a) => (spacesRead.push(a[0]), saved.embeddingOf.apply(search, a));
    search.embeddingsOf = (...a) => (spacesRead.push(a[0]), saved.embeddingsOf.apply(search, a));
    search.paperIdsForKeys = (...a) => (spacesRead.push(a[0]), saved.paperIdsForKeys.apply(search, a));
    search.similarCandidates = (...a) => (spacesRead.push(a[0] ?? 'none'), saved.similarCandidates.apply(search, a));
    let rankedDuringMove: Awaited<ReturnType<Services['search']['similar']>>;
    try {
      rankedDuringMove = await server.search.similar('2402.00002', 3);
    } finally {
      Object.assign(ctx.store.similarLists, { get: saved.get });
      Object.assign(search, { embeddingOf: saved.embeddingOf, embeddingsOf: saved.embeddingsOf, paperIdsForKeys: saved.paperIdsForKeys, similarCandidates: saved.similarCandidates });
    }
    assert.ok(moved);
    assert.ok(spacesRead.length >= 4, `the stored list, the paper's vector, the neighbours' keys, the candidates: ${spacesRead.join(', ')}`);
    assert.deepEqual([...new Set(spacesRead)], [a], 'one space for the whole ranking');
    assert.ok(rankedDuringMove!.some((s) => s.paper.id === '2402.00003'), 'ranked in A as before the move');
    assert.deepEqual(await servingOf(server), { space: b, query: b, target: b });

    // At its next refresh the server opens B in the background; until B is open it answers from A
    // (never A's model over B's vectors, nor the other way round); then from B, with B.
    server.searchIndex.spaces.invalidate();
    const during = await servingOf(server);
    assert.equal(during.query, during.space, 'queries are embedded by the model of the vectors searched');
    await server.searchIndex.spaces.switched();
    assert.deepEqual(await servingOf(server), { space: b, query: b, target: b });
    const r1 = await server.search.search({ q: 'coral reef warming', mode: 'vector' });
    assert.ok(r1.results.length > 0 && r1.results[0].paper.id.startsWith('2405.'), 'the new papers are found by meaning, in B');
    const hybrid = await server.search.search({ q: 'attention networks' });
    assert.equal(hybrid.mode, 'hybrid');
    assert.equal(hybrid.results[0].paper.id, '2402.00004');
    assert.ok((await server.search.similar('2402.00002', 3))!.some((s) => s.paper.id === '2402.00003'), 'similar papers from B');
    assert.ok((await server.search.similar('2405.00003', 3))!.every((s) => s.paper.id.startsWith('2405.')), 'a new paper finds its neighbours in B');
    // The old space's ANN index (its graph and thread) is let go at the minute's catch-up.
    assert.deepEqual(server.searchIndex.annSpaces.sort(), [a, b].sort());
    const stop = server.searchIndex.keepInStep(60_000);
    await stop();
    assert.deepEqual(server.searchIndex.annSpaces, [b]);
    assert.deepEqual(await servingOf(server), { space: b, query: b, target: b });
    await server.searchIndex.close();

    // The worker follows through the same minute's step as the server (`keepInStep`, as `paperboy
    // worker` runs it): a step once its cached choice has aged starts the move to B, a later one
    // lets A's ANN index go. It builds no keyword index and no ANN index of its own meanwhile.
    worker.searchIndex.spaces.invalidate();
    const workerStep = () => worker.searchIndex.keepInStep(60_000, { searches: false })();
    await workerStep();
    await worker.searchIndex.spaces.switched();
    assert.equal((await worker.searchIndex.embedder())?.id, b, 'the worker moved to B');
    await workerStep();
    assert.deepEqual(worker.searchIndex.annSpaces, [], "A's ANN index let go; B's is built when a job first searches it");
    assert.equal(worker.searchIndex.indexReady, null, 'no keyword index built for searches it does not answer');
    await worker.searchIndex.close();
  });
});
