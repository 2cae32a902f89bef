import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import type { RunningServer } from '../../src/http/server.ts';
import { Client } from '../helpers/community.ts';
import { DAYS, HOSTILE, seedSite, startSite, type SiteData } from './fixtures.ts';

const titlesIn = (html: string) => [...html.matchAll(/<h[23] id="[^"]+"><a href="([^"]+)">/g)].map((m) => m[1]);

forEachStore('site pages', (ctx) => {
  let server: RunningServer;
  let data: SiteData;
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(server.url + path, { redirect: 'manual', ...init });
    return { res, html: await res.text() };
  };

  before(async () => {
    data = await seedSite(ctx.store);
    server = await startSite(ctx.store);
  });
  after(async () => {
    await server?.close(1000);
  });

  test('home shows the newest day with the subscribe banner and a no-JS subscribe form', async () => {
    const { res, html } = await get('/');
    assert.equal(res.status, 200);
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /Get trending papers in your email inbox!/);
    assert.match(html, /<form method="post" action="\/subscribe">/);
    assert.match(html, /<input id="subscribe-email" type="email" name="email"/);
    assert.match(html, /<h2 class="period-label">Monday, August 4, 2025<\/h2>/);
    assert.match(html, /href="\/papers\/date\/2025-08-01" rel="prev"/);
  });

  test('a day lists papers by upvotes then feed position, with cards and links to neighbours', async () => {
    const { res, html } = await get(`/papers/date/${DAYS.first}`);
    assert.equal(res.status, 200);
    assert.deepEqual(titlesIn(html), ['/papers/2507.01001', '/papers/2507.01002', '/papers/hep-th/9901001']);
    // Card: first three authors then "et al.", upvotes, comments, code link, submitter.
    assert.match(html, /<a href="\/authors\/Ada%20Lovelace">Ada Lovelace<\/a>, <a href="\/authors\/Alan%20Turing">Alan Turing<\/a>, <a href="\/authors\/Grace%20Hopper">Grace Hopper<\/a> et al\./);
    // Signed out, the upvote button leads to the log-in page and back.
    assert.match(html, /<a class="upvote" href="\/login\?next=%2Fpapers%2Fdate%2F2025-07-14&amp;upvote=2507.01001" title="Log in to upvote">7<span class="vh"> upvotes, log in to upvote<\/span><\/a>/);
    assert.match(html, />2 comments<\/a>/);
    assert.match(html, /<a href="https:\/\/github.com\/example\/sparse-attn">Code<\/a>/);
    assert.match(html, /Submitted by ada/);
    assert.match(html, /No earlier day/);
    assert.match(html, /href="\/papers\/date\/2025-08-01" rel="next"/);
  });

  test('weeks and months skip empty periods; pickers redirect without JS; bad periods are 404', async () => {
    const week = await get('/papers/week/2025-W31');
    assert.equal(week.res.status, 200);
    assert.match(week.html, /Week 31, 2025 \(Jul 28 – Aug 3\)/);
    assert.match(week.html, /href="\/papers\/week\/2025-W29" rel="prev"/, 'the empty week 30 is skipped');
    assert.match(week.html, /href="\/papers\/week\/2025-W32" rel="next"/);
    const month = await get('/papers/month/2025-07');
    assert.deepEqual(titlesIn(month.html), ['/papers/2507.01001', '/papers/2507.01002', '/papers/hep-th/9901001']);
    assert.match(month.html, /href="\/papers\/month\/2025-08" rel="next"/);
    const empty = await get('/papers/date/2025-07-20');
    assert.equal(empty.res.status, 200);
    assert.match(empty.html, /No papers on the feed this day/);
    assert.match(empty.html, /href="\/papers\/date\/2025-07-14" rel="prev"/);

    const picked = await get('/papers/week?value=2025-W29');
    assert.equal(picked.res.status, 302);
    assert.equal(picked.res.headers.get('location'), '/papers/week/2025-W29');
    assert.equal((await get('/papers/date?value=2025-02-30')).res.status, 404);
    const bare = await get('/papers/month');
    assert.equal(bare.res.headers.get('location'), '/papers/month/2025-08');
    for (const bad of ['/papers/date/2025-13-01', '/papers/week/2025-W54', '/papers/month/2025-00']) {
      const r = await get(bad);
      assert.equal(r.res.status, 404, bad);
      assert.match(r.html, /Page not found/);
    }
  });

  test('trending ranks recent papers', async () => {
    const { res, html } = await get('/papers/trending');
    assert.equal(res.status, 200);
    const ids = titlesIn(html);
    // The window is the week before the newest day: 2025-07-14 is outside it.
    assert.ok(ids.includes('/papers/2508.00002'));
    assert.ok(!ids.includes('/papers/2507.01001'));
  });

  test('a paper page has math, authors, links, facts, upvote, comments, similar papers and BibTeX', async () => {
    const { res, html } = await get(`/papers/${data.mathId}`);
    assert.equal(res.status, 200);
    assert.match(html, /<math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML"/);
    assert.match(html, /<annotation encoding="application\/x-tex">T\(n\) = \\Theta\(n \\log n\)<\/annotation>/);
    assert.match(html, /display="block"/);
    assert.match(html, /<a href="\/authors\/Alan%20Turing">Alan Turing<\/a>/);
    assert.match(html, /href="https:\/\/arxiv.org\/abs\/2508.00001"/);
    assert.match(html, /href="https:\/\/arxiv.org\/pdf\/2508.00001"/);
    assert.match(html, /href="https:\/\/example.org\/sorting"/);
    assert.match(html, /<dt>Version<\/dt><dd>v1<\/dd>/);
    assert.match(html, /<a class="tag" href="\/search\?category=cs.DS">cs.DS<\/a>/);
    assert.match(html, /<a class="upvote" href="\/login\?next=%2Fpapers%2F2508.00001&amp;upvote=2508.00001"/);
    assert.match(html, /id="comments"/);
    assert.match(html, /Log in<\/a> to comment/);
    assert.match(html, /id="similar-title"/);
    assert.match(html, /@misc\{turing2025bounds,\n  title = \{Bounds on \$\\mathcal\{O\}\(n \\log n\)\$ sorting\}/);
    assert.match(html, /eprint = \{2508.00001\}/);

    const old = await get('/papers/hep-th/9901001');
    assert.equal(old.res.status, 200);
    assert.match(old.html, /Strings on a lattice/);
    assert.match(old.html, /<a href="\/papers\/date\/2025-07-14">2025-07-14<\/a>/);
    const missing = await get('/papers/2599.99999');
    assert.equal(missing.res.status, 404);
    assert.match(missing.html, /Paper pages look like/);
  });

  test('hostile titles, abstracts, authors and links are shown as text, never as markup or links', async () => {
    for (const path of [`/papers/${data.hostileId}`, `/papers/date/${DAYS.third}`, '/search?q=attention', `/authors/${encodeURIComponent(HOSTILE.authors[0])}`]) {
      const { res, html } = await get(path);
      assert.equal(res.status, 200, path);
      assert.doesNotMatch(html, /<script>window/, path);
      assert.doesNotMatch(html, /<img src=x/i, path);
      assert.doesNotMatch(html, /href="javascript:/i, path);
      assert.doesNotMatch(html, /<b>bold<\/b>/, path);
      assert.match(html, /&lt;script&gt;window.__pwned=(&#39;|')title(&#39;|')&lt;\/script&gt;/, path);
      assert.equal((html.match(/<script/g) ?? []).length, 2, `${path}: only the layout's two scripts`);
    }
    const { html } = await get(`/papers/${data.hostileId}`);
    assert.match(html, /&lt;img src=x onerror=&quot;window.__pwned=(&#39;|')author(&#39;|')&quot;&gt;/);
    assert.doesNotMatch(html, />Code</, 'a javascript: code link is not rendered');
    assert.match(html, /<mi>α<\/mi>/, 'real math in the same abstract still renders');
    assert.match(html, /<mtext>\\href<\/mtext>/, '\\href is refused by KaTeX (trust: false)');
  });

  test('search lists highlighted titles and abstracts, filters by date and category, sorts, suggests', async () => {
    const { res, html } = await get('/search?q=attention');
    assert.equal(res.status, 200);
    assert.match(html, /<mark>attention<\/mark>/i);
    assert.match(html, /Sparse <mark>attention<\/mark> for long documents/);
    const filtered = await get(`/search?q=attention&from=${DAYS.third}&category=cs.LG`);
    assert.match(filtered.html, /<mark>Attention<\/mark> is still all you need/);
    assert.doesNotMatch(filtered.html, /Sparse/);
    const top = await get('/search?q=attention&sort=upvotes');
    assert.ok(top.html.indexOf('Sparse') < top.html.indexOf('still all you need'));
    const none = await get('/search?q=zzzzqqq');
    assert.match(none.html, /No papers match/);
    const odd = await get('/search?q=%25_%25&sort=bogus&from=yesterday');
    assert.equal(odd.res.status, 200);
    const byId = await get('/search?q=2507.01001');
    assert.equal(byId.res.status, 302);
    assert.equal(byId.res.headers.get('location'), '/papers/2507.01001');
    const byAuthor = await get('/search?q=author%3Ahopper');
    assert.match(byAuthor.html, /Attention is still all you need/);
    const cat = await get('/search?category=hep-th');
    assert.match(cat.html, /Strings on a lattice/);
    const sug = await fetch(`${server.url}/search/suggest?q=spars`);
    assert.deepEqual(await sug.json(), [{ id: '2507.01001', title: 'Sparse attention for long documents', url: '/papers/2507.01001' }]);
  });

  test('author pages list exactly that author; unknown authors are a helpful 404', async () => {
    const { res, html } = await get('/authors/Ada%20Lovelace');
    assert.equal(res.status, 200);
    assert.deepEqual(titlesIn(html).sort(), ['/papers/2507.01001', '/papers/hep-th/9901001']);
    const none = await get('/authors/Nobody%20Here');
    assert.equal(none.res.status, 404);
    assert.match(none.html, /searching for/);
  });

  test('assets are fingerprinted and cached for a year; pages are compressed', async () => {
    const { html } = await get('/');
    const css = /href="(\/assets\/site\.[\w-]{12}\.css)"/.exec(html)?.[1];
    const js = /src="(\/assets\/site\.[\w-]{12}\.js)"/.exec(html)?.[1];
    assert.ok(css && js);
    for (const url of [css, js]) {
      const r = await fetch(server.url + url);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    }
    assert.equal((await fetch(`${server.url}/assets/site.000000000000.css`)).status, 404);
    const gz = await fetch(`${server.url}/papers/date/${DAYS.first}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
  });

  test('signed in: upvote forms with the CSRF token, upvotes counted and shown pressed, comments on the paper page', async () => {
    const client = new Client(server.url);
    await client.signup('reader1');
    const day = await client.get(`/papers/date/${DAYS.first}`);
    // One shared vote form per list carries the token and the way back; each card's button names its paper's path.
    assert.match(day.text, /<form method="post" id="card-vote" data-upvote="true"><input type="hidden" name="_csrf" value="[^"]+"\/><input type="hidden" name="next" value="\/papers\/date\/2025-07-14"\/><\/form>/);
    assert.match(day.text, /<div class="upvote"><button form="card-vote" formaction="\/papers\/2507.01002\/upvote" name="action" value="add" aria-pressed="false">0<span class="vh"> upvotes<\/span><\/button><\/div>/);
    assert.match(day.text, /<nav class="account" aria-label="Account"><a href="\/notifications" class="notifications-link" aria-label="Notifications"><span aria-hidden="true">🔔<\/span><\/a><a href="\/settings"[^>]*><span aria-hidden="true">●<\/span> reader1<\/a>/);
    const vote = await client.postForm('/papers/2507.01002/upvote', { action: 'add', next: `/papers/date/${DAYS.first}` });
    assert.equal(vote.status, 303);
    assert.equal(vote.headers.get('location'), `/papers/date/${DAYS.first}`);
    const after = await client.get(`/papers/date/${DAYS.first}`);
    assert.match(after.text, /formaction="\/papers\/2507.01002\/upvote" name="action" value="remove" aria-pressed="true">1<span class="vh"> upvote<\/span><\/button>/);
    // The home page's subscribe form carries the token too (the CSRF middleware checks every form post).
    assert.match((await client.get('/')).text, /<form method="post" action="\/subscribe"><input type="hidden" name="_csrf" value="[^"]+"\/>/);

    const posted = await client.postForm(`/papers/${data.mathId}/comments`, { body: 'Nice bound. <script>window.__pwned=1</script> $x^2$', next: `/papers/${data.mathId}` });
    assert.equal(posted.status, 303);
    const paper = await client.get(`/papers/${data.mathId}`);
    assert.match(paper.text, /<h2 id="comments-heading">1 comment<\/h2>/);
    assert.match(paper.text, /Nice bound\./);
    assert.doesNotMatch(paper.text, /<script>window.__pwned/);
    assert.match(paper.text, /<textarea name="body" required="" maxlength="10000" rows="4">/);
  });

  test('unknown pages get the helpful 404 page; API paths keep JSON errors', async () => {
    const { res, html } = await get('/no/such/page');
    assert.equal(res.status, 404);
    assert.match(html, /Back to today&#39;s papers/);
    const api = await get('/api/nope');
    assert.equal(api.res.status, 404);
    assert.match(api.html, /"error"/);
  });
});
