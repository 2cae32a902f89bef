import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { forEachStore } from '../helpers/contract.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { makePaper } from '../helpers/papers.ts';
import { seededRandom } from '../../src/domain/random.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { annFileBeside } from '../../src/services/search-index.ts';
import { VectorIndex } from '../../src/search/vector-index.ts';

/**
 * Issue 19, "nothing heavy on the request thread": after an embedding run the ANN graph is saved
 * beside the SQLite file. The request thread used to wait (no CPU, blocked on the graph's thread)
 * while the file was written — tens of megabytes at 75k papers, every request held. Now the graph's
 * thread writes it and the request thread serves meanwhile; a search waits for the write off the
 * request thread (or answers with keyword results past its budget).
 *
 * No clock decides it: the save's file is a named pipe the test holds shut (usearch opens the
 * temporary file for writing and blocks until someone reads), so the save is under way for as long
 * as the test wants. Requests are made then, and answered, before the pipe is opened. A request
 * thread that waited for the write could answer nothing until then: the pipe's keeper, another
 * thread, gives up waiting for the test after `PATIENCE_MS` (far beyond any request's time) and
 * reads it, and the test fails on that, not on a hang.
 */
const PATIENCE_MS = 20_000;

/** The pipe's keeper: opens it for reading only once told to (or after `patienceMs`), then drains it into `out`. */
const KEEPER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { fifo, out, flags, patienceMs } = workerData;
const waited = Atomics.wait(flags, 0, 0, patienceMs);
Atomics.store(flags, 1, waited === 'timed-out' ? 1 : 0);
const fd = fs.openSync(fifo, 'r');
const chunks = [];
const buf = Buffer.alloc(1 << 16);
for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) chunks.push(Buffer.from(buf.subarray(0, n)));
fs.closeSync(fd);
fs.writeFileSync(out, Buffer.concat(chunks));
parentPort.postMessage('drained');
`;

forEachStore('the ANN graph saved after an embedding run, off the request thread', (ctx) => {
  const rnd = seededRandom(2301);
  const words = ['graph', 'node', 'quantum', 'qubit', 'galaxy', 'halo', 'protein', 'residue', 'policy', 'reward', 'token', 'decoder', 'method', 'model'];
  const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const papers = Array.from({ length: 60 }, (_, i) => makePaper({ id: `2410.${String(i).padStart(5, '0')}`, title: text(6), abstract: `${text(30)}.`, publishedAt: '2024-10-01' }));
  let server: RunningApp;

  before(async () => {
    if (ctx.kind !== 'sqlite') return;
    await ctx.store.papers.upsertMany(papers);
    const logger = createLogger('silent');
    await embedderProvider('local')!.train!({ config: loadConfig({}, { db: ctx.opened.location! }), store: ctx.store, logger });
    // The database's own path: the ANN graph is saved beside it. A short query budget: the search
    // made during the save answers with keyword results once it is spent.
    server = await startApiServer(ctx.store, { PAPERBOY_DB: ctx.opened.location!, PAGE_CACHE_SECONDS: '0', SEARCH_EMBED_BUDGET_MS: '300' });
    await server.services.searchIndex.reindex();
  });
  after(() => server?.close());

  test('requests are answered while the graph is written, and the file written is the whole graph', async (t) => {
    if (ctx.kind !== 'sqlite') return t.skip('the graph is saved beside a SQLite file only (PostgreSQL servers publish it: the same thread write)');
    const index = server.services.searchIndex;
    const embedder = (await index.embedder())!;
    const ann = await index.vectorIndex({ embedderId: embedder.id, dimensions: embedder.dimensions });
    const file = annFileBeside(ctx.opened.location)(embedder.id)!;
    // Revised papers: the embedding run embeds them again and then saves the graph.
    await ctx.store.papers.upsertMany(papers.slice(0, 20).map((p) => ({ ...p, abstract: `${p.abstract} Revised.` })));

    const fifo = `${file}.tmp-${process.pid}`;
    const drained = `${file}.drained`;
    execFileSync('mkfifo', [fifo]);
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const keeper = new Worker(KEEPER, { eval: true, workerData: { fifo, out: drained, flags, patienceMs: PATIENCE_MS } });
    const keeperDone = new Promise((resolve, reject) => {
      keeper.once('message', resolve);
      keeper.once('error', reject);
    });
    const open = () => {
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
    };
    try {
      let settled = false;
      const run = index.embedInBackground().finally(() => (settled = true));
      // Turns of the loop, no clock: until the run's save is under way (a request thread held by
      // the write never comes back here before the keeper gives up).
      while (!ann.saving && !settled) await nextTurn();
      assert.ok(ann.saving, 'the embedding run saved its graph');

      const feed = await fetch(`${server.url}/api/daily_papers?limit=5`);
      assert.equal(feed.status, 200);
      await feed.arrayBuffer();
      // Hybrid: the query is embedded, and the search waits for the graph's write (off the request
      // thread) until its budget is spent, then answers with keyword results.
      const search = await fetch(`${server.url}/api/papers/search?q=quantum%20qubit&limit=5`);
      assert.equal(search.status, 200);
      assert.ok(((await search.json()) as unknown[]).length > 0, 'the search found papers');

      assert.equal(Atomics.load(flags, 1), 0, `the requests were answered only after the pipe's keeper gave up waiting (${PATIENCE_MS / 1000} s): the request thread waited for the graph's write`);
      assert.ok(ann.saving && !settled, 'the save was still under way when the requests were answered');
      open();
      const done = await run;
      assert.equal(done?.embedded, 20);
      await keeperDone;
    } finally {
      open();
      await keeperDone.catch(() => undefined);
      await keeper.terminate();
    }
    // The pipe was renamed into place: what went through it is the graph, whole.
    assert.ok(fs.statSync(file).isFIFO());
    fs.rmSync(file);
    fs.renameSync(drained, file);
    const loaded = new VectorIndex(embedder.id, embedder.dimensions, file);
    assert.ok(await loaded.load(), 'the saved graph and its meta load');
    assert.equal(loaded.size, papers.length);
    assert.equal(loaded.size, ann.size);
  });
});
