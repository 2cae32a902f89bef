import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { z } from 'zod';
import { forEachStore } from '../helpers/contract.ts';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.ts';
import { loadCorpus } from '../search/fixtures.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { SearchResultSchema } from '../../src/http/schemas/search.ts';

/**
 * An embedding server that fails, answers garbage or is too slow at query time must cost a search
 * at most SEARCH_EMBED_BUDGET_MS: the API and the search page answer with keyword results, and a
 * log line says why.
 */
forEachStore('search falls back to keywords when the embedder misbehaves', (ctx) => {
  const BUDGET = 400;
  let embeddings: EmbeddingsServer;
  let server: RunningServer;
  let services: Services;
  const logs: { msg: string; reason?: string }[] = [];

  before(async () => {
    embeddings = await startEmbeddingsServer({ kind: 'tei', dimensions: 64 });
    await loadCorpus(ctx.store);
    const config = loadConfig({
      PAPERBOY_DB: ctx.opened.location ?? 'postgres://pglite/memory',
      LOG_LEVEL: 'silent',
      SEARCH_EMBEDDER: 'http',
      EMBEDDINGS_API: 'tei',
      EMBEDDINGS_URL: embeddings.url,
      SEARCH_EMBED_BUDGET_MS: String(BUDGET),
      EMBEDDINGS_RETRIES: '3',
    });
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    });
    services = createServices({ config, logger: pino({ level: 'info' }, sink), store: ctx.store });
    await services.searchIndex.catchUp();
    server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  });
  after(async () => {
    await server?.close(1000);
    await embeddings?.close();
  });

  const ids = async (path: string) => {
    const t = performance.now();
    const res = await fetch(server.url + path);
    const ms = performance.now() - t;
    assert.equal(res.status, 200, await res.clone().text());
    return { ids: z.array(SearchResultSchema).parse(await res.json()).map((r) => r.id), ms, cacheControl: res.headers.get('cache-control'), pageCache: res.headers.get('x-page-cache') };
  };
  const QUERY = '/api/papers/search?q=graph%20attention%20networks';

  test('with the server well, hybrid search embeds the query', async () => {
    embeddings.requests.length = 0;
    // Its own address: the anonymous cache keeps this healthy answer, and the tests below ask QUERY.
    const r = await ids(`${QUERY}&limit=20`);
    assert.equal(r.ids[0], '2402.00004');
    assert.ok(embeddings.requests.some((q) => q.path === '/embed'), 'the query went to the embedding server');
  });

  for (const [what, misbehave] of [
    ['answers garbage (a vector per query of the wrong size)', (s: EmbeddingsServer) => (s.override = () => ({ status: 200, body: JSON.stringify([[0.5, 0.5]]) }))],
    ['answers with NaN (TEI sends null)', (s: EmbeddingsServer) => (s.override = () => ({ status: 200, body: JSON.stringify([Array(64).fill(null)]) }))],
    ['answers 424 (backend error)', (s: EmbeddingsServer) => (s.override = () => ({ status: 424, body: JSON.stringify({ error: 'Backend error', error_type: 'Backend' }) }))],
    ['answers 503 again and again (retries would take seconds)', (s: EmbeddingsServer) => (s.override = () => ({ status: 503, body: '' }))],
    ['is too slow', (s: EmbeddingsServer) => (s.delayMs = 5000)],
  ] as const) {
    test(`an embedding server that ${what}: keyword results within the budget, a log line, on the API and the search page`, async () => {
      const keyword = (await ids(`${QUERY}&mode=keyword`)).ids;
      misbehave(embeddings);
      logs.length = 0;
      try {
        // Past the once-a-minute log throttle: a fresh service logs the first fallback at once.
        const r = await ids(QUERY);
        assert.deepEqual(r.ids, keyword, 'the keyword ranking');
        assert.ok(r.ms < BUDGET + 700, `answered in ${Math.round(r.ms)} ms with a ${BUDGET} ms budget`);
        assert.equal(r.cacheControl, 'no-store', 'a stand-in answer is kept by nobody');
        assert.notEqual((await ids(QUERY)).pageCache, 'hit', 'the next request tries the embedder again');
        const page = await fetch(`${server.url}/search?q=graph+attention+networks`);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<mark>Graph<\/mark> <mark>Attention<\/mark> <mark>Networks<\/mark>/);
        const vector = await ids(`${QUERY}&mode=vector`);
        assert.deepEqual(vector.ids.slice(0, keyword.length), keyword.slice(0, vector.ids.length), 'mode=vector falls back too');
      } finally {
        embeddings.override = undefined;
        embeddings.delayMs = 0;
      }
      const line = logs.find((l) => l.msg === 'semantic search unavailable for this query: answered with keyword results');
      if (line) assert.ok(line.reason && line.reason.length > 5, JSON.stringify(line));
      assert.ok(line || seenFallback, `a log line says why: ${JSON.stringify(logs)}`);
      seenFallback = true;
      // Similar papers come from stored vectors: the embedder is not needed.
      const similar = await fetch(`${server.url}/api/papers/2402.00004/similar`);
      assert.equal(similar.status, 200);
    });
  }
  let seenFallback = false;

  test('an embedding server that is down: keyword results, and the similar-papers list still answers', async () => {
    const keyword = (await ids(`${QUERY}&mode=keyword`)).ids;
    await embeddings.close();
    const r = await ids(QUERY);
    assert.deepEqual(r.ids, keyword);
    assert.ok(r.ms < BUDGET + 700, `answered in ${Math.round(r.ms)} ms`);
    const similar = await fetch(`${server.url}/api/papers/2402.00004/similar`);
    assert.equal(similar.status, 200);
    assert.ok(((await similar.json()) as unknown[]).length > 0);
  });
});
