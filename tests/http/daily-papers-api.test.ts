import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import type { RunningApp } from '../helpers/api-server.ts';
import { seedApiFixtures, startSeededApi } from '../helpers/api-fixtures.ts';
import { apiAuthorizations } from '../helpers/api-tokens.ts';
import { testDb } from '../helpers/stores.ts';

/**
 * A client written for the Hugging Face Daily Papers API, as such clients are written in the
 * wild (bots, RSS bridges, dashboards): it reads only the fields that API has, follows `Link`.
 */
async function hfStyleClient(baseUrl: string, query: string) {
  const out: { title: string; arxivUrl: string; summary: string; authors: string; published: Date; upvotes: number; comments: number; submitter: string | null; code: string | null }[] = [];
  let url: string | null = `${baseUrl}/api/daily_papers?${query}`;
  while (url) {
    const res: Response = await fetch(url);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const items = (await res.json()) as any[];
    for (const item of items) {
      out.push({
        title: item.title,
        arxivUrl: `https://arxiv.org/abs/${item.paper.id}`,
        summary: item.paper.summary.replace(/\n/g, ' '),
        authors: item.paper.authors.map((a: { name: string }) => a.name).join(', '),
        published: new Date(item.publishedAt),
        upvotes: item.paper.upvotes,
        comments: item.numComments,
        submitter: item.submittedBy?.fullname ?? null,
        code: item.paper.githubRepo ?? item.paper.projectPage ?? null,
      });
    }
    url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
  }
  return out;
}

forEachStore('GET /api/daily_papers and /api/papers', (ctx) => {
  let server: RunningApp;
  let fx: Awaited<ReturnType<typeof seedApiFixtures>>;
  let get: Awaited<ReturnType<typeof startSeededApi>>['get'];
  before(async () => {
    ({ fx, server, get } = await startSeededApi(ctx.store));
  });
  after(() => server.close());

  test('a Daily Papers client reads every item, page by page through Link', async () => {
    const items = await hfStyleClient(server.url, 'limit=2');
    assert.equal(items.length, fx.papers.length);
    // Newest feed day first; a day keeps its feed order.
    assert.deepEqual(
      items.map((i) => i.published.toISOString().slice(0, 10)),
      [...fx.days].sort().reverse(),
    );
    const tricky = items.find((i) => i.arxivUrl.endsWith(fx.tricky.id))!;
    assert.equal(tricky.title, fx.tricky.title);
    assert.equal(tricky.authors, fx.tricky.authors.join(', '));
    assert.ok(!Number.isNaN(tricky.published.getTime()));
    const ada = items.filter((i) => i.submitter === 'ada');
    assert.equal(ada.length, 1);
    assert.deepEqual(items.find((i) => i.upvotes === 7)?.comments, 2);
  });

  test('date, ISO week and month select feed days; submitter filters', async () => {
    const ids = async (q: string) => ((await (await get(`/api/daily_papers?${q}`)).json()) as any[]).map((i) => i.paper.id).sort();
    const byDay = (pred: (d: string) => boolean) => fx.papers.filter((_, i) => pred(fx.days[i])).map((p) => p.id).sort();
    assert.deepEqual(await ids('date=2025-08-01'), byDay((d) => d === '2025-08-01'));
    // 2025-W31 is Monday 2025-07-28 to Sunday 2025-08-03.
    assert.deepEqual(await ids('week=2025-W31'), byDay((d) => d >= '2025-07-28' && d <= '2025-08-03'));
    assert.deepEqual(await ids('week=2025-W30'), byDay((d) => d === '2025-07-27'));
    assert.deepEqual(await ids('month=2025-07'), byDay((d) => d.startsWith('2025-07')));
    assert.deepEqual(await ids('submitter=ada'), [fx.papers[2].id]);
    assert.deepEqual(await ids('date=2024-01-01'), []);
  });

  test('sort=trending ranks by votes and comments with age; the last page has no Link', async () => {
    const res = await get('/api/daily_papers?sort=trending&limit=100');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('link'), null);
    const items = (await res.json()) as any[];
    // The newest feed day (2025-08-04) anchors the window (07-29 to 08-04): the fresh 3-vote paper
    // leads, the 7-vote paper of 08-01 beats its 0-vote neighbour, and 07-28 is out of the window.
    assert.deepEqual(
      items.map((i) => i.paper.id),
      [fx.papers[5].id, fx.papers[3].id, fx.papers[4].id, fx.papers[2].id],
    );
    const week = (await (await get('/api/daily_papers?sort=trending&week=2025-W30')).json()) as any[];
    assert.deepEqual(week.map((i) => i.paper.id), [fx.tricky.id]);
  });

  test('/api/papers walks every paper once, newest first, by opaque cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await get(`/api/papers?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { papers: any[]; nextCursor: string | null };
      seen.push(...body.papers.map((p) => p.id));
      assert.equal(res.headers.get('link') !== null, body.nextCursor !== null);
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(seen.length, await ctx.store.papers.count());
    const dates = [];
    for (const id of seen) dates.push((await ctx.store.papers.get(id))!.publishedAt ?? '');
    assert.deepEqual(dates, [...dates].sort().reverse());
  });

  test('reads carry a weak ETag and Cache-Control, and If-None-Match gets a 304', async () => {
    const res = await get('/api/daily_papers?limit=3');
    const etag = res.headers.get('etag')!;
    assert.match(etag, /^W\/"[\w-]+"$/);
    assert.match(res.headers.get('cache-control')!, /public, max-age=\d+/);
    const again = await get('/api/daily_papers?limit=3', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    assert.equal(again.headers.get('etag'), etag);
    assert.equal((await get('/api/daily_papers?limit=3', { 'If-None-Match': 'W/"other"' })).status, 200);
    const paper = await get(`/api/papers/${fx.papers[1].id}`);
    assert.equal((await get(`/api/papers/${fx.papers[1].id}`, { 'If-None-Match': paper.headers.get('etag')! })).status, 304);
    // A change to what the body shows changes the tag.
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 1 }).where('id', '=', fx.papers[1].id).execute();
    assert.equal((await get(`/api/papers/${fx.papers[1].id}`, { 'If-None-Match': paper.headers.get('etag')! })).status, 200);
    // With credentials the answer is private.
    const [auth] = await apiAuthorizations(server, 1);
    const signedIn = await get('/api/daily_papers', { Authorization: auth });
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get('cache-control'), 'private, no-cache');
  });

  test('bad parameters are 400 with an error body, never 500', async () => {
    const bad = [
      'p=-1', 'p=abc', 'limit=0', 'limit=101', 'limit=1.5', 'date=2025-02-30', 'date=2025-8-1', 'date=yesterday',
      'week=2025-W54', 'week=2025-W00', 'week=2025-31', 'month=2025-13', 'month=2025', 'sort=hot',
      'date=2025-08-01&week=2025-W31', 'submitter=' + 'x'.repeat(65), 'submitter=',
    ];
    for (const q of bad) {
      const res = await get(`/api/daily_papers?${q}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(typeof body.error.code, 'string', q);
      assert.ok(body.error.message.length > 0, q);
    }
    for (const q of ['cursor=nope', 'cursor=' + Buffer.from('[1,2]').toString('base64url'), 'limit=1000', 'cursor=' + 'x'.repeat(500)]) {
      const res = await get(`/api/papers?${q}`);
      assert.equal(res.status, 400, q);
      assert.ok(((await res.json()) as any).error.code, q);
    }
    assert.equal((await get('/api/papers/not%20an%20id')).status, 400);
    assert.equal((await get('/api/papers/2401.99999')).status, 404);
    assert.equal((await get('/api/nothing-here')).status, 404);
  });
});
