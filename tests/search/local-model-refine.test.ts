import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { within } from '../helpers/wait.ts';
import { JobScheduler } from '../../src/jobs/scheduler.ts';
import { reembedJob } from '../../src/jobs/reembed-job.ts';
import { EMBED_LEASE } from '../../src/services/embedding-runs.ts';
import { makePaper } from '../helpers/papers.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { ModelRefinementService } from '../../src/services/model-refinement.ts';
import { openSearch } from '../../src/services/search.ts';
import { LOCAL_MODEL_NAME } from '../../src/search/local-embedder-provider.ts';
import { LocalEmbedder } from '../../src/search/local-embedder.ts';
import { isRefinedModelId, refineModel, REFINED_SUFFIX } from '../../src/search/local-embedder-refine.ts';
import { DEFAULT_FUSION, REFINED_FUSION, adaptiveVectorWeight, fuse, type FusionWeights } from '../../src/search/fusion.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';

/**
 * Issue 14: the offline model's contrastive refinement is served. After a reindex trains the LSA
 * model, the background refinement stores a refined model under a new id; the re-embed job fills
 * its space while search answers from the old one; servers move to it once it is complete; hybrid
 * search fuses it adaptively where the keyword engine knows the query's ceiling, and keeps the fixed
 * fusion for the LSA model and for engines without one.
 */
const TOPICS = [
  ['coral reef', 'ocean warming bleaches coral colonies', 'reef fish counts fall at warm sites', 'divers surveyed twelve reef transects'],
  ['protein folding', 'amino acid chains fold into stable structures', 'molecular dynamics simulates the folding path', 'contact maps predict the folded shape'],
  ['black hole', 'gravitational waves come from merging black holes', 'the detector measured the ringdown signal', 'spin and mass are inferred from the waveform'],
  ['graph neural', 'message passing networks learn on graphs', 'node features are aggregated from neighbours', 'the model classifies molecules and citation graphs'],
  ['speech recognition', 'acoustic models turn audio into text', 'a transducer decodes spoken words in real time', 'word error rate drops on noisy recordings'],
  ['traffic forecasting', 'road sensors record vehicle speeds', 'a recurrent model predicts congestion an hour ahead', 'the forecasts help plan city traffic lights'],
];
const CORPUS = TOPICS.flatMap(([topic, ...sentences], t) =>
  Array.from({ length: 4 }, (_, i) =>
    makePaper({
      id: `2410.${String(t * 10 + i).padStart(5, '0')}`,
      title: `${topic[0].toUpperCase()}${topic.slice(1)} study ${i}: ${sentences[i % 3].split(' ').slice(0, 4).join(' ')}`,
      abstract: sentences.map((s, k) => `${s[0].toUpperCase()}${s.slice(1)} in ${topic} setting number ${i + k}.`).join(' '),
    }),
  ),
);
const OPTIONS = { batch: 4, minPapers: 8 };

describe('refineModel: the contrastive refinement of the offline model', () => {
  const base = LocalEmbedder.train(CORPUS);

  test('a new model id (the base id and the recipe suffix), the same vocabulary, other rows; the same bytes every time', () => {
    const a = refineModel(base, CORPUS, OPTIONS);
    assert.equal(a.id, `${base.id}${REFINED_SUFFIX}`);
    assert.ok(isRefinedModelId(a.id) && !isRefinedModelId(base.id));
    assert.equal(a.featureCount, base.featureCount);
    assert.notDeepEqual(a.rowsCopy(), base.rowsCopy(), 'the rows moved');
    assert.deepEqual(refineModel(base, CORPUS, OPTIONS).toBuffer(), a.toBuffer(), 'deterministic');
    assert.throws(() => refineModel(a, CORPUS, OPTIONS), /refined already/);
    assert.throws(() => refineModel(base, CORPUS.slice(0, 7), OPTIONS), /too few papers/);
  });

  test('it pulls a title towards its own abstract, away from the other papers', () => {
    const refined = refineModel(base, CORPUS, OPTIONS);
    const margin = (m: LocalEmbedder) => {
      let sum = 0;
      for (const p of CORPUS) {
        const q = m.embedOne(p.title);
        const cos = (t: string) => m.embedOne(t).reduce((s, v, d) => s + v * q[d], 0);
        const others = CORPUS.filter((o) => o.id !== p.id).map((o) => cos(o.abstract));
        sum += cos(p.abstract) - others.reduce((x, y) => x + y, 0) / others.length;
      }
      return sum / CORPUS.length;
    };
    assert.ok(margin(refined) > margin(base), `own-abstract margin ${margin(refined)} against ${margin(base)}`);
  });
});

describe('adaptive fusion', () => {
  const range = { lo: 0.2, hi: 0.7 };
  test('the vector share runs from hi (BM25 reaches none of its ceiling) to lo (all of it)', () => {
    assert.equal(adaptiveVectorWeight(0, 10, range), 0.7);
    assert.equal(adaptiveVectorWeight(10, 10, range), 0.2);
    assert.ok(Math.abs(adaptiveVectorWeight(5, 10, range) - 0.45) < 1e-12);
    assert.equal(adaptiveVectorWeight(20, 10, range), 0.2, 'capped');
  });

  test('an unsure keyword list lets the cosine decide; a sure one, or no ceiling, keeps the keyword order', () => {
    const keyword = [{ id: 'a', score: 1 }, { id: 'b', score: 0.5 }];
    const vector = [{ id: 'b', score: 0.6 }, { id: 'a', score: 0.2 }];
    const order = (w: FusionWeights, ceiling?: number) => fuse(keyword, vector, w, undefined, ceiling).map((h) => h.id);
    assert.deepEqual(order(REFINED_FUSION, 100), ['b', 'a']);
    assert.deepEqual(order(REFINED_FUSION, 1), ['a', 'b']);
    assert.deepEqual(order(REFINED_FUSION), ['a', 'b'], 'no ceiling: the fixed 0.7 / 0.3');
    assert.deepEqual(order(DEFAULT_FUSION, 100), ['a', 'b'], 'the fixed fusion ignores a ceiling');
  });
});

forEachStore('the background refinement of the local model, served', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');

  before(async () => {
    await ctx.store.papers.upsertMany(CORPUS);
  });

  async function servingOf(server: Services) {
    const s = await server.searchIndex.spaces.serving();
    return { space: s?.embedderId, query: s?.embedder?.id ?? null };
  }

  /** The served search's ranking and scores, and the same services' search with a fixed fusion. */
  const ranked = async (search: { search: Services['search']['search'] }, q: string) => (await search.search({ q, limit: 10 })).results.map((r) => [r.paper.id, r.score]);
  const withFusion = (fusion: FusionWeights, engine: 'memory' | 'store' = 'memory') =>
    openSearch(ctx.store, {
      engine: engine === 'memory' ? new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store)) : new StoreKeywordEngine(ctx.store),
      embedder: async () => embedderProvider('local')!.open({ config, store: ctx.store, logger }),
      fusion,
    }).search;

  let server: Services;
  let base: string;
  let refined: string;
  const QUERY = 'simulating how amino acid chains fold';

  test('after a reindex the refinement is due; a refined model stored but not yet embedded is not served; the job embeds it and servers move', async () => {
    const reindex = createServices({ config, logger, store: ctx.store });
    assert.equal(await reindex.trainEmbedder(), true);
    await reindex.searchIndex.reindex();
    await reindex.searchIndex.close();
    const baseModel = (await ctx.store.search.loadModel(LOCAL_MODEL_NAME))!;
    base = baseModel.modelId;
    server = createServices({ config, logger, store: ctx.store });
    assert.deepEqual(await servingOf(server), { space: base, query: base });
    assert.deepEqual(await ranked(server.search, QUERY), await ranked(withFusion(DEFAULT_FUSION), QUERY), 'the LSA model: the fixed fusion');

    assert.equal(await new ModelRefinementService(ctx.store, { enabled: false, options: OPTIONS }).due(), false, 'SEARCH_REFINE=false');
    assert.equal(await new ModelRefinementService(ctx.store, { enabled: true, options: { ...OPTIONS, minPapers: CORPUS.length + 1 } }).due(), false, 'too few papers');
    assert.equal(await new ModelRefinementService(ctx.store, { enabled: true, options: { ...OPTIONS, minPapers: CORPUS.length } }).due(), true, 'exactly the fewest papers');
    const refinement = new ModelRefinementService(ctx.store, { enabled: true, options: OPTIONS });
    assert.equal(await refinement.due(), true);

    // A run stopped after it stored the refined model: the model row is the refined one, its space empty.
    const texts = (await ctx.store.papers.textsById(100, '')).map((p) => ({ title: p.title, abstract: p.abstract }));
    const model = refineModel(LocalEmbedder.fromBuffer(baseModel.data), texts, OPTIONS);
    refined = `${base}${REFINED_SUFFIX}`;
    assert.equal(model.id, refined);
    await ctx.store.search.saveModel(LOCAL_MODEL_NAME, model.id, model.toBuffer());
    server.searchIndex.spaces.invalidate();
    assert.deepEqual(await servingOf(server), { space: base, query: base });
    await server.searchIndex.spaces.switched();
    assert.deepEqual(await servingOf(server), { space: base, query: base }, 'the refined space is not complete: no move');
    const during = await server.search.search({ q: QUERY });
    assert.equal(during.mode, 'hybrid', 'search keeps answering, from the old model');
    assert.ok(during.results[0].paper.id.startsWith('2410.0001'), 'a protein-folding paper first');

    // The job resumes: it only embeds (nothing to train), and the space is complete.
    assert.equal(await refinement.due(), true, 'a refined model with an incomplete space is due');
    const resumed = await refinement.run();
    assert.deepEqual({ from: resumed?.from, to: resumed?.to, papers: resumed?.papers, embedded: resumed?.embedded, complete: resumed?.complete }, { from: base, to: refined, papers: 0, embedded: CORPUS.length, complete: true });
    assert.equal(await refinement.due(), false, 'a refined, embedded model is not refined again');
    assert.equal(await refinement.run(), null);

    server.searchIndex.spaces.invalidate();
    await server.searchIndex.spaces.serving();
    await server.searchIndex.spaces.switched();
    assert.deepEqual(await servingOf(server), { space: refined, query: refined });
    const after = await server.search.search({ q: QUERY });
    assert.equal(after.mode, 'hybrid');
    assert.ok(after.results[0].paper.id.startsWith('2410.0001'), 'a protein-folding paper first');
  });

  test('a whole run refines on its worker thread, the papers sent in pieces (the same bytes as in-process), and stores it; search answers meanwhile', async () => {
    const refinedBytes = (await ctx.store.search.loadModel(LOCAL_MODEL_NAME))!.data;
    // The reindex trained the base again (same papers, same model).
    const reindex = createServices({ config, logger, store: ctx.store });
    await reindex.trainEmbedder();
    await reindex.searchIndex.close();
    assert.equal(await ctx.store.search.modelId(LOCAL_MODEL_NAME), base);
    const refinement = new ModelRefinementService(ctx.store, { enabled: true, options: OPTIONS, sendChunk: 5 });
    assert.equal(await refinement.due(), true);
    const running = refinement.run();
    assert.equal((await server.search.search({ q: QUERY })).mode, 'hybrid', 'answers while the refinement runs');
    const run = await running;
    assert.deepEqual({ from: run?.from, to: run?.to, papers: run?.papers, complete: run?.complete }, { from: base, to: refined, papers: CORPUS.length, complete: true });
    assert.deepEqual(Buffer.from((await ctx.store.search.loadModel(LOCAL_MODEL_NAME))!.data), Buffer.from(refinedBytes), 'deterministic across threads');
  });

  test('the refined model is fused adaptively with the in-memory index; with the store engine (no ceiling), the fixed fusion', async () => {
    const served = await ranked(server.search, QUERY);
    assert.deepEqual(served, await ranked(withFusion(REFINED_FUSION), QUERY));
    assert.notDeepEqual(served, await ranked(withFusion(DEFAULT_FUSION), QUERY));
    assert.deepEqual(await ranked(withFusion(REFINED_FUSION, 'store'), QUERY), await ranked(withFusion(DEFAULT_FUSION, 'store'), QUERY));
    await server.searchIndex.close();
  });
});

forEachStore('a reindex that lands while the refinement runs', (ctx) => {
  test('the model the reindex stored stays; the refinement of the one it replaced is not stored', async () => {
    await ctx.store.papers.upsertMany(CORPUS);
    const base = LocalEmbedder.train(CORPUS);
    await ctx.store.search.saveModel(LOCAL_MODEL_NAME, base.id, base.toBuffer());
    const retrained = `${base.id}-retrained`;
    // The reindex stores its model right after the refinement has read the papers (while it trains).
    let landed = false;
    const papers = new Proxy(ctx.store.papers, {
      get(target, key) {
        if (key !== 'textsById') return Reflect.get(target, key, target);
        return async (...args: Parameters<typeof target.textsById>) => {
          const page = await target.textsById(...args);
          if (!landed) {
            landed = true;
            await ctx.store.search.saveModel(LOCAL_MODEL_NAME, retrained, base.toBuffer());
          }
          return page;
        };
      },
    });
    const store = new Proxy(ctx.store, { get: (target, key) => (key === 'papers' ? papers : Reflect.get(target, key, target)) });
    const run = await new ModelRefinementService(store, { enabled: true, options: OPTIONS }).run();
    assert.ok(landed);
    assert.equal(run, null, 'nothing stored, nothing embedded');
    assert.equal(await ctx.store.search.modelId(LOCAL_MODEL_NAME), retrained, 'the reindex’s model stays');
    assert.equal(await ctx.store.embeddingSpaces.get(`${base.id}${REFINED_SUFFIX}`), null, 'no space for the refined model');
    // The store's own check, apart: a replace over a model that is no longer stored changes nothing.
    assert.equal(await ctx.store.search.replaceModel(LOCAL_MODEL_NAME, base.id, 'other', base.toBuffer()), false);
    assert.equal(await ctx.store.search.modelId(LOCAL_MODEL_NAME), retrained);
    assert.equal(await ctx.store.search.replaceModel(LOCAL_MODEL_NAME, retrained, 'other', base.toBuffer()), true);
    assert.equal(await ctx.store.search.modelId(LOCAL_MODEL_NAME), 'other');
  });
});

/**
 * The refined model is embedded once: the refinement job and a server's re-embed job (a server
 * started after the refined model was stored targets it) take one lease, `EMBED_LEASE`, so one of
 * them embeds while the other leaves the space to it — and a holder that died loses it when it
 * expires, so the space is still completed.
 */
forEachStore('the refined model embedded by one process', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');
  let refined: string;
  let dimensions: number;
  /** Rows written into the refined model's space, by either. */
  let rows = 0;
  /** While set: the next write into the refined space waits for it (after saying so through `paused`). */
  let gate: { paused: () => void; open: Promise<void> } | null = null;

  before(async () => {
    await ctx.store.papers.upsertMany(CORPUS);
    const reindex = createServices({ config, logger, store: ctx.store });
    await reindex.trainEmbedder();
    await reindex.searchIndex.reindex();
    await reindex.searchIndex.close();
    const base = (await ctx.store.search.loadModel(LOCAL_MODEL_NAME))!;
    const texts = (await ctx.store.papers.textsById(100, '')).map((p) => ({ title: p.title, abstract: p.abstract }));
    const model = refineModel(LocalEmbedder.fromBuffer(base.data), texts, OPTIONS);
    refined = model.id;
    dimensions = model.dimensions;
    // The refinement stored its model (a run stopped before it embedded): only the embedding is left.
    await ctx.store.search.saveModel(LOCAL_MODEL_NAME, model.id, model.toBuffer());
    const save = ctx.store.search.saveEmbeddings.bind(ctx.store.search);
    ctx.store.search.saveEmbeddings = async (id, batch, now) => {
      if (id === refined) {
        rows += batch.length;
        const g = gate;
        if (g) {
          gate = null;
          g.paused();
          await g.open;
        }
      }
      return save(id, batch, now);
    };
  });

  /** Holds the next write into the refined space; resolves once one is held, with the function that lets it go. */
  function holdNextWrite(): { held: Promise<void>; release: () => void } {
    let paused!: () => void;
    let open!: () => void;
    const held = new Promise<void>((r) => (paused = r));
    gate = { paused, open: new Promise<void>((r) => (open = r)) };
    return {
      held,
      release: () => {
        gate = null;
        open();
      },
    };
  }

  /** Forgets the refined space's vectors (as stored before either embedded it). */
  async function unembed(): Promise<void> {
    await ctx.store.search.deleteEmbeddings(refined);
    await ctx.store.embeddingSpaces.delete(refined);
    rows = 0;
  }

  /** A server started now: it serves the old space and targets the refined one; its re-embed job through its scheduler. */
  function startServer() {
    const server = createServices({ config, logger, store: ctx.store });
    const scheduler = new JobScheduler(server.runs, logger);
    return { server, reembed: () => scheduler.runOnce(reembedJob(server.searchIndex)), close: () => server.searchIndex.close() };
  }

  test("the refinement embeds; a server's re-embed job meanwhile finds the lease held and embeds nothing", async () => {
    const { server, reembed, close } = startServer();
    try {
      assert.equal((await server.searchIndex.embedder())?.id, refined, 'the new server targets the refined model');
      const refinement = new ModelRefinementService(ctx.store, { enabled: true, options: OPTIONS });
      assert.equal(await refinement.due(), true);
      const write = holdNextWrite();
      const running = refinement.run();
      try {
        await within(write.held, 30_000, "the refinement's first write");
        // The refinement is mid-embedding: the server's job is due (papers lack a refined vector) but skips.
        assert.equal(await server.searchIndex.hasPending(), true);
        assert.deepEqual(await reembed(), { ran: false, reason: 'lease_held' });
      } finally {
        // Failing or not, the refinement is let go and ends (its embedding thread with it).
        write.release();
        await running.catch(() => undefined);
      }
      const run = await running;
      assert.deepEqual({ embedded: run?.embedded, complete: run?.complete }, { embedded: CORPUS.length, complete: true });
      assert.equal(rows, CORPUS.length, 'each paper embedded once');
      assert.deepEqual(await reembed(), { ran: false, reason: 'not_due' });
      assert.equal(await ctx.store.leases.holder(EMBED_LEASE), null, 'released');
    } finally {
      await close();
    }
  });

  test("a server's re-embed job embeds; the refinement meanwhile is not due, and a run of it embeds nothing", async () => {
    await unembed();
    const { reembed, close } = startServer();
    try {
      const refinement = new ModelRefinementService(ctx.store, { enabled: true, options: OPTIONS });
      assert.equal(await refinement.due(), true);
      const write = holdNextWrite();
      const running = reembed();
      try {
        await within(write.held, 30_000, "the re-embed job's first write");
        assert.equal(await refinement.due(), false, 'another process embeds');
        const left = await refinement.run();
        assert.deepEqual({ to: left?.to, embedded: left?.embedded, complete: left?.complete }, { to: refined, embedded: 0, complete: false });
      } finally {
        write.release();
        await running;
      }
      const outcome = await running;
      assert.ok(outcome.ran && outcome.status === 'succeeded', JSON.stringify(outcome));
      assert.equal(outcome.ran && outcome.stats.embedded, CORPUS.length);
      assert.equal(rows, CORPUS.length, 'each paper embedded once');
      assert.ok((await ctx.store.embeddingSpaces.get(refined))?.completeAt);
      assert.equal(await refinement.due(), false);
    } finally {
      await close();
    }
  });

  test('a refinement that died holding the lease: nothing embeds while it is live; once it expires the re-embed job completes the space', async () => {
    await unembed();
    await ctx.store.embeddingSpaces.ensure(refined, dimensions, { provider: 'local' });
    // The dead process's lease, as its last renewal left it.
    assert.equal(await ctx.store.leases.acquire(EMBED_LEASE, 'refine-model:dead', 10 * 60_000), true);
    const { reembed, close } = startServer();
    try {
      const refinement = new ModelRefinementService(ctx.store, { enabled: true, options: OPTIONS });
      assert.equal(await refinement.due(), false);
      assert.deepEqual(await reembed(), { ran: false, reason: 'lease_held' });
      assert.equal(rows, 0);
      await sql`update job_leases set expires_at = ${new Date(Date.now() - 1000).toISOString()} where name = ${EMBED_LEASE}`.execute(testDb(ctx.store));
      assert.equal(await refinement.due(), true, 'expired: the refinement would finish it too');
      const outcome = await reembed();
      assert.ok(outcome.ran && outcome.status === 'succeeded', JSON.stringify(outcome));
      assert.equal(rows, CORPUS.length);
      assert.ok((await ctx.store.embeddingSpaces.get(refined))?.completeAt, 'the space is complete');
      assert.equal(await refinement.due(), false);
    } finally {
      await close();
    }
  });
});
