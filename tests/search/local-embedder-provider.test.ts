import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { LOCAL_MODEL_NAME } from '../../src/search/local-embedder-provider.ts';
import { loadCorpus } from './fixtures.ts';
import { hasPlannerStatistics } from '../helpers/planner-statistics.ts';

forEachStore('local embedder provider and the default search wiring', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');

  before(async () => {
    await loadCorpus(ctx.store);
  });

  test('the defaults are the in-memory keyword index and the local embedder', () => {
    assert.equal(config.searchKeywordEngine, 'memory');
    assert.equal(config.searchEmbedder, 'local');
    assert.equal(createServices({ config, logger, store: ctx.store }).searchIndex.engineName, 'bm25-maxscore');
  });

  test('untrained: no embedder, keyword search only; reindex trains, stores and uses the model', async () => {
    const provider = embedderProvider('local')!;
    assert.equal(await provider.open({ config, store: ctx.store, logger }), null);
    const before = createServices({ config, logger, store: ctx.store });
    const r0 = await before.search.search({ q: 'attention networks' });
    assert.equal(r0.mode, 'keyword');
    assert.ok(r0.results.length > 0);

    const trainPhases = new Map<string, [number, number]>();
    await provider.train!({ config, store: ctx.store, logger }, (phase, done, total) => trainPhases.set(phase, [done, total]));
    // Progress per phase, each ending complete: what `paperboy reindex` draws its bars and lines from.
    assert.deepEqual([...trainPhases.keys()], ['read papers', 'analyse a sample', 'latent space (SVD steps)']);
    for (const [phase, [done, total]] of trainPhases) assert.ok(done === total && total > 0, `${phase}: ${done}/${total}`);
    const stored = await ctx.store.search.loadModel(LOCAL_MODEL_NAME);
    assert.ok(stored && stored.data.byteLength > 0);
    const embedder = await provider.open({ config, store: ctx.store, logger });
    assert.ok(embedder && embedder.id === stored!.modelId);

    // The reindex's other work runs while the model trains on its worker, and is told whether it still does.
    const seen: boolean[] = [];
    let training: { readonly running: boolean } | undefined;
    await provider.train!({ config, store: ctx.store, logger }, undefined, async (t) => {
      training = t;
      seen.push(t.running);
    });
    assert.deepEqual(seen, [true], 'the training runs when meanwhile starts');
    assert.equal(training!.running, false, 'and is done when train returns');

    const services = createServices({ config, logger, store: ctx.store });
    const phases: Array<[string, number, number]> = [];
    const r = await services.searchIndex.reindex({ onPhase: (phase, done, total) => phases.push([phase, done, total]) });
    assert.ok(r.embedded >= 8, `embedded ${r.embedded}`);
    assert.equal(r.vectors, r.embedded, 'every embedded paper is in the ANN index, built once');
    if (ctx.kind === 'postgres') assert.equal(await hasPlannerStatistics(ctx.kind, ctx.store, 'paper_embeddings'), true, 'reindex refreshes the statistics of the vectors it wrote');
    const last = (name: string) => phases.filter(([p]) => p === name).at(-1);
    assert.deepEqual(last('full-text')?.slice(1), [r.fullText, r.fullText]);
    assert.deepEqual(last('embed')?.slice(1), [r.embedded, r.embedded]);
    const hybrid = await services.search.search({ q: 'attention networks' });
    assert.equal(hybrid.mode, 'hybrid');
    assert.equal(hybrid.results[0].paper.id, '2402.00004', 'the best keyword hit stays first');
    const ids = hybrid.results.map((x) => x.paper.id);
    assert.ok(!ids.includes('2402.00008') && !ids.includes('2402.00009'), 'hidden and withdrawn papers never show');
    const similar = await services.search.similar('2402.00002', 3);
    assert.ok(similar && similar.some((s) => s.paper.id === '2402.00003'), 'the other radiance-fields paper is similar');
  });
});
