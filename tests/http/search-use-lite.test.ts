import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { z } from 'zod';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { SearchResultSchema } from '../../src/http/schemas/search.ts';

const PAPERS: [string, string, string][] = [
  ['2503.10001', 'Protein structure prediction with equivariant graph networks', 'Equivariant graph networks predict the folded structure of proteins from their sequence.'],
  ['2503.10002', 'Sparse mixture of experts for language models', 'We route tokens to experts to scale language models cheaply.'],
  ['2503.10003', 'Dark matter halo simulations at high redshift', 'N-body simulations of halo growth in the early universe.'],
  ['2503.10004', 'Speech recognition for low-resource languages', 'Acoustic models trained with little transcribed audio.'],
  ['2503.10005', 'Robotic grasping from camera images', 'A robot arm learns to pick up objects using vision.'],
  ['2503.10006', 'Zebrafish fin regeneration', 'Blastema formation after amputation.'],
];

// Paraphrases that share no word (nor stem) with any paper: only the vectors can find them.
const PARAPHRASES: [string, string][] = [
  ['forecasting the three-dimensional shape of amino acid chains', '2503.10001'],
  ['a mechanical hand that seizes items it sees', '2503.10005'],
  ['turning spoken words into written text when few recordings exist', '2503.10004'],
  ['regrowing lost limbs in aquarium animals', '2503.10006'],
];

// The served path: SEARCH_EMBEDDER=onnx with EMBEDDINGS_MODEL=use-lite builds the model from the npm
// package into MODELS_DIR, embeds the store's papers, and a hybrid search over real HTTP gets its
// vector side from it.
forEachStore('hybrid search with USE-lite (EMBEDDINGS_MODEL=use-lite)', (ctx) => {
  let server: RunningServer;
  let services: Services;
  let modelsDir: string;

  before(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'paperboy-use-http-'));
    await ctx.store.papers.upsertMany(PAPERS.map(([id, title, abstract]) => makePaper({ id, title, abstract })));
    const config = loadConfig({ PAPERBOY_DB: ctx.opened.location ?? 'postgres://pglite/memory', LOG_LEVEL: 'silent', SEARCH_EMBEDDER: 'onnx', EMBEDDINGS_MODEL: 'use-lite', MODELS_DIR: modelsDir, ONNX_THREADS: '1', SEARCH_EMBED_BUDGET_MS: '60000' });
    services = createServices({ config, logger: createLogger('silent'), store: ctx.store });
    await services.searchIndex.catchUp();
    server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  });
  ctx.beforeStoreCloses(async () => {
    await server?.close(1000);
    await services?.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  const search = async (q: string, mode: string) => {
    const res = await fetch(`${server.url}/api/papers/search?q=${encodeURIComponent(q)}&mode=${mode}&limit=3`);
    assert.equal(res.status, 200);
    return z.array(SearchResultSchema).parse(await res.json()).map((p) => p.id);
  };

  test('a paraphrase sharing no word with the paper finds it first (hybrid), where keyword search finds nothing', async () => {
    for (const [q, id] of PARAPHRASES) {
      assert.deepEqual(await search(q, 'keyword'), [], `no keyword hit for ${q}`);
      assert.equal((await search(q, 'hybrid'))[0], id, q);
    }
  });

  test('a query with the title words still ranks the paper first', async () => {
    assert.equal((await search('zebrafish regeneration', 'hybrid'))[0], '2503.10006');
  });
});
