import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { apiAuthorizations } from '../helpers/api-tokens.ts';

/**
 * Feed filters over real HTTP on SQLite and PostgreSQL: `?category=` on day, week and month pages
 * (kept in paging, tabs and feed links), and read state — opened or marked papers dimmed, hidden
 * with "Hide seen" in the store query (so paging counts what is shown), and the API's `hideSeen`
 * and per-item `seen`.
 */
forEachStore('feed filters and read state', (ctx) => {
  let app: TestApp;
  const DAY = '2025-08-01';
  // 60 cs.LG papers (two pages of 50) and 3 in cs.CV, all on one day, most upvoted first by id order.
  const lg = Array.from({ length: 60 }, (_, i) => makePaper({ title: `Learning paper ${i}`, categories: ['cs.LG'], primaryCategory: 'cs.LG' }));
  const cv = Array.from({ length: 3 }, (_, i) => makePaper({ title: `Vision paper ${i}`, categories: ['cs.CV', 'cs.AI'], primaryCategory: 'cs.CV' }));
  // Days around DAY: the day before has only a cs.LG paper, two days before a cs.CV one.
  const before1 = makePaper({ title: 'Earlier learning', categories: ['cs.LG'], primaryCategory: 'cs.LG' });
  const before2 = makePaper({ title: 'Earlier vision', categories: ['cs.CV'], primaryCategory: 'cs.CV' });
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_UPVOTE_USER: '1000/60' });
    await ctx.store.papers.upsertMany([...lg, ...cv, before1, before2]);
    await ctx.store.feed.addMany([...lg, ...cv].map((p) => ({ paperId: p.id, day: DAY })));
    await ctx.store.feed.addMany([
      { paperId: before1.id, day: '2025-06-20' },
      { paperId: before2.id, day: '2025-06-19' },
    ]);
  });
  after(() => app.close());

  const ids = (html: string) => [...html.matchAll(/<article class="card[^"]*" aria-labelledby="t-([^"]+)"/g)].map((m) => m[1].replace('_', '.'));

  test('?category= narrows day, week and month pages, with chips, paging and feed links that keep it', async () => {
    const anon = new Client(app.url);
    const all = await anon.get(`/papers/date/${DAY}`);
    assert.match(all.text, /63 papers, most upvoted first/);
    for (const path of [`/papers/date/${DAY}`, '/papers/week/2025-W31', '/papers/month/2025-08']) {
      const page = await anon.get(`${path}?category=cs.CV`);
      assert.equal(page.status, 200, path);
      assert.match(page.text, /3 papers in cs\.CV, most upvoted first/, path);
      assert.deepEqual(new Set(ids(page.text)), new Set(cv.map((p) => p.id)), path);
      assert.match(page.text, new RegExp(`<a href="${path.replaceAll('/', '\\/')}\\?category=cs.CV" aria-current="page">cs.CV</a>`), `${path}: the active chip`);
      assert.match(page.text, /href="\/feeds\/category\/cs.CV.rss"/, `${path}: the category's feed`);
    }
    // Case-insensitive, and a secondary category counts.
    assert.equal(ids((await anon.get(`/papers/date/${DAY}?category=cs.ai`)).text).length, 3);
    // Paging keeps the filter: 60 cs.LG papers are two pages.
    const first = await anon.get(`/papers/date/${DAY}?category=cs.LG`);
    assert.match(first.text, /60 papers in cs\.LG/);
    assert.match(first.text, /href="\/papers\/date\/2025-08-01\?category=cs.LG&amp;page=2">More papers/);
    const second = await anon.get(`/papers/date/${DAY}?category=cs.LG&page=2`);
    assert.equal(ids(second.text).length, 10);
    assert.ok(ids(second.text).every((id) => lg.some((p) => p.id === id)));
    // Previous / next keep it and skip days without papers in it.
    assert.match((await anon.get(`/papers/date/${DAY}?category=cs.CV`)).text, /href="\/papers\/date\/2025-06-19\?category=cs.CV" rel="prev"/);
    assert.match(first.text, /href="\/papers\/date\/2025-06-20\?category=cs.LG" rel="prev"/);
    // The day / week / month tabs keep it too.
    assert.match(first.text, /href="\/papers\/week\/2025-W31\?category=cs.LG"/);
    // Junk is ignored, never an error.
    const junk = await anon.get(`/papers/date/${DAY}?category=${encodeURIComponent("x' or 1=1 --")}`);
    assert.equal(junk.status, 200);
    assert.match(junk.text, /63 papers/);
    // Visitors get no "Hide seen" and no seen forms; ?seen=hide is ignored for them.
    assert.doesNotMatch(all.text, /Hide seen|action="\/papers\/seen"/);
    assert.match((await anon.get(`/papers/date/${DAY}?seen=hide`)).text, /63 papers/);
  });

  test('opened and marked papers are dimmed, hidden with "Hide seen" in the query, and can be marked not seen', async () => {
    const ann = await loggedIn(app, 'ann');
    const page = await ann.get(`/papers/date/${DAY}?category=cs.CV`);
    assert.match(page.text, /Hide seen/);
    assert.equal((page.text.match(/<button form="card-seen" name="paperId"/g) ?? []).length, 3, 'a "mark seen" button on each card');
    assert.equal((page.text.match(/action="\/papers\/seen"/g) ?? []).length, 2, 'of the shared "seen" and "not seen" forms');
    assert.doesNotMatch(page.text, /class="card seen"/);

    // Opening a paper records it; marking another by the form (CSRF) too.
    assert.equal((await ann.get(`/papers/${cv[0].id}`)).status, 200);
    const marked = await ann.postForm('/papers/seen', { paperId: cv[1].id, seen: '1', next: `/papers/date/${DAY}?category=cs.CV` });
    assert.equal(marked.status, 303);
    assert.equal(marked.headers.get('location'), `/papers/date/${DAY}?category=cs.CV`);
    const dimmed = await ann.get(marked.headers.get('location')!);
    assert.match(dimmed.text, /Marked as seen\./);
    assert.equal((dimmed.text.match(/class="card seen"/g) ?? []).length, 2);
    assert.match(dimmed.text, /Mark not seen/);

    // Hidden: only the unseen one, counted as such; the toggle keeps the category.
    const hidden = await ann.get(`/papers/date/${DAY}?category=cs.CV&seen=hide`);
    assert.deepEqual(ids(hidden.text), [cv[2].id]);
    assert.match(hidden.text, /1 unseen paper in cs\.CV/);
    assert.match(hidden.text, /href="\/papers\/date\/2025-08-01\?category=cs.CV">Show seen papers/);

    // Another reader's state is theirs alone.
    const bob = await loggedIn(app, 'bob');
    assert.equal(ids((await bob.get(`/papers/date/${DAY}?category=cs.CV&seen=hide`)).text).length, 3);

    // Paging stays right when seen papers are filtered in the store: mark 15 cs.LG papers seen.
    for (const p of lg.slice(0, 15)) await ctx.store.reads.markSeen((await ctx.store.users.byUsername('ann'))!.id, p.id, 'marked');
    const lgHidden = await ann.get(`/papers/date/${DAY}?category=cs.LG&seen=hide`);
    assert.match(lgHidden.text, /45 unseen papers in cs\.LG/);
    assert.equal(ids(lgHidden.text).length, 45);
    assert.doesNotMatch(lgHidden.text, /More papers/, 'one page: 45 fit');

    // Not seen again.
    const unmark = await ann.postForm('/papers/seen', { paperId: cv[0].id, seen: '0', next: '/' });
    assert.equal(unmark.status, 303);
    assert.deepEqual(new Set(ids((await ann.get(`/papers/date/${DAY}?category=cs.CV&seen=hide`)).text)), new Set([cv[0].id, cv[2].id]));
  });

  test('the seen form needs a session and the page token, and refuses junk without a 500', async () => {
    const anon = new Client(app.url);
    const r = await anon.postForm('/papers/seen', { paperId: cv[2].id, seen: '1' });
    assert.ok(r.status === 302 || r.status === 303 || r.status === 401 || r.status === 403, `visitor: ${r.status}`);
    const cy = await loggedIn(app, 'cy');
    const forged = await cy.postForm('/papers/seen', { paperId: cv[2].id, seen: '1' }, { csrf: false });
    assert.equal(forged.status, 403);
    const cyId = (await ctx.store.users.byUsername('cy'))!.id;
    assert.equal((await ctx.store.reads.seenAmong(cyId, [cv[2].id])).size, 0, 'nothing recorded without the token');
    assert.equal((await cy.postForm('/papers/seen', { paperId: cv[2].id, seen: 'maybe' })).status, 400);
    assert.equal((await cy.postForm('/papers/seen', { paperId: 'no-such\u0000paper', seen: '1' })).status, 400);
    assert.equal((await cy.postForm('/papers/seen', { paperId: '2501.99999', seen: '1' })).status, 404);
    assert.equal((await cy.postForm('/papers/seen', { paperId: 'x'.repeat(5000), seen: '1' })).status, 400);
  });

  test('the API: hideSeen for an authenticated caller, a seen flag per item, 401 without one', async () => {
    const [auth] = await apiAuthorizations(app, 1, { username: 'apiuser' });
    const uid = (await ctx.store.users.byUsername('apiuser'))!.id;
    await ctx.store.reads.markSeen(uid, cv[0].id, 'marked');
    const get = (q: string, authorization?: string, limit = 100) => fetch(`${app.url}/api/daily_papers?date=${DAY}&limit=${limit}${q}`, { headers: authorization ? { authorization } : {} });
    const anon = await (await get('')).json();
    assert.equal(anon.length, 63);
    assert.ok(anon.every((i: { seen?: boolean }) => i.seen === undefined), 'no seen flag for visitors');
    const mine = await (await get('', auth)).json();
    assert.deepEqual(mine.filter((i: { seen: boolean }) => i.seen).map((i: { paper: { id: string } }) => i.paper.id), [cv[0].id]);
    const hidden = await (await get('&hideSeen=true', auth)).json();
    assert.equal(hidden.length, 62);
    assert.ok(!hidden.some((i: { paper: { id: string } }) => i.paper.id === cv[0].id));
    // Paging counts what is shown: page 1 of 50 has a next page, page 2 has the remaining 12.
    const p1 = await get('&hideSeen=true&p=1', auth, 50);
    assert.equal((await p1.json()).length, 12);
    const trending = await (await fetch(`${app.url}/api/daily_papers?sort=trending&hideSeen=true&limit=100`, { headers: { authorization: auth } })).json();
    assert.ok(!trending.some((i: { paper: { id: string } }) => i.paper.id === cv[0].id));
    const refused = await get('&hideSeen=true');
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.code, 'login_required');
    assert.equal((await get('&hideSeen=perhaps', auth)).status, 400);

    // Marking through the API, as the cards' form does; idempotent; junk is a 4xx.
    const put = (id: string, method = 'PUT', authorization: string | null = auth) => fetch(`${app.url}/api/papers/${id}/seen`, { method, headers: authorization ? { authorization } : {} });
    for (let i = 0; i < 2; i++) assert.deepEqual(await (await put(cv[1].id)).json(), { paperId: cv[1].id, seen: true });
    assert.equal((await (await get('&hideSeen=true', auth)).json()).length, 61);
    assert.deepEqual(await (await put(cv[1].id, 'DELETE')).json(), { paperId: cv[1].id, seen: false });
    assert.equal((await (await get('&hideSeen=true', auth)).json()).length, 62);
    assert.equal((await put(cv[1].id, 'PUT', null)).status, 401);
    assert.equal((await put('2501.99999')).status, 404);
  });
});
