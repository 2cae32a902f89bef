import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { loggedIn, startTestApp, type Client, type TestApp } from '../helpers/community.ts';
import { seedApiFixtures } from '../helpers/api-fixtures.ts';
import { sitePaths } from '../../src/domain/site-paths.ts';
import { parseDay } from '../../src/domain/period.ts';

/**
 * Every kind of path src/domain/site-paths.ts builds is served: each is asked of a seeded app (a
 * signed-in reader, so the pages behind log-in count too) and must answer 200, or a redirect to a
 * page that does. A new kind of path without a case here fails the coverage check.
 */
forEachStore('every site path answers', (ctx) => {
  let app: TestApp;
  let client: Client;
  let fx: Awaited<ReturnType<typeof seedApiFixtures>>;
  before(async () => {
    fx = await seedApiFixtures(ctx.store);
    app = await startTestApp(ctx.store);
    client = await loggedIn(app, 'ada');
  });
  after(() => app?.close());

  /** Follows redirects within the site and answers the final status. */
  async function status(method: 'GET' | 'POST', path: string): Promise<{ status: number; path: string }> {
    let r = method === 'GET' ? await client.get(path) : await client.postForm(path, { body: 'A comment.', action: 'add' });
    let where = path;
    for (let hops = 0; r.status >= 300 && r.status < 400 && hops < 5; hops++) {
      where = new URL(r.headers.get('location')!, app.url).pathname + new URL(r.headers.get('location')!, app.url).search;
      r = await client.get(where);
    }
    return { status: r.status, path: where };
  }

  test('each kind of path answers 200 (after its redirects) on a seeded app', async () => {
    const paper = fx.papers[3].id;
    const oldStyle = fx.papers.find((p) => p.id.includes('/'))?.id ?? paper;
    const cases: Record<string, Array<['GET' | 'POST', string]>> = {
      home: [['GET', sitePaths.home()]],
      paper: [['GET', sitePaths.paper(paper)], ['GET', sitePaths.paper(oldStyle)]],
      paperDiscussion: [['GET', sitePaths.paperDiscussion(paper)]],
      paperUpvote: [['POST', sitePaths.paperUpvote(paper)]],
      paperComments: [['POST', sitePaths.paperComments(paper)]],
      period: (['day', 'week', 'month'] as const).map((kind) => ['GET', sitePaths.period({ kind, label: kind === 'day' ? fx.days[3] : kind === 'week' ? '2025-W31' : '2025-08' })]),
      day: [['GET', sitePaths.day(parseDay(fx.days[0])!.from)]],
      periodPicker: (['day', 'week', 'month'] as const).map((kind) => ['GET', sitePaths.periodPicker(kind)]),
      trending: [['GET', sitePaths.trending()]],
      author: [['GET', sitePaths.author(fx.papers[1].authors[0])], ['GET', sitePaths.author(fx.tricky.authors[0])]],
      user: [['GET', sitePaths.user('ada')]],
      collection: [['GET', sitePaths.collection(fx.publicCollection)]],
      search: [['GET', sitePaths.search()], ['GET', sitePaths.search({ q: 'attention', sort: 'newest' })]],
      category: [['GET', sitePaths.category('cs.LG')]],
      following: [['GET', sitePaths.following()]],
      forYou: [['GET', sitePaths.forYou()]],
      subscribe: [['GET', sitePaths.subscribe()]],
    };
    const feedCases: Record<string, string> = {
      daily: sitePaths.feeds.daily(),
      trending: sitePaths.feeds.trending(),
      search: `${sitePaths.feeds.search()}.rss?q=attention`,
      category: sitePaths.feeds.category('cs.LG'),
      collection: sitePaths.feeds.collection(fx.publicCollection),
    };
    const kinds = Object.keys(sitePaths).filter((k) => k !== 'feeds');
    assert.deepEqual(kinds.filter((k) => !(k in cases)), [], 'every path kind has a case here');
    assert.deepEqual(Object.keys(sitePaths.feeds).filter((k) => !(k in feedCases)), [], 'every feed kind has a case here');
    for (const [kind, list] of Object.entries(cases)) {
      for (const [method, path] of list) {
        const r = await status(method, path);
        assert.equal(r.status, 200, `${kind}: ${method} ${path} (ended at ${r.path}) answered ${r.status}`);
      }
    }
    for (const [kind, path] of Object.entries(feedCases)) {
      for (const url of path.includes('.rss') ? [path] : [`${path}.rss`, `${path}.atom`]) {
        const r = await client.get(url);
        assert.equal(r.status, 200, `feed ${kind}: ${url} answered ${r.status}`);
      }
    }
  });

  test('feeds link to pages the site serves (the category feed once pointed to a 404)', async () => {
    for (const feed of ['/feeds/daily.atom', '/feeds/trending.atom', '/feeds/category/cs.LG.atom', '/feeds/search.atom?q=attention', `/feeds/collection/${fx.publicCollection}.atom`]) {
      const xml = (await client.get(feed)).text;
      const pages = [...new Set([...xml.matchAll(/<link rel="alternate" type="text\/html" href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')))];
      assert.ok(pages.length, `${feed} has alternate links`);
      for (const page of pages) {
        const u = new URL(page);
        const r = await status('GET', u.pathname + u.search);
        assert.equal(r.status, 200, `${feed} links to ${page}, which answered ${r.status}`);
      }
    }
  });
});
