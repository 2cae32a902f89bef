import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, confirmToken, loggedIn, MAILBOXES, startTestApp, waitForMail, type TestApp } from '../helpers/community.ts';
import { seedApiFixtures } from '../helpers/api-fixtures.ts';
import { FakeZotero } from '../helpers/zotero-server.ts';
import { sitePaths, upvoteApiPathOf } from '../../src/domain/site-paths.ts';
import { parseDay } from '../../src/domain/period.ts';

/**
 * Every kind of path src/domain/site-paths.ts builds is served: each is asked of a seeded app and
 * must answer 200, after the redirects a browser follows. Pages behind log-in answer an anonymous
 * reader with a redirect to the log-in page (which comes back to them) and a signed-in one with
 * 200; the moderators' pages answer a member 403 and a moderator 200. Form targets (`forms`) are
 * posted with a real body and the page's CSRF token, and end on a 200 page too. A new kind of path
 * without a case here fails the coverage check; tests/architecture/inline-paths.test.ts makes sure
 * no view, route, mail or service builds a path without this module.
 */
forEachStore('every site path answers', (ctx) => {
  let app: TestApp;
  let ada: Client;
  let mod: Client;
  let anon: Client;
  let fx: Awaited<ReturnType<typeof seedApiFixtures>>;
  let zotero: FakeZotero;
  const ZOTERO_KEY = 'AbCdEfGhIjKlMnOpQrStUvWx';
  const THUMB = '0123456789abcdef0123456789abcdef';
  before(async () => {
    fx = await seedApiFixtures(ctx.store);
    zotero = await new FakeZotero('475425', ZOTERO_KEY).start();
    app = await startTestApp(ctx.store, { ZOTERO_API_URL: zotero.url });
    ada = await loggedIn(app, 'ada');
    mod = await loggedIn(app, 'mod');
    await ctx.store.users.setRole((await ctx.store.users.byUsername('mod'))!.id, 'admin');
    anon = new Client(app.url);
    // A first-page thumbnail as the enrichment's PDF step stores it (the step itself is tested in tests/enrichment).
    await ctx.store.enrichment.savePdf(fx.papers[3].id, { text: '', pages: 1, thumbnails: [{ hash: THUMB, size: 'card', mime: 'image/webp', width: 2, height: 2, data: new Uint8Array([82, 73, 70, 70]) }] }, '2025-08-02T10:00:00.000Z');
  });
  after(async () => {
    await app?.close();
    await zotero?.close();
  });

  /** Follows redirects within the site and answers the final status and where it ended. */
  async function follow(client: Client, method: 'GET' | 'POST', path: string, form: Record<string, string> = {}): Promise<{ status: number; path: string; text: string; first: number; location: string | null }> {
    let r = method === 'GET' ? await client.get(path) : await client.postForm(path, form);
    const first = r.status;
    const location = r.headers.get('location');
    let where = path;
    for (let hops = 0; r.status >= 300 && r.status < 400 && hops < 5; hops++) {
      const u = new URL(r.headers.get('location')!, app.url);
      where = u.pathname + u.search;
      r = await client.get(where);
    }
    return { status: r.status, path: where, text: r.text, first, location };
  }
  /** The first number a page's HTML shows in `re` (a form's action), e.g. a comment's or a claim's id. */
  async function idOn(client: Client, page: string, re: RegExp): Promise<number> {
    const html = (await client.get(page)).text;
    const m = re.exec(html);
    assert.ok(m, `${page} shows ${re}`);
    return Number(m[1]);
  }

  test('each kind of path answers 200 (after its redirects) on a seeded app', async () => {
    const paper = fx.papers[3].id;
    const oldStyle = fx.papers.find((p) => p.id.includes('/'))?.id ?? paper;
    // Things the forms below act on, made the way readers make them.
    const commented = await follow(ada, 'POST', sitePaths.forms.paperComments(paper), { body: 'A comment.', action: 'add' });
    assert.equal(commented.status, 200);
    const commentId = await idOn(ada, sitePaths.paperDiscussion(paper), /id="comment-(\d+)"/);
    const bob = await loggedIn(app, 'bob');
    await follow(bob, 'POST', sitePaths.forms.paperComments(paper), { body: 'A reply.', parentId: String(commentId) });
    await app.services.notifications.processEvents(); // what the notify job does
    const notificationId = await idOn(ada, sitePaths.notifications(), /\/notifications\/(\d+)\/read/);
    await follow(ada, 'POST', sitePaths.claim(), { paper, author: '0', evidence: 'my homepage' });
    const claimId = await idOn(mod, sitePaths.adminClaims(), /\/admin\/claims\/(\d+)\/decide/);
    await follow(ada, 'POST', sitePaths.settingsOrgs(), { name: 'Analytical Engines Ltd' });
    const orgId = await idOn(mod, sitePaths.adminOrgs(), /\/admin\/orgs\/(\d+)\/decide/);
    const orgSlug = /\/settings\/orgs\/([^/"]+)\/leave/.exec((await ada.get(sitePaths.settingsOrgs())).text)?.[1];
    assert.ok(orgSlug, 'the organisation ada declared is listed with a Leave form');
    await follow(ada, 'POST', sitePaths.report(), { target: 'paper', id: fx.papers[4].id, reason: 'spam' });
    const reportId = await idOn(mod, sitePaths.adminReports(), /\/admin\/reports\/(\d+)\/resolve/);
    await follow(ada, 'POST', sitePaths.forms.createToken(), { name: 'script' });
    const tokenId = await idOn(ada, sitePaths.settings(), /\/settings\/tokens\/(\d+)\/revoke/);
    await follow(ada, 'POST', sitePaths.forms.forYouInterests(), { category: 'cs.LG' });
    const interestId = await idOn(ada, sitePaths.forYou(), /\/papers\/for-you\/interests\/(\d+)\/delete/);
    await follow(ada, 'POST', sitePaths.following(), { kind: 'category', value: 'cs.CV' });
    const followId = await idOn(ada, sitePaths.following(), /\/following\/(\d+)\/delete/);
    await follow(ada, 'POST', sitePaths.collections(), { name: 'to delete' });
    const doomed = await idOn(ada, sitePaths.collections(), /\/collections\/(\d+)">to delete</);
    // The links of the account mails: a password reset for ada, a confirmation for a new sign-up.
    const mailbox = MAILBOXES.get(app.url)!;
    const visitor = new Client(app.url);
    await visitor.get(sitePaths.forgotPassword());
    await visitor.postForm(sitePaths.forgotPassword(), { email: 'ada@example.org' });
    const resetToken = await waitForMail(mailbox, 'ada@example.org', (t) => /reset-password\?token=([A-Za-z0-9_%-]+)/.exec(t)?.[1]);
    await visitor.get(sitePaths.signup());
    await visitor.postForm(sitePaths.signup(), { username: 'carol', email: 'carol@example.org', password: 'correct horse battery' });
    const signupToken = await waitForMail(mailbox, 'carol@example.org', confirmToken);
    // A Zotero library (a local server answering as api.zotero.org), so sync and disconnect have one to act on.
    assert.equal((await follow(ada, 'POST', sitePaths.settingsZotero(), { zoteroUser: '475425', apiKey: ZOTERO_KEY })).path, sitePaths.settingsZotero('connected'));
    const { subscription } = await app.services.subscriptions.subscribe({ email: 'reader@example.org', frequency: 'weekly', categories: [], personalPicks: false });
    const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
    const adaId = (await ctx.store.users.byUsername('ada'))!.id;

    type Case = { path: string; who?: 'ada' | 'mod' | 'anon'; form?: Record<string, string> };
    /** Pages a signed-in reader must be: an anonymous reader is sent to log in, and comes back. */
    const signedIn = new Set(['following', 'forYou', 'settings', 'settingsMail', 'settingsNotifications', 'settingsZotero', 'settingsOrgs', 'notifications', 'claim', 'report', 'submit', 'collections', 'collectionDelete', 'commentEdit', 'commentDelete']);
    /** Moderators' pages: a member gets 403. */
    const moderators = new Set(['admin', 'adminReports', 'adminClaims', 'adminOrgs']);
    const pages: Record<string, Case[]> = {
      home: [{ path: sitePaths.home() }],
      paper: [{ path: sitePaths.paper(paper) }, { path: sitePaths.paper(oldStyle) }],
      paperDiscussion: [{ path: sitePaths.paperDiscussion(paper) }],
      comment: [{ path: sitePaths.comment(paper, commentId) }],
      period: (['day', 'week', 'month'] as const).map((kind) => ({ path: sitePaths.period({ kind, label: kind === 'day' ? fx.days[3] : kind === 'week' ? '2025-W31' : '2025-08' }) })),
      day: [{ path: sitePaths.day(parseDay(fx.days[0])!.from) }],
      periodPicker: (['day', 'week', 'month'] as const).map((kind) => ({ path: sitePaths.periodPicker(kind) })),
      trending: [{ path: sitePaths.trending() }],
      author: [{ path: sitePaths.author(fx.papers[1].authors[0]) }, { path: sitePaths.author(fx.tricky.authors[0]) }],
      user: [{ path: sitePaths.user('ada') }],
      search: [{ path: sitePaths.search() }, { path: sitePaths.search({ q: 'attention', sort: 'newest', page: '1' }) }],
      category: [{ path: sitePaths.category('cs.LG') }],
      following: [{ path: sitePaths.following() }],
      forYou: [{ path: sitePaths.forYou() }],
      subscribe: [{ path: sitePaths.subscribe() }],
      subscribeSent: [{ path: sitePaths.subscribeSent() }],
      subscribeConfirm: [{ path: local(await app.services.mail.confirmUrl(subscription)), who: 'anon' }],
      unsubscribe: [{ path: local(await app.services.mail.unsubscribeUrl(subscription)), who: 'anon' }],
      login: [{ path: sitePaths.login(sitePaths.forYou(), paper), who: 'anon' }],
      signup: [{ path: sitePaths.signup(sitePaths.forYou()), who: 'anon' }],
      forgotPassword: [{ path: sitePaths.forgotPassword(), who: 'anon' }],
      resetPassword: [{ path: sitePaths.resetPassword(decodeURIComponent(resetToken)), who: 'anon' }],
      confirmAccount: [{ path: sitePaths.confirmAccount(decodeURIComponent(signupToken)), who: 'anon' }],
      settings: [{ path: sitePaths.settings() }],
      settingsMail: [{ path: sitePaths.settingsMail() }],
      settingsNotifications: [{ path: sitePaths.settingsNotifications() }],
      settingsZotero: [{ path: sitePaths.settingsZotero() }, { path: sitePaths.settingsZotero('synced') }],
      settingsOrgs: [{ path: sitePaths.settingsOrgs() }],
      notifications: [{ path: sitePaths.notifications() }, { path: sitePaths.notifications(notificationId + 1) }],
      notificationsUnsubscribe: [
        { path: local(await app.services.notifications.unsubscribeUrl(adaId)), who: 'anon' },
        { path: local(await app.services.notifications.unsubscribeUrl(adaId, ['reply', 'mention'])), who: 'anon' },
      ],
      orgs: [{ path: sitePaths.orgs() }, { path: sitePaths.orgs({ q: 'ad', page: 1 }) }],
      org: [{ path: sitePaths.org('ada') }],
      claim: [{ path: sitePaths.claim(fx.papers[5].id, 0) }],
      report: [{ path: sitePaths.report({ target: 'paper', id: paper }) }, { path: sitePaths.report({ target: 'comment', id: commentId }) }],
      submit: [{ path: sitePaths.submit() }],
      collections: [{ path: sitePaths.collections() }],
      collection: [{ path: sitePaths.collection(fx.publicCollection) }],
      collectionFile: (['bib', 'ris', 'csv'] as const).map((f) => ({ path: sitePaths.collectionFile(fx.publicCollection, f) })),
      collectionDelete: [{ path: sitePaths.collectionDelete(doomed) }],
      commentEdit: [{ path: sitePaths.commentEdit(commentId, sitePaths.paperDiscussion(paper)) }],
      commentDelete: [{ path: sitePaths.commentDelete(commentId, sitePaths.paperDiscussion(paper)) }],
      admin: [{ path: sitePaths.admin(), who: 'mod' }],
      adminReports: [{ path: sitePaths.adminReports(), who: 'mod' }, { path: sitePaths.adminReports(true), who: 'mod' }],
      adminClaims: [{ path: sitePaths.adminClaims(), who: 'mod' }],
      adminOrgs: [{ path: sitePaths.adminOrgs(), who: 'mod' }],
      apiDocs: [{ path: sitePaths.apiDocs() }],
      openapi: [{ path: sitePaths.openapi() }],
      favicon: [{ path: sitePaths.favicon('ico') }, { path: sitePaths.favicon('svg') }],
      asset: [...(await anon.get('/')).text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => ({ path: m[1] })),
      thumbnail: [{ path: sitePaths.thumbnail(THUMB, 'webp') }],
      searchSuggest: [{ path: sitePaths.searchSuggest('spar') }],
    };
    assert.equal(pages.asset.length, 2, 'the layout links its stylesheet and script');
    const forms: Record<string, Case[]> = {
      paperUpvote: [{ path: sitePaths.forms.paperUpvote(paper), form: { next: sitePaths.paper(paper) } }],
      paperComments: [{ path: sitePaths.forms.paperComments(paper), form: { body: 'Another comment.' } }],
      papersSeen: [{ path: sitePaths.forms.papersSeen(), form: { paperId: paper, seen: '1' } }],
      watchDiscussion: [{ path: sitePaths.forms.watchDiscussion(), form: { paperId: paper, on: '1', next: sitePaths.paperDiscussion(paper) } }],
      logout: [{ path: sitePaths.forms.logout(), who: 'anon' }],
      createToken: [{ path: sitePaths.forms.createToken(), form: { name: 'another' } }],
      revokeToken: [{ path: sitePaths.forms.revokeToken(tokenId) }],
      verifyEmail: [{ path: sitePaths.forms.verifyEmail() }],
      logoutEverywhere: [], // below, with an account of its own
      mailUnsubscribe: [{ path: sitePaths.forms.mailUnsubscribe() }],
      zoteroSync: [{ path: sitePaths.forms.zoteroSync() }],
      zoteroDisconnect: [{ path: sitePaths.forms.zoteroDisconnect() }],
      leaveOrg: [{ path: sitePaths.forms.leaveOrg(decodeURIComponent(orgSlug)) }],
      notificationRead: [{ path: sitePaths.forms.notificationRead(notificationId), form: { next: sitePaths.notifications() } }],
      notificationsReadAll: [{ path: sitePaths.forms.notificationsReadAll() }],
      collectionPapers: [{ path: sitePaths.forms.collectionPapers(fx.publicCollection), form: { paperId: paper, action: 'add' } }],
      collectionSettings: [{ path: sitePaths.forms.collectionSettings(fx.publicCollection), form: { name: 'Renamed', public: '1' } }],
      collectionImport: [{ path: sitePaths.forms.collectionImport(fx.privateCollection), form: { text: `@article{a, title={A paper}, eprint={${fx.papers[2].id}}, archivePrefix={arXiv}}`, format: 'bib' } }],
      unfollow: [{ path: sitePaths.forms.unfollow(followId) }],
      forYouInterests: [{ path: sitePaths.forms.forYouInterests(), form: { author: fx.papers[1].authors[0] } }],
      forYouInterestDelete: [{ path: sitePaths.forms.forYouInterestDelete(interestId) }],
      notInterested: [{ path: sitePaths.forms.notInterested(), form: { paperId: fx.papers[2].id } }],
      resolveReport: [{ path: sitePaths.forms.resolveReport(reportId), who: 'mod', form: { action: 'dismiss' } }],
      decideClaim: [{ path: sitePaths.forms.decideClaim(claimId), who: 'mod', form: { decision: 'approve' } }],
      // Once the claim is approved, ada is a verified author and may set the paper's links.
      authorLinks: [{ path: sitePaths.forms.authorLinks(), form: { paper, code: 'https://github.com/example/repo' } }],
      revokeClaim: [{ path: sitePaths.forms.revokeClaim(claimId), who: 'mod', form: { note: 'test' } }],
      decideOrg: [{ path: sitePaths.forms.decideOrg(orgId), who: 'mod', form: { decision: 'list' } }],
      hidePaper: [{ path: sitePaths.forms.hidePaper(), who: 'mod', form: { paperId: fx.papers[4].id, reason: 'test' } }],
      banUser: [{ path: sitePaths.forms.banUser(), who: 'mod', form: { username: 'bob', reason: 'test' } }],
    };
    const kinds = (o: object) => Object.keys(o).filter((k) => !['feeds', 'forms', 'api'].includes(k));
    assert.deepEqual(kinds(sitePaths).filter((k) => !(k in pages)), [], 'every page kind has a case here');
    assert.deepEqual(Object.keys(sitePaths.forms).filter((k) => !(k in forms)), [], 'every form kind has a case here');
    const clients = { ada: () => ada, mod: () => mod, anon: () => anon };

    for (const [kind, list] of Object.entries(pages)) {
      for (const c of list) {
        const who = c.who ?? 'ada';
        const r = await follow(clients[who](), 'GET', c.path);
        assert.equal(r.status, 200, `${kind}: GET ${c.path} as ${who} (ended at ${r.path}) answered ${r.status}`);
        if (signedIn.has(kind)) {
          const a = await follow(new Client(app.url), 'GET', c.path);
          assert.equal(a.first, 303, `${kind}: an anonymous GET ${c.path} is sent to log in (answered ${a.first})`);
          assert.equal(a.location, sitePaths.login(c.path), `${kind}: the log-in page comes back to ${c.path}`);
          assert.equal(a.status, 200);
        }
        if (moderators.has(kind)) assert.equal((await ada.get(c.path)).status, 403, `${kind}: a member is refused ${c.path}`);
      }
    }
    // Last the forms, which change what the pages above show (a ban, a hidden paper, a log-out).
    for (const [kind, list] of Object.entries(forms)) {
      for (const c of list) {
        const who = c.who ?? 'ada';
        const r = await follow(clients[who](), 'POST', c.path, c.form);
        assert.equal(r.status, 200, `${kind}: POST ${c.path} as ${who} (ended at ${r.path}) answered ${r.status}`);
        // The import answers with its report (what matched, line by line) rather than a redirect.
        if (kind !== 'collectionImport') assert.ok(r.first >= 300 && r.first < 400, `${kind}: POST ${c.path} redirects back (post/redirect/get), answered ${r.first}`);
      }
    }
    const leaving = await loggedIn(app, 'leaving');
    const out = await follow(leaving, 'POST', sitePaths.forms.logoutEverywhere());
    assert.equal(out.status, 200, `logoutEverywhere answered ${out.status} at ${out.path}`);
  });

  test('the paths the site builds for its feeds answer as RSS and Atom', async () => {
    const feedCases: Record<string, string> = {
      daily: sitePaths.feeds.daily(),
      trending: sitePaths.feeds.trending(),
      search: `${sitePaths.feeds.search()}.rss?q=attention`,
      category: sitePaths.feeds.category('cs.LG'),
      collection: sitePaths.feeds.collection(fx.publicCollection),
    };
    assert.deepEqual(Object.keys(sitePaths.feeds).filter((k) => !(k in feedCases)), [], 'every feed kind has a case here');
    for (const [kind, path] of Object.entries(feedCases)) {
      for (const url of path.includes('.rss') ? [path] : [`${path}.rss`, `${path}.atom`]) {
        const r = await anon.get(url);
        assert.equal(r.status, 200, `feed ${kind}: ${url} answered ${r.status}`);
      }
    }
  });

  test('the API path the upvote script calls answers a signed-in reader', async () => {
    assert.deepEqual(Object.keys(sitePaths.api), ['paperUpvote'], 'every API path the site builds has a case here');
    const r = await ada.post(sitePaths.api.paperUpvote(fx.papers[5].id), {});
    assert.equal(r.status, 200, r.text);
    // The script finds that path from a card button's formaction (or the paper page form's action).
    for (const id of [fx.papers[5].id, 'hep-th/9901001', 'acl:2024.acl-long.1', 'a b?c#d']) assert.equal(upvoteApiPathOf(sitePaths.forms.paperUpvote(id)), sitePaths.api.paperUpvote(id), id);
    for (const other of [sitePaths.forms.papersSeen(), '/papers/2501.00001', '/papers/x/upvote?next=/', 'https://evil.example/papers/x/upvote', '']) assert.equal(upvoteApiPathOf(other), null, other);
    const viaForm = await ada.post(upvoteApiPathOf(sitePaths.forms.paperUpvote(fx.papers[5].id))!, {});
    assert.equal(viaForm.status, 200, viaForm.text);
  });

  test('feeds link to pages the site serves (the category feed once pointed to a 404)', async () => {
    for (const feed of ['/feeds/daily.atom', '/feeds/trending.atom', '/feeds/category/cs.LG.atom', '/feeds/search.atom?q=attention', `/feeds/collection/${fx.publicCollection}.atom`]) {
      const xml = (await anon.get(feed)).text;
      const pages = [...new Set([...xml.matchAll(/<link rel="alternate" type="text\/html" href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')))];
      assert.ok(pages.length, `${feed} has alternate links`);
      for (const page of pages) {
        const u = new URL(page);
        const r = await follow(anon, 'GET', u.pathname + u.search);
        assert.equal(r.status, 200, `${feed} links to ${page}, which answered ${r.status}`);
      }
    }
  });
});
