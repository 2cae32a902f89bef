import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli, spawnCli } from '../helpers/cli.ts';
import { makePaper } from '../helpers/papers.ts';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.ts';
import { forEachStore } from '../helpers/contract.ts';
import { startWorker } from '../helpers/serve-process.ts';
import { waitFor } from '../helpers/wait.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `paperboy worker` re-embeds the corpus for a newly configured model (here a text-embeddings-inference
 * server), under the job's lease, with progress in the store and the log; `paperboy stats` shows it.
 */
forEachStore('re-embedding in paperboy worker', (ctx) => {
  let tei: EmbeddingsServer;
  before(async () => {
    tei = await startEmbeddingsServer({ kind: 'tei', dimensions: 32, maxClientBatchSize: 16 });
    await ctx.store.papers.upsertMany(Array.from({ length: 150 }, (_, i) => makePaper({ id: `2404.${String(i).padStart(5, '0')}`, title: `Tidal energy converter ${i}` })));
  });
  after(() => tei.close());

  test('the worker embeds every paper for the configured model, records progress, and stats shows it', async (t) => {
    if (!ctx.opened.location) return t.skip('this store cannot be shared with a child process');
    const env = {
      PAPERBOY_DB: ctx.opened.location,
      LOG_LEVEL: 'info',
      SEARCH_EMBEDDER: 'http',
      EMBEDDINGS_API: 'tei',
      EMBEDDINGS_URL: tei.url,
      SEARCH_EMBED_SCHEDULE: '* * * * * *', // every second
    };
    const child = spawnCli(['worker'], env);
    let log = '';
    child.stderr!.on('data', (d) => (log += d));
    child.stdout!.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const id = 'http:BAAI/bge-small-en-v1.5:32';
    try {
      let space = await ctx.store.embeddingSpaces.get(id);
      for (let i = 0; i < 300 && !space?.completeAt; i++) {
        await sleep(100);
        space = await ctx.store.embeddingSpaces.get(id);
      }
      assert.ok(space?.completeAt, `the space was completed:\n${log}`);
      assert.deepEqual([space.papersDone, space.papersTotal, space.dimensions], [150, 150, 32], log);
      assert.ok(tei.requests.filter((r) => r.path === '/embed').every((r) => (r.body.inputs as string[]).length <= 16), "TEI's batch limit was kept");
      await sleep(1500); // a later tick finds nothing to do
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, log);
    const runs = (await ctx.store.runs.recent(100)).filter((r) => r.kind === 'search-embed');
    assert.equal(runs.length, 1, `one run embedded everything; ticks with nothing to embed recorded none: ${JSON.stringify(runs)}\n${log}`);
    assert.deepEqual({ ...runs[0].stats, scheduledAt: undefined }, { scheduledAt: undefined, embedder: id, embedded: 150, done: 150, total: 150, complete: true, stopped: false });
    assert.equal(await ctx.store.leases.holder('search-embed'), null);

    const stats = await runCli(['stats'], { PAPERBOY_DB: ctx.opened.location });
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, new RegExp(`embeddings ${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: 150 / 150 papers \\(100%\\), 32 dimensions, covers the corpus since `));
  });

  test('the worker follows the serving space from its start, as serve does, though no job of it searches yet', async (t) => {
    if (!ctx.opened.location) return t.skip('this store cannot be shared with a child process');
    // The re-embed and similar-lists jobs are not due while this test runs: the space is chosen by
    // the minute's step the worker shares with serve (`keepInStep`), which also moves it to a
    // retrained model and lets the old space's ANN index go (tests/search/local-model-swap.test.ts).
    const worker = await startWorker({
      PAPERBOY_DB: ctx.opened.location,
      SEARCH_EMBEDDER: 'http',
      EMBEDDINGS_API: 'tei',
      EMBEDDINGS_URL: tei.url,
      SEARCH_EMBED_SCHEDULE: '0 0 1 1 *',
    });
    try {
      await waitFor(() => /search answers from embedding space/.test(worker.log()), 30_000, `the worker choosing its serving space:\n${worker.log()}`);
      assert.match(worker.log(), /"serving":"http:BAAI\/bge-small-en-v1\.5:32"/);
    } finally {
      worker.child.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0, worker.log());
  });
});
