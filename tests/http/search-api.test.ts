import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { z } from 'zod';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.ts';
import { loadCorpus } from '../search/fixtures.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { SearchResultSchema, SimilarPaperSchema } from '../../src/http/schemas/search.ts';
import { ErrorSchema } from '../../src/http/schemas/common.ts';

forEachStore('search API', (ctx) => {
  let embeddings: EmbeddingsServer;
  let server: RunningServer;
  let services: Services;

  before(async () => {
    embeddings = await startEmbeddingsServer({ dimensions: 64 });
    await loadCorpus(ctx.store);
    await ctx.store.papers.upsertMany(Array.from({ length: 130 }, (_, i) => makePaper({ title: `Zebrafish fin regeneration study ${i}`, categories: ['q-bio.TO'], primaryCategory: 'q-bio.TO' })));
    const config = loadConfig({ PAPERBOY_DB: ctx.opened.location ?? 'postgres://pglite/memory', LOG_LEVEL: 'silent', SEARCH_EMBEDDER: 'http', EMBEDDINGS_URL: embeddings.url, EMBEDDINGS_MODEL: 'test' });
    services = createServices({ config, logger: createLogger('silent'), store: ctx.store });
    await services.searchIndex.catchUp();
    server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  });
  ctx.beforeStoreCloses(async () => {
    await server?.close(1000);
    await services?.close();
    await embeddings?.close();
  });

  const get = async (path: string) => {
    const res = await fetch(server.url + path);
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const results = z.array(SearchResultSchema);

  test('GET /api/papers/search returns ranked papers in the documented shape', async () => {
    const r = await get('/api/papers/search?q=graph%20attention%20networks');
    assert.equal(r.status, 200);
    const body = results.parse(r.body);
    assert.equal(body[0].id, '2402.00004');
    assert.deepEqual(Object.keys(body[0]).sort(), [
      ...['ai_keywords', 'ai_summary', 'authors', 'githubRepo', 'githubStars', 'highlightedPdfText', 'highlightedSummary', 'highlightedTitle', 'id', 'keywordsSource', 'numComments'],
      ...['projectPage', 'publishedAt', 'score', 'summary', 'thumbnail', 'title', 'upvotes'],
    ]);
    assert.equal(body[0].highlightedTitle, '<mark>Graph</mark> <mark>Attention</mark> <mark>Networks</mark>');
    assert.deepEqual(body[0].authors, [{ name: 'Petar Velickovic' }, { name: 'Yoshua Bengio' }]);
    assert.equal(body[0].upvotes, 10);
  });

  test('filters and sort as parameters', async () => {
    const r = await get('/api/papers/search?q=attention&from=2017-01-01&to=2017-12-31&category=cs.LG&sort=date&mode=keyword');
    assert.equal(r.status, 200);
    assert.deepEqual(results.parse(r.body).map((p) => p.id), ['2402.00004', '2402.00001']);
  });

  test('limit: default 20, at most 120', async () => {
    assert.equal((await get('/api/papers/search?q=zebrafish')).body.length, 20);
    assert.equal((await get('/api/papers/search?q=zebrafish&limit=120')).body.length, 120);
    assert.equal((await get('/api/papers/search?q=zebrafish&limit=3')).body.length, 3);
  });

  test('offset pages through the same order: pages of 40 are the list of 120, none twice', async () => {
    const ids = async (qs: string) => results.parse((await get(`/api/papers/search?q=zebrafish&mode=keyword&${qs}`)).body).map((p) => p.id);
    const whole = await ids('limit=120');
    const pages = [...(await ids('limit=40')), ...(await ids('limit=40&offset=40')), ...(await ids('limit=40&offset=80'))];
    assert.deepEqual(pages, whole);
    assert.equal(new Set(pages).size, 120);
    assert.deepEqual(await ids('limit=20&offset=130'), [], 'past the last match');
  });

  test('highlights never carry markup from the data', async () => {
    const [hit] = results.parse((await get('/api/papers/search?q=injection%20scripting')).body);
    assert.equal(hit.id, '2402.00007');
    const stripped = hit.highlightedTitle.replace(/<\/?mark>/g, '') + hit.highlightedSummary.replace(/<\/?mark>/g, '');
    assert.ok(!/[<>]/.test(stripped), stripped);
    assert.ok(hit.title.includes('<script>'), 'the plain title is the data as stored');
  });

  test('an arXiv id or URL returns that paper, named in X-Paperboy-Paper', async () => {
    const r = await get(`/api/papers/search?q=${encodeURIComponent('https://arxiv.org/abs/2402.00002v1')}`);
    assert.equal(r.status, 200);
    assert.deepEqual(results.parse(r.body).map((p) => p.id), ['2402.00002']);
    assert.equal(r.headers.get('x-paperboy-paper'), '2402.00002');
  });

  test('bad parameters are a clear 400', async () => {
    for (const qs of ['q=attention&limit=0', 'limit=-5', 'limit=121', 'limit=99999999999', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=1001', 'offset=abc', 'offset=2.5', 'from=yesterday', 'to=2024-1-1', 'category=%3Bdrop', 'sort=best', 'mode=magic', `q=${'x'.repeat(10_001)}`]) {
      const r = await get(`/api/papers/search?${qs.startsWith('q=') ? '' : 'q=attention&'}${qs}`);
      assert.equal(r.status, 400, qs.slice(0, 40));
      const err = ErrorSchema.parse(r.body);
      assert.equal(err.error.code, 'invalid_request');
      assert.ok(err.error.message.length > 0);
    }
  });

  test('hostile queries answer with results or a 400, never a 500', async () => {
    const queries = ['', '"', '" * : ^ NEAR AND OR ( )', 'NEAR(a b)', 'attention AND OR NOT', '-', '-"', 'author:', 'category:"x', 'the of and a', '😀', '😀 attention', 'ünïcödé', 'x'.repeat(10_000), Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' '), "'; drop table papers; --", '%_\\', 'from:2024-02-30 attention', '\u0000\u0001'];
    for (const q of queries) {
      for (const mode of ['hybrid', 'keyword', 'vector']) {
        const r = await get(`/api/papers/search?q=${encodeURIComponent(q)}&mode=${mode}`);
        assert.ok(r.status === 200 || r.status === 400, `${r.status} for ${q.slice(0, 30)}`);
        if (r.status === 200) results.parse(r.body);
        else ErrorSchema.parse(r.body);
      }
    }
    const paper = await get('/api/papers/2402.00001');
    assert.equal(paper.status, 200, `nothing was harmed: ${JSON.stringify(paper.body)}`);
  });

  test('hybrid and vector modes use the HTTP embedder', async () => {
    const before = embeddings.requests.length;
    const r = await get('/api/papers/search?q=gravitational%20lensing%20halos&mode=vector&limit=1');
    assert.equal(r.status, 200);
    assert.equal(results.parse(r.body)[0].id, '2402.00006');
    assert.equal(embeddings.requests.length, before + 1, 'one request: the query');
  });

  test('GET /api/papers/{id}/similar', async () => {
    const r = await get('/api/papers/2402.00004/similar?limit=3');
    assert.equal(r.status, 200);
    const body = z.array(SimilarPaperSchema).parse(r.body);
    assert.ok(body.length > 0 && body.length <= 3);
    assert.ok(!body.some((p) => p.id === '2402.00004' || p.id === '2402.00008'));
    assert.equal((await get('/api/papers/2402.99999/similar')).status, 404);
    assert.equal((await get('/api/papers/not-an-id/similar')).status, 400);
    assert.equal((await get('/api/papers/2402.00004/similar?limit=0')).status, 400);
    assert.equal((await get('/api/papers/2402.00004/similar')).body.length, 10);
  });

  test('routes: the static search path and old-style ids with a slash both route', async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: 'hep-th/9901001', title: 'Graph attention in string theory' })]);
    assert.equal((await get('/api/papers/hep-th/9901001')).status, 200);
    const sim = await get('/api/papers/hep-th/9901001/similar?limit=2');
    assert.equal(sim.status, 200);
    assert.equal(sim.body.length, 2);
    assert.equal((await get('/api/papers/2402.00001')).body.id, '2402.00001');
  });

  test('/api/papers/search is not taken for a paper id', async () => {
    const r = await get('/api/papers/search');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, []);
  });
});
