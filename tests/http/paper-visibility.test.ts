import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { loggedIn, startTestApp, type Client, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { createApp } from '../../src/http/app.ts';
import { PAPER_ID, paperPath } from '../../src/http/params.ts';

/**
 * One visibility rule: a paper hidden by a moderator or withdrawn at its source is "not found" on
 * every route that takes a paper id — every `{id}` route of /openapi.json whose id is a paper and
 * every paper route of the site — and it leaves the lists readers see. A visible paper on the same
 * routes answers something else than 404, so a route that 404s for everything cannot pass.
 */

/** Routes that act on a paper whatever its visibility: a moderator must be able to un-hide one. */
const ANY_PAPER = new Set(['post /api/admin/papers/{id}/hide']);

/** A body each write route accepts (fields a route does not read are ignored; `authorName` is the claim route's). */
const BODY = { body: 'A comment on this paper.', authorName: 'Vera Visible' };
const FORM = { body: 'A comment on this paper.', action: 'add' };

forEachStore('hidden and withdrawn papers are not found anywhere', (ctx) => {
  let app: TestApp;
  let client: Client;
  const ids = { visible: '', hidden: '', deleted: '' };
  /** A word only one paper's title holds, for list and search checks. */
  const words = { visible: 'zebrafinch', hidden: 'quokkaqueen', deleted: 'narwhalnest' };

  before(async () => {
    const papers = {
      visible: makePaper({ title: `Learning ${words.visible} songs with attention`, authors: ['Vera Visible'], publishedAt: '2025-08-01' }),
      hidden: makePaper({ title: `Learning ${words.hidden} songs with attention`, authors: ['Vera Visible'], publishedAt: '2025-08-01' }),
      deleted: makePaper({ id: 'hep-th/9901777', title: `Learning ${words.deleted} songs with attention`, authors: ['Vera Visible'], publishedAt: '2025-08-01' }),
    };
    await ctx.store.papers.upsertMany(Object.values(papers));
    await ctx.store.feed.addMany(Object.values(papers).map((p) => ({ paperId: p.id, day: '2025-08-01' })));
    for (const k of ['visible', 'hidden', 'deleted'] as const) ids[k] = papers[k].id;
    app = await startTestApp(ctx.store);
    client = await loggedIn(app, 'reader');
    // Before they are hidden: the reader upvoted, commented on and collected every one of them.
    const col = await client.post('/api/collections', { name: 'reading list', public: true });
    assert.equal(col.status, 201, col.text);
    for (const id of Object.values(ids)) {
      assert.equal((await client.post(`/api/papers/${paperPath(id)}/upvote`)).status, 200);
      assert.equal((await client.post(`/api/papers/${paperPath(id)}/comments`, BODY)).status, 201);
      assert.equal((await client.post(`/api/collections/${col.json.id}/papers`, { paperId: id })).status, 200);
    }
    await ctx.store.papers.setHidden(ids.hidden, true);
    await ctx.store.papers.markDeleted(ids.deleted);
  });
  after(() => app?.close());

  /** Asks `method path(id)` for each paper: the visible one must not be 404, the others must. */
  async function expectOnlyVisible(label: string, call: (id: string) => Promise<{ status: number; text: string }>) {
    const seen = await call(ids.visible);
    assert.notEqual(seen.status, 404, `${label} for a visible paper: ${seen.text.slice(0, 200)}`);
    assert.ok(seen.status < 500, `${label} for a visible paper: ${seen.status} ${seen.text.slice(0, 200)}`);
    for (const kind of ['hidden', 'deleted'] as const) {
      const r = await call(ids[kind]);
      assert.equal(r.status, 404, `${label} for a ${kind} paper answered ${r.status}: ${r.text.slice(0, 200)}`);
    }
  }

  test('every {id} route of the OpenAPI spec answers 404 for a hidden and for a withdrawn paper', async () => {
    const doc = (await client.get('/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const walked: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/papers/{id}') && !path.startsWith('/api/admin/papers/{id}')) continue;
      for (const method of Object.keys(ops)) {
        const label = `${method} ${path}`;
        if (ANY_PAPER.has(label)) continue;
        walked.push(label);
        await expectOnlyVisible(label, (id) => client.request(method.toUpperCase(), path.replace('{id}', paperPath(id)), method === 'get' ? {} : { json: BODY }));
      }
    }
    // The walk is only as good as what it finds: the routes finding 7 of issue 15 named must be among them.
    for (const must of ['get /api/papers/{id}', 'get /api/papers/{id}/similar', 'get /api/papers/{id}/comments', 'post /api/papers/{id}/upvote']) {
      assert.ok(walked.includes(must), `${must} was not walked (walked: ${walked.join(', ')})`);
    }
  });

  test('routes taking a paper id in the body answer 404 for a hidden and for a withdrawn paper', async () => {
    const col = await client.post('/api/collections', { name: 'second list' });
    await expectOnlyVisible('post /api/collections/{id}/papers', (id) => client.post(`/api/collections/${col.json.id}/papers`, { paperId: id }));
    await expectOnlyVisible('post /api/me/interests (paper)', async (id) => {
      const r = await client.post('/api/me/interests', { kind: 'paper', value: id });
      // A second add of the same interest is a conflict, not a miss.
      return r.status === 409 ? { ...r, status: 201 } : r;
    });
  });

  test("every paper route of the site answers 404 for a hidden and for a withdrawn paper", async () => {
    // Hono lists a route once per handler: one entry per method and path.
    const walked = [
      ...new Set(
        createApp(app.services)
          .routes.filter((r) => r.method !== 'ALL' && (r.path === '/papers/*' || r.path.startsWith(`/papers/${PAPER_ID}`)))
          .map((r) => `${r.method} ${r.path.replace(PAPER_ID, '{id}')}`),
      ),
    ];
    for (const must of ['GET /papers/*', 'GET /papers/{id}/discussion', 'POST /papers/{id}/upvote', 'POST /papers/{id}/comments']) {
      assert.ok(walked.includes(must), `${must} was not walked (walked: ${walked.join(', ')})`);
    }
    for (const label of walked) {
      const [method, path] = label.split(' ');
      const url = (id: string) => (path === '/papers/*' ? `/papers/${paperPath(id)}` : path.replace('{id}', paperPath(id)));
      await expectOnlyVisible(label, (id) => (method === 'GET' ? client.get(url(id)) : client.postForm(url(id), FORM)));
    }
  });

  test('hidden and withdrawn papers leave every list: feed, author page, search, feeds, collections, profile', async () => {
    const col = (await client.get('/api/collections')).json.collections.find((c: { name: string }) => c.name === 'reading list');
    const pages = [
      '/papers/date/2025-08-01',
      '/authors/Vera%20Visible',
      '/search?q=learning+songs',
      '/api/papers/search?q=learning%20songs',
      '/api/daily_papers?date=2025-08-01',
      '/api/papers',
      '/feeds/daily.atom',
      '/feeds/search.atom?q=learning%20songs',
      '/feeds/category/cs.LG.atom',
      `/collections/${col.id}`,
      `/api/collections/${col.id}`,
      `/feeds/collection/${col.id}.atom`,
      '/users/reader',
    ];
    for (const path of pages) {
      const r = await client.get(path);
      assert.equal(r.status, 200, `${path}: ${r.status}`);
      assert.ok(r.text.includes(words.visible), `${path} lists the visible paper`);
      assert.ok(!r.text.includes(words.hidden), `${path} lists the hidden paper`);
      assert.ok(!r.text.includes(words.deleted), `${path} lists the withdrawn paper`);
    }
  });
});
