import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, MAILBOXES, loggedIn, startTestApp, waitForMail, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

/**
 * Issue 16's navigation over real HTTP, on SQLite and PostgreSQL: flash messages after redirects,
 * confirmation before deletes, the upvote asked for before logging in, follow buttons that come
 * back to their page, the header's links and the icons.
 */
forEachStore('navigation over HTTP', (ctx) => {
  let app: TestApp;
  const paper = makePaper({ authors: ['Ada Lovelace', 'Alan Turing'], categories: ['cs.LG', 'stat.ML'], primaryCategory: 'cs.LG' });
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_LOGIN_IP: '1000/60', RATE_LIMIT_SIGNUP_IP: '1000/60', RATE_LIMIT_COMMENT_USER: '1000/60' });
    await ctx.store.papers.upsertMany([paper]);
    await ctx.store.feed.addMany([{ paperId: paper.id, day: '2025-08-01' }]);
  });
  after(() => app.close());

  const flashCookie = (c: Client) => c.cookies.get('pb_flash');

  test('a message after an action is shown once, on the page the redirect leads to, only to its account', async () => {
    const ann = await loggedIn(app, 'ann');
    const made = await ann.postForm('/collections', { name: 'Reading list' });
    assert.equal(made.status, 303);
    const id = flashCookie(ann);
    assert.ok(id, 'the flash cookie holds the message id');
    assert.doesNotMatch(decodeURIComponent(made.headers.get('location')!), /Reading list/, 'the message is not in the URL');

    // Someone else presenting the same cookie sees nothing: the message is bound to ann.
    const bob = await loggedIn(app, 'bob');
    bob.cookies.set('pb_flash', id!);
    assert.doesNotMatch((await bob.get('/')).text, /class="flash"/);
    const anon = new Client(app.url);
    anon.cookies.set('pb_flash', id!);
    assert.doesNotMatch((await anon.get('/')).text, /class="flash"/);

    const page = await ann.get(made.headers.get('location')!);
    assert.match(page.text, /<div class="flash" role="status"><p>Collection “Reading list” created\.<\/p><\/div>/);
    assert.equal(flashCookie(ann), undefined, 'used up');
    ann.cookies.set('pb_flash', id!);
    assert.doesNotMatch((await ann.get('/')).text, /class="flash"/, 'shown once');

    // A redirect in between keeps it for the page that follows.
    await ann.postForm('/following', { kind: 'category', value: 'cs.LG', next: '/papers/week' });
    const bounce = await ann.get('/papers/week');
    assert.equal(bounce.status, 302);
    assert.ok(flashCookie(ann));
    assert.match((await ann.get(bounce.headers.get('location')!)).text, /You follow cs\.LG/);

    // An expired message is not shown (written as if 5 minutes and a moment ago).
    const stale = await app.services.flash.write(null, 'Old news', null, Date.now() - 5 * 60_000 - 1000);
    ann.cookies.set('pb_flash', stale);
    assert.doesNotMatch((await ann.get('/')).text, /Old news/);

    // Junk in the cookie is ignored.
    ann.cookies.set('pb_flash', '../../etc/passwd');
    assert.equal((await ann.get('/')).status, 200);
  });

  test('deleting a comment asks first; the question changes nothing and only the author (or an admin) gets it', async () => {
    await loggedIn(app, 'root-admin');
    const cy = await loggedIn(app, 'cy');
    await cy.postForm(`/papers/${paper.id}/comments`, { body: 'First thoughts', next: `/papers/${paper.id}` });
    const comment = (await ctx.store.comments.forPaper(paper.id)).find((c) => c.body === 'First thoughts')!;
    const pageHtml = (await cy.get(`/papers/${paper.id}`)).text;
    assert.match(pageHtml, new RegExp(`<a class="danger-link" href="/comments/${comment.id}/delete\\?next=[^"]+">Delete`), 'a link to the second step, not a delete button');
    assert.doesNotMatch(pageHtml, new RegExp(`action="/comments/${comment.id}/delete"`));

    const ask = await cy.get(`/comments/${comment.id}/delete?next=${encodeURIComponent(`/papers/${paper.id}`)}`);
    assert.equal(ask.status, 200);
    assert.match(ask.text, /<h1>Delete this comment\?<\/h1>/);
    assert.match(ask.text, /First thoughts/);
    assert.match(ask.text, /<button type="submit" class="danger">Delete comment<\/button>/);
    assert.equal((await ctx.store.comments.get(comment.id))!.deleted, false, 'asking deletes nothing');
    assert.equal((await (await loggedIn(app, 'dee')).get(`/comments/${comment.id}/delete`)).status, 404, 'not your comment');

    const done = await cy.postForm(`/comments/${comment.id}/delete`, { next: `/papers/${paper.id}` });
    assert.equal(done.status, 303);
    assert.equal((await ctx.store.comments.get(comment.id))!.deleted, true);
    assert.match((await cy.get(done.headers.get('location')!)).text, /Comment deleted\./);
  });

  test('"Delete this collection" asks first and says what happened', async () => {
    const eve = await loggedIn(app, 'eve');
    await eve.postForm('/collections', { name: 'To delete', public: '1' });
    const col = (await ctx.store.collections.forUser((await ctx.store.users.byUsername('eve'))!.id)).find((c) => c.name === 'To delete')!;
    const own = await eve.get(`/collections/${col.id}`);
    assert.match(own.text, new RegExp(`<a class="button quiet danger" href="/collections/${col.id}/delete">Delete this collection…</a>`));
    assert.match(own.text, new RegExp(`href="/feeds/collection/${col.id}.rss"`), 'a public collection shows its feed');
    const ask = await eve.get(`/collections/${col.id}/delete`);
    assert.match(ask.text, /Delete this collection\?/);
    assert.ok(await ctx.store.collections.get(col.id), 'asking deletes nothing');
    assert.equal((await (await loggedIn(app, 'fay')).get(`/collections/${col.id}/delete`)).status, 404);
    const done = await eve.postForm(`/collections/${col.id}/delete`, {});
    assert.equal(done.headers.get('location'), '/collections');
    assert.equal(await ctx.store.collections.get(col.id), null);
    assert.match((await eve.get('/collections')).text, /Collection deleted\./);
  });

  test('"Log in to upvote" counts the upvote once the log-in form (with its CSRF token) succeeds', async () => {
    await new Client(app.url).signup('gus', 'gus password 1');
    const gus = new Client(app.url);
    const day = await gus.get(`/papers/${paper.id}`);
    const link = /<a class="upvote" href="([^"]+)"/.exec(day.text)![1].replaceAll('&amp;', '&');
    assert.equal(link, `/login?next=${encodeURIComponent(`/papers/${paper.id}`)}&upvote=${paper.id}`);
    const form = await gus.get(link);
    assert.match(form.text, new RegExp(`<input type="hidden" name="upvote" value="${paper.id}"/>`));
    assert.match(form.text, /your upvote is counted right away/);
    const before = (await ctx.store.papers.get(paper.id))!.upvotes;

    const wrong = await gus.postForm('/login', { username: 'gus', password: 'nope nope', next: `/papers/${paper.id}`, upvote: paper.id });
    assert.equal(wrong.status, 401);
    assert.equal((await ctx.store.papers.get(paper.id))!.upvotes, before, 'no vote without a log-in');
    const forged = new Client(app.url);
    assert.equal((await forged.postForm('/login', { username: 'gus', password: 'gus password 1', upvote: paper.id })).status, 403, 'no vote from a form without the page token');
    assert.equal((await ctx.store.papers.get(paper.id))!.upvotes, before);

    const ok = await gus.postForm('/login', { username: 'gus', password: 'gus password 1', next: `/papers/${paper.id}`, upvote: paper.id });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), `/papers/${paper.id}`);
    assert.equal((await ctx.store.papers.get(paper.id))!.upvotes, before + 1);
    const back = await gus.get(`/papers/${paper.id}`);
    assert.match(back.text, /Logged in as gus\. Your upvote is counted\./);
    assert.match(back.text, /aria-pressed="true"/);

    // A GET never votes, even for someone logged in.
    const hal = await loggedIn(app, 'hal');
    await hal.get(`/login?upvote=${paper.id}`);
    assert.equal((await ctx.store.papers.get(paper.id))!.upvotes, before + 1);

    // Signing up carries it too, through the mailed link: nothing is cast until the account is made
    // by the link's CSRF-checked button; a bad id is ignored and the sign-up still works.
    const ivy = new Client(app.url);
    await ivy.get(`/signup?next=%2F&upvote=${paper.id}`);
    const made = await ivy.postForm('/signup', { username: 'ivy', email: 'ivy@example.org', password: 'ivy password 1', next: '/', upvote: paper.id });
    assert.equal(made.status, 202);
    assert.equal((await ctx.store.papers.get(paper.id))!.upvotes, before + 1);
    const mailed = await waitForMail(MAILBOXES.get(app.url)!, 'ivy@example.org', (t) => /\/confirm-account\?[^\s]+/.exec(t)?.[0]);
    assert.match(mailed, new RegExp(`&upvote=${paper.id.replace('.', '\\.')}$`));
    const confirmPage = await ivy.get(mailed);
    assert.equal((await ctx.store.papers.get(paper.id))!.upvotes, before + 1, 'opening the link casts nothing');
    const token = /name="token" value="([^"]+)"/.exec(confirmPage.text)![1];
    const confirmed = await ivy.postForm('/confirm-account', { token, upvote: paper.id });
    assert.equal(confirmed.status, 303);
    assert.match((await ivy.get('/')).text, /Welcome to Paperboy, ivy! Your upvote is counted\./);
    assert.equal((await ctx.store.papers.get(paper.id))!.upvotes, before + 2);
    const jo = new Client(app.url);
    await jo.get('/signup');
    assert.equal((await jo.postForm('/signup', { username: 'jo_', email: 'jo@example.org', password: 'jo password 11', upvote: '../../x' })).status, 202);
  });

  test('follow buttons on a paper page and an author page come back to the page and show the state', async () => {
    const kim = await loggedIn(app, 'kim');
    const here = `/papers/${paper.id}`;
    const page = await kim.get(here);
    assert.match(page.text, /<input type="hidden" name="kind" value="author"\/><input type="hidden" name="value" value="Ada Lovelace"\/>/);
    assert.match(page.text, /<input type="hidden" name="kind" value="category"\/><input type="hidden" name="value" value="stat.ML"\/>/);
    const f = await kim.postForm('/following', { kind: 'author', value: 'Ada Lovelace', next: here });
    assert.equal(f.headers.get('location'), here);
    const after = await kim.get(here);
    assert.match(after.text, /You follow Ada Lovelace/);
    assert.match(after.text, /✓ Following<span class="vh"> Ada Lovelace<\/span>/);
    const follow = (await app.services.following.list((await ctx.store.users.byUsername('kim'))!.id))[0];
    // The author page knows it too (names are matched folded), and unfollowing comes back.
    const author = await kim.get('/authors/Ada%20Lovelace');
    assert.match(author.text, new RegExp(`action="/following/${follow.id}/delete"`));
    const un = await kim.postForm(`/following/${follow.id}/delete`, { next: '/authors/Ada%20Lovelace' });
    assert.equal(un.headers.get('location'), '/authors/Ada%20Lovelace');
    assert.equal((await app.services.following.list((await ctx.store.users.byUsername('kim'))!.id)).length, 0);
    // A visitor is sent to log in, and back.
    assert.match((await new Client(app.url).get(here)).text, new RegExp(`<a class="follow" href="/login\\?next=${encodeURIComponent(here).replaceAll('.', '\\.')}"`));
  });

  test('a search is saved by following it from the results page, and comes back marked', async () => {
    const lea = await loggedIn(app, 'lea');
    const here = '/search?q=diffusion%20models';
    const page = await lea.get(here);
    assert.match(page.text, /<input type="hidden" name="kind" value="search"\/><input type="hidden" name="value" value="diffusion models"\/>/);
    const f = await lea.postForm('/following', { kind: 'search', value: 'diffusion models', next: here });
    assert.equal(f.headers.get('location'), here);
    assert.match((await lea.get(here)).text, /✓ Following<span class="vh"> diffusion models<\/span>/);
    const follows = await app.services.following.list((await ctx.store.users.byUsername('lea'))!.id);
    assert.deepEqual(follows.map((x) => [x.kind, x.value]), [['search', 'diffusion models']]);
    assert.match((await new Client(app.url).get(here)).text, /<a class="follow" href="\/login\?next=/, 'a visitor is asked to log in');
  });

  test('the header shows For you and Following; a visitor is asked to log in and told what they are', async () => {
    const anon = new Client(app.url);
    const home = await anon.get('/');
    assert.match(home.text, /<a href="\/papers\/for-you">For you<\/a>/);
    assert.match(home.text, /<a href="\/following">Following<\/a>/);
    assert.match(home.text, /<a href="\/docs\/api">API docs<\/a>/);
    assert.doesNotMatch(home.text, />Weekly<\/a>|>Monthly<\/a>/, 'the header does not repeat the Day / Week / Month tabs');
    const to = await anon.get('/papers/for-you');
    assert.equal(to.headers.get('location'), '/login?next=%2Fpapers%2Ffor-you');
    assert.match((await anon.get(to.headers.get('location')!)).text, /For you ranks the newest papers by what you upvote/);
    const lee = await loggedIn(app, 'lee');
    const mine = await lee.get('/papers/for-you');
    assert.match(mine.text, /<a href="\/papers\/for-you" aria-current="page">For you<\/a>/);
    assert.match(mine.text, /<button type="submit" class="quiet small">Log out<\/button>/, 'log out is a quiet header button');
    const settings = await lee.get('/settings');
    assert.match(settings.text, /<nav class="subnav" aria-label="Your account">/);
    assert.match(settings.text, /<a href="\/settings" aria-current="page">Settings<\/a>/);
  });

  test('asking for a reset link answers after a redirect, the same for any address', async () => {
    const anon = new Client(app.url);
    await anon.get('/forgot-password');
    const known = await anon.postForm('/forgot-password', { email: 'ann@example.org' });
    assert.equal(known.status, 303);
    const answer = (await anon.get(known.headers.get('location')!)).text;
    assert.match(answer, /If an account has that address, a link to reset its password is on its way/);
    const other = new Client(app.url);
    await other.get('/forgot-password');
    const unknown = await other.postForm('/forgot-password', { email: 'nobody@example.org' });
    assert.equal(unknown.headers.get('location'), known.headers.get('location'));
    assert.match((await other.get(unknown.headers.get('location')!)).text, /If an account has that address/);
  });

  test('/favicon.ico is an icon and /favicon.svg its SVG', async () => {
    const ico = await fetch(`${app.url}/favicon.ico`);
    assert.equal(ico.status, 200);
    assert.equal(ico.headers.get('content-type'), 'image/x-icon');
    const bytes = new Uint8Array(await ico.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 4)], [0, 0, 1, 0], 'an ICO header');
    const svg = await fetch(`${app.url}/favicon.svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.match(await svg.text(), /^<svg /);
  });
});
