import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ArxivApiClient } from '../../src/ingest/arxiv-api.ts';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/arxiv-atom');
const template = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const DAY = 86_400_000;

/**
 * A local stand-in for export.arxiv.org/api/query that answers `id_list` look-ups in the Atom
 * format: papers it knows (with their first-version date), an empty feed for the rest.
 */
async function startArxivReplay(papers: Map<string, Date>) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = url.searchParams.get('id_list') ?? '';
    requests.push(id);
    const published = papers.get(id);
    const body = (published ? template('entry.xml') : template('empty.xml'))
      .replaceAll('{{ID}}', id)
      .replaceAll('{{UPDATED}}', new Date().toISOString().replace(/\.\d+Z$/, 'Z'))
      .replaceAll('{{PUBLISHED}}', (published ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z'));
    res.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/query`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

forEachStore('submissions over HTTP', (ctx) => {
  let app: TestApp;
  let arxiv: Awaited<ReturnType<typeof startArxivReplay>>;
  const known = new Map<string, Date>([
    ['2611.00001', new Date(Date.now() - 2 * DAY)],
    ['2611.00002', new Date(Date.now() - 3 * DAY)],
    ['2611.00003', new Date(Date.now() - 1 * DAY)],
    ['2611.00004', new Date(Date.now() - 5 * DAY)],
    ['2611.00006', new Date(Date.now() - 1 * DAY)],
    ['2610.00009', new Date(Date.now() - 20 * DAY)],
  ]);
  before(async () => {
    arxiv = await startArxivReplay(known);
    app = await startTestApp(ctx.store, { SUBMISSION_DAILY_QUOTA: '3' }, { arxiv: new ArxivApiClient({ baseUrl: arxiv.url, minIntervalMs: 0 }) });
  });
  after(async () => {
    await app.close();
    await arxiv.close();
  });

  test("a new paper is fetched from the arXiv API and put on today's feed, credited to its submitter", async () => {
    const u = await loggedIn(app, 'sam');
    const r = await u.post('/api/papers/submit', { arxivId: 'https://arxiv.org/abs/2611.00001v1' });
    assert.equal(r.status, 201, r.text);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(r.json.day, today);
    assert.equal(r.json.paper.id, '2611.00001');
    assert.equal(r.json.paper.title, 'Sparse Attention for Very Long Sequences with Learned Routing');
    assert.deepEqual(r.json.paper.authors, [{ name: 'Grace Hopper' }, { name: 'Edsger Dijkstra' }]);
    assert.equal(r.json.paper.githubRepo, 'https://github.com/example/routed-attention');
    assert.deepEqual(arxiv.requests, ['2611.00001']);
    const entry = await ctx.store.feed.entryFor('2611.00001');
    assert.equal(entry?.day, today);
    assert.equal(entry?.submittedBy, 'sam');
    const profile = await new Client(app.url).get('/users/sam');
    assert.match(profile.text, /Sparse Attention for Very Long Sequences/);
  });

  test('each rule has its own answer: bad id, already on the feed, too old, unknown to arXiv', async () => {
    const u = await loggedIn(app, 'rita');
    const bad = await u.post('/api/papers/submit', { arxivId: 'not-an-id' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_arxiv_id');
    const dup = await u.post('/api/papers/submit', { arxivId: '2611.00001' });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.code, 'already_on_feed');
    const old = await u.post('/api/papers/submit', { arxivId: '2610.00009' });
    assert.equal(old.status, 422);
    assert.equal(old.json.error.code, 'too_old');
    assert.match(old.json.error.message, /20 days ago/);
    assert.equal(await ctx.store.papers.get('2610.00009'), null, 'a refused paper is not stored');
    const unknown = await u.post('/api/papers/submit', { arxivId: '2611.09999' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'not_on_arxiv');
    assert.equal((await u.post('/api/papers/submit', {})).status, 400);
  });

  test('a paper already stored (but not on the feed) is not fetched again', async () => {
    const stored = makePaper({ id: '2611.00050', publishedAt: new Date(Date.now() - DAY).toISOString().slice(0, 10) });
    await ctx.store.papers.upsertMany([stored]);
    const before = arxiv.requests.length;
    const u = await loggedIn(app, 'tom');
    const r = await u.post('/api/papers/submit', { arxivId: '2611.00050' });
    assert.equal(r.status, 201);
    assert.equal(arxiv.requests.length, before);
  });

  test('the daily quota is per account', async () => {
    const u = await loggedIn(app, 'quincy');
    const ids = ['2611.00002', '2611.00003', '2611.00004'];
    for (const id of ids) assert.equal((await u.post('/api/papers/submit', { arxivId: id })).status, 201);
    const r = await u.post('/api/papers/submit', { arxivId: '2611.00005' });
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'quota_exceeded');
    assert.match(r.json.error.message, /daily quota of 3/);
  });

  test('the submit page works without JavaScript and shows the rule that refused', async () => {
    const u = await loggedIn(app, 'wendy');
    const page = await u.get('/submit');
    assert.equal(page.status, 200);
    const refused = await u.postForm('/submit', { arxivId: '2610.00009' });
    assert.equal(refused.status, 422);
    assert.match(refused.text, /role="alert"[^>]*><span aria-hidden="true">⚠<\/span> Paper 2610\.00009 was first published/);
    assert.match(refused.text, /value="2610\.00009"/);
    // Success redirects to the paper (post/redirect/get) with a message.
    const ok = await u.postForm('/submit', { arxivId: '2611.00006' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/papers/2611.00006');
    assert.match((await u.get('/papers/2611.00006')).text, /Submitted: this paper is on the feed of \d{4}-\d{2}-\d{2}\./);
    const anon = await new Client(app.url).get('/submit');
    assert.equal(anon.status, 303);
    assert.equal(anon.headers.get('location'), '/login?next=%2Fsubmit');
    assert.equal((await new Client(app.url).post('/api/papers/submit', { arxivId: '2611.00001' })).status, 401);
  });
});
