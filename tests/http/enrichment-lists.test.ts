import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore, type StoreContext } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { assertNoActiveAttributes } from '../helpers/html.ts';
import { seedThumbnails } from '../helpers/thumbnails.ts';
import type { Paper } from '../../src/domain/paper.ts';
import { cssId } from '../../src/http/views/components.tsx';

/**
 * Enrichments wherever a paper is listed (issue 17): every kind of list page shows the card's
 * thumbnail, stars and TL;DR or keywords as the feed does, every list endpoint carries
 * `ai_summary`, `ai_keywords`, `githubRepo`, `githubStars`, `thumbnail` and `projectPage`, and the
 * links a verified author set win over the found ones in lists too.
 */
const DAY = new Date().toISOString().slice(0, 10);
const HOSTILE = '<img src=x onerror=alert(1)>';
const AUTHOR = 'Stella Lister';

const submitter = (ctx: StoreContext) => `fan_${ctx.kind}`;

/** Three papers, each with another kind of enrichment, seeded as the steps would store them. */
async function seed(ctx: StoreContext) {
  const common = { authors: [AUTHOR, 'Co Author'], categories: ['astro-ph.SR'], primaryCategory: 'astro-ph.SR', publishedAt: DAY };
  const starry = makePaper({ ...common, title: 'Listed starlight: a starry survey', abstract: 'Starlight survey of listed stars. Code at https://github.com/lab/starry.' });
  const keyed = makePaper({ ...common, title: 'Listed starlight keyed by phrases', abstract: 'Starlight phrases keyed offline for the listed stars.' });
  const linked = makePaper({ ...common, title: 'Listed starlight with author links', abstract: 'Starlight code found at https://github.com/found/repo for the listed stars.' });
  const seedPaper = makePaper({ ...common, title: 'Starlight seed upvoted by the reader', abstract: 'Starlight survey of listed stars, the reader upvoted this one.' });
  await ctx.store.papers.upsertMany([starry, keyed, linked, seedPaper]);
  // The linked paper came to the feed as a member's submission (their profile lists it).
  await ctx.store.feed.addMany([starry, keyed, linked, seedPaper].map((p) => ({ paperId: p.id, day: DAY, submittedBy: p === linked ? submitter(ctx) : null })));
  const e = ctx.store.enrichment;
  await e.saveCode(starry.id, ['https://github.com/lab/starry'], 'https://github.com/lab/starry', 'lab/starry');
  await e.saveRepo({ repo: 'lab/starry', fullName: 'lab/starry', stars: 4321, description: null, etag: null, status: 'ok', checkedAt: new Date().toISOString() });
  await e.saveSummary(starry.id, `Starry survey in brief. ${HOSTILE}`, ['starlight', 'survey'], 'test-llm');
  await e.saveKeyphrases(keyed.id, ['offline keyed phrase', 'listed stars']);
  await e.saveCode(linked.id, ['https://github.com/found/repo'], 'https://github.com/found/repo', 'found/repo');
  await e.saveRepo({ repo: 'found/repo', fullName: 'found/repo', stars: 42, description: null, etag: null, status: 'ok', checkedAt: new Date().toISOString() });
  const thumbs = new Map<string, { card: string; page: string }>();
  for (const p of [starry, keyed, linked]) thumbs.set(p.id, await seedThumbnails(ctx.store, p.id));
  // A verified author's own links (as the claims flow stores them): they win over what the code step found.
  const author = await ctx.store.users.create({ username: `lister_${ctx.kind}`, email: `lister_${ctx.kind}@example.org`, passwordHash: 'x', emailVerified: true });
  await ctx.store.enrichment.saveKeyphrases(linked.id, ['author linked']);
  await ctx.store.authorClaims.setLink(linked.id, 'code', 'https://github.com/author/own', author.id);
  await ctx.store.authorClaims.setLink(linked.id, 'project', 'https://author.example.org/paper', author.id);
  await ctx.store.organisations.setHarvested([starry, keyed, linked].map((p) => ({ paperId: p.id, affiliations: [{ author: AUTHOR, name: 'Star Lab', slug: 'star-lab' }] })));
  return { starry, keyed, linked, seedPaper, thumbs };
}

forEachStore('enrichments on every list of papers, in pages and the API', (ctx) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof seed>>;
  let reader: Client;
  /** Upvoted only the seed paper (a reader's follows count as examples for For you, so this one follows nobody). */
  let picker: Client;
  let collectionId: number;
  const anon = () => new Client(app.url);

  before(async () => {
    app = await startTestApp(ctx.store, { SEARCH_EMBEDDER: 'none', API_RATE_LIMIT_IP: '100000', API_RATE_LIMIT_TOKEN: '100000' });
    world = await seed(ctx);
    await app.services.searchIndex.catchUp();
    reader = await loggedIn(app, `reader_${ctx.kind}`);
    picker = await loggedIn(app, `picker_${ctx.kind}`);
    assert.equal((await picker.post(`/api/papers/${world.seedPaper.id}/upvote`)).status, 200);
    assert.equal((await reader.post('/api/following', { kind: 'author', value: AUTHOR })).status, 201);
    const col = await reader.post('/api/collections', { name: 'Starlight reading', public: true });
    assert.equal(col.status, 201);
    collectionId = col.json.id;
    for (const p of [world.starry, world.keyed, world.linked]) assert.equal((await reader.post(`/api/collections/${collectionId}/papers`, { paperId: p.id })).status, 200);
  });
  after(() => app?.close());

  /** Every enriched card on a page: thumbnail (lazy, sized), stars, TL;DR (escaped) or keywords, and the author's code link without stars not theirs. */
  function assertCards(html: string, where: string, opts: { all?: boolean } = {}) {
    const { starry, keyed, linked, thumbs } = world;
    assert.match(html, new RegExp(`<img[^>]*src="/thumbs/${thumbs.get(starry.id)!.card}\\.webp"[^>]*>`), `${where}: a card thumbnail`);
    for (const img of html.match(/<img[^>]*src="\/thumbs\/[^>]*>/g) ?? []) {
      assert.match(img, /loading="lazy"/, `${where}: lazy-loaded`);
      assert.match(img, /width="120" height="155"/, `${where}: sized`);
    }
    assert.match(html, /★ 4,321/, `${where}: stars`);
    assert.match(html, /AI summary:<\/span> Starry survey in brief\. &lt;img src=x onerror=alert\(1\)&gt;/, `${where}: the TL;DR, escaped`);
    if (opts.all !== false) {
      assert.match(html, /class="kw">Keywords: offline keyed phrase · listed stars/, `${where}: keywords without a TL;DR`);
      assert.match(html, /href="https:\/\/github\.com\/author\/own"[^>]*>Code</, `${where}: the author's code link`);
      assert.ok(html.includes(thumbs.get(keyed.id)!.card) && html.includes(thumbs.get(linked.id)!.card), `${where}: every card has its thumbnail`);
    }
    assert.doesNotMatch(html, /★ 42\b/, `${where}: no stars for a repository the author replaced`);
    assert.doesNotMatch(html, /github\.com\/found\/repo"[^>]*>Code/, `${where}: not the found link`);
    assertNoActiveAttributes(html);
  }

  type Item = { id: string; ai_summary: string | null; ai_keywords: string[]; githubRepo: string | null; githubStars: number | null; thumbnail: string | null; projectPage: string | null };

  /** Every enriched paper in an API list carries the enrichment fields, with the author's links first. */
  function assertItems(items: Item[], where: string, opts: { all?: boolean } = {}) {
    const { starry, keyed, linked, thumbs } = world;
    const by = new Map(items.map((i) => [i.id, i]));
    const s = by.get(starry.id);
    assert.ok(s, `${where}: lists the starry paper`);
    assert.equal(s.ai_summary, `Starry survey in brief. ${HOSTILE}`, where);
    assert.deepEqual(s.ai_keywords, ['starlight', 'survey'], where);
    assert.equal(s.githubRepo, 'https://github.com/lab/starry', where);
    assert.equal(s.githubStars, 4321, where);
    assert.equal(s.thumbnail, `${app.url}/thumbs/${thumbs.get(starry.id)!.page}.webp`, where);
    assert.equal(s.projectPage, null, where);
    if (opts.all === false) return;
    const k = by.get(keyed.id)!;
    assert.deepEqual([k.ai_summary, k.ai_keywords, k.githubStars], [null, ['offline keyed phrase', 'listed stars'], null], where);
    assert.equal(k.thumbnail, `${app.url}/thumbs/${thumbs.get(keyed.id)!.page}.webp`, where);
    const l = by.get(linked.id)!;
    assert.deepEqual([l.githubRepo, l.githubStars, l.projectPage], ['https://github.com/author/own', null, 'https://author.example.org/paper'], `${where}: author-set links win`);
  }

  const ids = <T extends { paper: Item }>(xs: T[]) => xs.map((x) => x.paper);

  test('the day feed and trending, and /api/daily_papers (by day and trending) and /api/papers', async () => {
    assertCards((await anon().get(`/papers/date/${DAY}`)).text, 'day feed');
    assertCards((await anon().get('/')).text, 'home');
    assertCards((await anon().get('/papers/trending')).text, 'trending');
    assertItems(ids((await anon().get(`/api/daily_papers?date=${DAY}`)).json), 'daily_papers');
    const daily = (await anon().get(`/api/daily_papers?date=${DAY}`)).json as Array<{ paper: Item; thumbnail: string | null }>;
    assert.equal(daily.find((d) => d.paper.id === world.starry.id)!.thumbnail, `${app.url}/thumbs/${world.thumbs.get(world.starry.id)!.page}.webp`, 'the item-level thumbnail too');
    assertItems(ids((await anon().get('/api/daily_papers?sort=trending')).json), 'daily_papers trending');
    assertItems((await anon().get('/api/papers?limit=100')).json.papers, 'papers');
  });

  test('site search and category pages, and /api/papers/search and /similar', async () => {
    assertCards((await anon().get('/search?q=listed+starlight')).text, 'search');
    assertCards((await anon().get('/search?category=astro-ph.SR')).text, 'category page');
    const hits = (await anon().get('/api/papers/search?q=listed%20starlight')).json;
    assertItems(hits, 'search API');
    const similar = (await anon().get(`/api/papers/${world.seedPaper.id}/similar?limit=10`)).json as Item[];
    assert.ok(similar.length > 0, 'similar papers by their words');
    for (const s of similar) assert.ok('ai_keywords' in s && 'thumbnail' in s && 'githubStars' in s && 'projectPage' in s, 'similar papers carry the fields');
    const s = similar.find((x) => x.id === world.starry.id);
    if (s) assert.equal(s.githubStars, 4321);
  });

  test('author and organisation pages, and /api/orgs/{slug}', async () => {
    assertCards((await anon().get(`/authors/${encodeURIComponent(AUTHOR)}`)).text, 'author page');
    const org = await anon().get('/orgs/star-lab');
    assert.equal(org.status, 200);
    assertCards(org.text, 'organisation page');
    assertItems(ids((await anon().get('/api/orgs/star-lab')).json.items), 'orgs API');
  });

  test('collection pages and /api/collections/{id}', async () => {
    assertCards((await anon().get(`/collections/${collectionId}`)).text, 'collection page');
    const own = (await reader.get(`/collections/${collectionId}`)).text;
    assertCards(own, 'own collection page');
    assert.match(own, /name="action" value="remove"/, "the owner's remove buttons stay on the cards");
    assertItems((await anon().get(`/api/collections/${collectionId}`)).json.papers, 'collections API');
  });

  test("a member's profile: the papers they upvoted and submitted", async () => {
    const fan = await loggedIn(app, submitter(ctx));
    for (const p of [world.starry, world.keyed]) assert.equal((await fan.post(`/api/papers/${p.id}/upvote`)).status, 200);
    const page = await anon().get(`/users/${submitter(ctx)}`);
    assert.equal(page.status, 200);
    const [upvotes, submissions] = page.text.split('id="submissions-heading"');
    assert.ok(submissions, 'a submissions section');
    assertCards(upvotes, 'profile upvotes', { all: false });
    assert.ok(upvotes.includes(world.thumbs.get(world.keyed.id)!.card), 'the upvoted keyed paper has its thumbnail');
    assert.match(submissions, /href="https:\/\/github\.com\/author\/own"[^>]*>Code</, "the submitted paper's card, with the author's code link");
    assert.ok(submissions.includes(world.thumbs.get(world.linked.id)!.card), 'the submitted paper has its thumbnail');
    assertCards(page.text, 'profile');
    // Signed in, both lists' buttons share one set of card forms (form ids are unique on the page).
    const own = (await fan.get(`/users/${submitter(ctx)}`)).text;
    assertCards(own, 'own profile');
    assert.equal((own.match(/<form method="post" id="card-vote"/g) ?? []).length, 1, 'one shared vote form');
    assert.equal((own.match(/<button form="card-vote"[^>]*value="remove"/g) ?? []).length, 2, 'the upvoted cards say so');
    // A paper on both lists (submitted and upvoted by its submitter) has two cards with ids of their own.
    const self = await loggedIn(app, submitter(ctx));
    assert.equal((await self.post(`/api/papers/${world.linked.id}/upvote`)).status, 200);
    const both = (await fan.get(`/users/${submitter(ctx)}`)).text; // signed in: never a cached page
    const ids = [...both.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(ids.filter((id) => id.endsWith(cssId(world.linked.id))).length, 2, 'the paper is on both lists');
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'no id twice on the page');
  });

  test('Following and /api/following', async () => {
    const page = await reader.get('/following');
    assert.equal(page.status, 200);
    assertCards(page.text, 'Following');
    assert.match(page.text, new RegExp(`Author: ${AUTHOR}`), 'why each paper is there');
    assertItems(ids((await reader.get('/api/following')).json.items), 'following API');
  });

  test('For you and /api/papers/for-you', async () => {
    const api = (await picker.get('/api/papers/for-you?limit=30')).json;
    assert.ok(api.items.length > 0, JSON.stringify(api));
    const picked = new Set(api.items.map((i: { paper: Item }) => i.paper.id));
    assert.ok(picked.has(world.starry.id), 'the starry paper is among the picks');
    assertItems(ids(api.items), 'for-you API', { all: [world.keyed.id, world.linked.id].every((id) => picked.has(id)) });
    const page = await picker.get('/papers/for-you');
    assert.equal(page.status, 200);
    assertCards(page.text, 'For you', { all: [world.keyed.id, world.linked.id].every((id) => picked.has(id)) });
    assert.match(page.text, /class="reason">Why: /);
    assert.match(page.text, /Not interested/);
  });
});

/** The feed of a paper with none of these: no thumbnail, stars or summary, and nothing breaks. */
forEachStore('a list with papers that have no enrichments yet', (ctx) => {
  let app: TestApp;
  let bare: Paper;
  before(async () => {
    app = await startTestApp(ctx.store, { SEARCH_EMBEDDER: 'none' });
    bare = makePaper({ title: 'A bare paper without enrichments', abstract: 'Nothing was found for this one yet.' });
    await ctx.store.papers.upsertMany([bare]);
    await ctx.store.feed.addMany([{ paperId: bare.id, day: '2025-01-02' }]);
    await app.services.searchIndex.catchUp();
  });
  after(() => app?.close());

  test('cards show the abstract, the API null fields', async () => {
    const html = (await new Client(app.url).get('/papers/date/2025-01-02')).text;
    assert.match(html, /Nothing was found for this one yet\./);
    assert.doesNotMatch(html, /<img|★|AI summary/);
    const [item] = (await new Client(app.url).get('/api/daily_papers?date=2025-01-02')).json;
    assert.deepEqual([item.paper.ai_summary, item.paper.ai_keywords, item.paper.githubRepo, item.paper.githubStars, item.paper.thumbnail, item.paper.projectPage], [null, [], null, null, null, null]);
    const [hit] = (await new Client(app.url).get('/api/papers/search?q=bare')).json;
    assert.deepEqual([hit.id, hit.ai_summary, hit.thumbnail, hit.githubStars], [bare.id, null, null, null]);
  });
});
