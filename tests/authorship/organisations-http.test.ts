import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { startOaiServer } from '../helpers/oai-server.ts';
import { IngestService } from '../../src/services/ingest.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { followReason } from '../../src/domain/discovery.ts';

forEachStore('organisations: from the harvest, declared and confirmed, paged by day, followed', (ctx) => {
  let app: TestApp;
  let oai: Awaited<ReturnType<typeof startOaiServer>>;
  let admin: Client;
  const labPaper = makePaper({ authors: ['Lab Member', 'Other Person'], title: 'Quantum widgets by a lab member' });
  before(async () => {
    oai = await startOaiServer();
    app = await startTestApp(ctx.store, { RATE_LIMIT_CLAIM_USER: '40/3600' });
    admin = await loggedIn(app, 'mod');
    await ctx.store.users.setRole((await ctx.store.users.byUsername('mod'))!.id, 'admin');
    await ctx.store.papers.upsertMany([labPaper]);
    await ctx.store.feed.addMany([{ paperId: labPaper.id, day: '2025-11-20' }]);
  });
  after(async () => {
    await app.close();
    await oai.close();
  });

  test("the harvest stores arXiv's affiliations: the paper links its organisation, whose page lists it by day with upvotes", async () => {
    const config = loadConfig({ ARXIV_OAI_URL: `${oai.url}/oai`, ARXIV_DELAY_MS: '0', PAPERBOY_DB: 'unused' });
    const run = await new IngestService(ctx.store, config, silentLogger).harvestRecorded({ from: '2025-11-17', sets: ['cs'] });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual(await ctx.store.organisations.affiliationsOf('2511.10002'), [{ author: 'Alan Turing', slug: 'bletchley-park', name: 'Bletchley Park' }]);
    const anon = new Client(app.url);
    const paper = await anon.get('/papers/2511.10002');
    assert.match(paper.text, /Alan Turing<\/a><span class="affiliations"> \(<a href="\/orgs\/bletchley-park">Bletchley Park<\/a>\)/, 'one click from the paper');
    const index = await anon.get('/orgs');
    assert.match(index.text, /<a href="\/orgs\/bletchley-park">Bletchley Park<\/a> · 1 paper/);
    assert.match(index.text, /href="\/orgs">Organisations<\/a>/, 'in the footer');
    await (await loggedIn(app, 'voter')).post('/api/papers/2511.10002/upvote');
    const org = await anon.get('/orgs/bletchley-park');
    assert.equal(org.status, 200);
    assert.match(org.text, /<h2><a href="\/papers\/date\/2025-11-1\d">2025-11-1\d<\/a><\/h2>/, 'a heading per feed day');
    assert.match(org.text, /Cross-Listed Language Models/);
    assert.match(org.text, /title="Log in to upvote">1<span class="vh"> upvote, log in to upvote</, 'with its upvotes');
    const api = (await anon.get('/api/orgs/bletchley-park')).json;
    assert.equal(api.organisation.name, 'Bletchley Park');
    assert.deepEqual(api.items.map((i: { paper: { id: string } }) => i.paper.id), ['2511.10002']);
    assert.equal((await anon.get('/orgs/no-such-org')).status, 404);
    assert.equal((await anon.get('/api/orgs/NOT%20A%20SLUG')).status, 400);
    // Harvesting again replaces, not duplicates.
    await new IngestService(ctx.store, config, silentLogger).harvestRecorded({ from: '2025-11-17', sets: ['cs'] });
    assert.equal((await anon.get('/api/orgs')).json.organisations.find((o: { slug: string }) => o.slug === 'bletchley-park').papers, 1);
  });

  test('a declared organisation is hidden until a moderator lists it; then it holds its members’ verified papers', async () => {
    const lee = await loggedIn(app, 'lee');
    const form = await lee.get('/settings/orgs');
    assert.equal(form.status, 200);
    const sent = await lee.postForm('/settings/orgs', { name: '  The Université de   Montréal ', website: 'https://umontreal.example.org/' });
    assert.equal(sent.status, 303);
    assert.match((await lee.get('/settings/orgs')).text, /Université de Montréal \(waiting for a moderator\)/);
    const anon = new Client(app.url);
    assert.equal((await anon.get('/orgs/universite-de-montreal')).status, 404, 'not public while pending');
    assert.doesNotMatch((await anon.get('/orgs')).text, /Montréal/);
    assert.doesNotMatch((await anon.get('/users/lee')).text, /Montréal/);
    assert.equal((await lee.post('/api/following', { kind: 'org', value: 'universite-de-montreal' })).status, 404, 'a pending organisation cannot be followed');

    const claim = await lee.post(`/api/papers/${labPaper.id}/claims`, { authorName: 'Lab Member' });
    await admin.post(`/api/admin/claims/${claim.json.id}/decide`, { decision: 'approve' });

    const dave = await loggedIn(app, 'dave');
    assert.equal((await dave.get('/admin/orgs')).status, 403);
    assert.equal((await dave.get('/api/admin/orgs')).status, 403);
    const pending = (await admin.get('/api/admin/orgs')).json.organisations;
    assert.equal(pending.length, 1);
    assert.equal(pending[0].declaredBy, 'lee');
    assert.equal((await dave.post(`/api/admin/orgs/${pending[0].id}/decide`, { decision: 'list' })).status, 403);
    assert.equal((await dave.postForm(`/admin/orgs/${pending[0].id}/decide`, { decision: 'list' })).status, 403);
    assert.equal((await anon.get('/orgs/universite-de-montreal')).status, 404, 'still pending');
    assert.match((await admin.get('/admin')).text, /New organisations<\/a>: 1 waiting/);
    assert.match((await admin.get('/admin/orgs')).text, /<code>https:\/\/umontreal.example.org\/<\/code>/);
    assert.equal((await admin.postForm(`/admin/orgs/${pending[0].id}/decide`, { decision: 'list' })).status, 303);
    assert.equal((await admin.get('/api/admin/audit')).json.entries[0].action, 'org.list');
    assert.equal((await admin.post(`/api/admin/orgs/${pending[0].id}/decide`, { decision: 'refuse' })).status, 409);

    const page = await anon.get('/orgs/universite-de-montreal');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>The Université de Montréal<\/h1>/, 'the name as declared, spaces collapsed');
    assert.match(page.text, /Quantum widgets by a lab member/, "a member's verified paper");
    assert.match(page.text, /href="\/users\/lee">lee<\/a>/);
    assert.match(page.text, /href="https:\/\/umontreal.example.org\/" rel="nofollow ugc noopener"/);
    assert.match((await anon.get('/users/lee')).text, /href="\/orgs\/universite-de-montreal">The Université de Montréal<\/a>/, 'on the profile');
    // Declaring the same name (any spelling) again joins it.
    const again = await (await loggedIn(app, 'kim')).post('/api/orgs', { name: 'universite de montreal' });
    assert.equal(again.status, 201);
    assert.deepEqual([again.json.slug, again.json.created, again.json.status], ['universite-de-montreal', false, 'listed']);
  });

  test('readers follow an organisation: Following, the digest reason and For you', async () => {
    const bob = await loggedIn(app, 'bob');
    const followed = await bob.postForm('/following', { kind: 'org', value: 'bletchley-park', next: '/orgs/bletchley-park' });
    assert.equal(followed.status, 303);
    assert.equal(followed.headers.get('location'), '/orgs/bletchley-park');
    assert.match((await bob.get('/orgs/bletchley-park')).text, /✓ Following<span class="vh"> Bletchley Park<\/span>/);
    const following = await bob.get('/following?since=2025-11-01');
    assert.match(following.text, /Organisation: <a href="\/orgs\/bletchley-park">Bletchley Park<\/a>/);
    assert.match(following.text, /Cross-Listed Language Models/);
    assert.match(following.text, /Organisation: Bletchley Park/, 'why each paper is there');
    const api = (await bob.get('/api/following?since=2025-11-01')).json;
    assert.deepEqual(api.items.map((i: { paper: { id: string } }) => i.paper.id), ['2511.10002']);
    assert.deepEqual(api.follows.map((f: { kind: string; value: string }) => [f.kind, f.value]), [['org', 'bletchley-park']]);

    // The digest's matching and reason for the same follow.
    const bobId = (await ctx.store.users.byUsername('bob'))!.id;
    const items = await ctx.store.feed.items('2025-11-01', '2025-11-30', { limit: 100 });
    const news = (await app.services.following.newAmong([bobId], items)).get(bobId)!;
    assert.deepEqual(news.map((n) => n.item.paper.id), ['2511.10002']);
    const names = await app.services.following.orgNames(news.flatMap((n) => n.matched));
    assert.equal(followReason(news[0].item.paper, news[0].matched, names), 'from Bletchley Park, which you follow');

    // For you: the organisation's papers stand in like an author interest, and say so.
    const picks = await app.services.forYou.picksFor(bobId, 5);
    assert.equal(picks.coldStart, false);
    assert.ok(picks.picks.length > 0);
    assert.match(picks.picks[0].reason, /close to the work of Bletchley Park, which you follow/);

    assert.equal((await bob.post('/api/following', { kind: 'org', value: 'no-such-org' })).status, 404);
    const bad = await bob.postForm('/following', { kind: 'org', value: '<script>' });
    assert.equal(bad.status, 400);
    assert.doesNotMatch(bad.text, /<script>/);
  });

  test("an organisation's page is paged, newest day first", async () => {
    const many = Array.from({ length: 53 }, (_, i) => makePaper({ title: `Big lab paper ${i}`, authors: ['Big Lab Person'] }));
    await ctx.store.papers.upsertMany(many);
    await ctx.store.feed.addMany(many.map((p, i) => ({ paperId: p.id, day: `2025-10-${String(1 + (i % 28)).padStart(2, '0')}` })));
    await ctx.store.organisations.setHarvested(many.map((p) => ({ paperId: p.id, affiliations: [{ author: 'Big Lab Person', name: 'Big Lab', slug: 'big-lab' }] })));
    const anon = new Client(app.url);
    const first = await anon.get('/orgs/big-lab');
    const second = await anon.get('/orgs/big-lab?page=2');
    assert.equal((first.text.match(/<article/g) ?? []).length, 50);
    assert.match(first.text, /href="\?page=2">Older →/);
    assert.ok(first.text.indexOf('>2025-10-28<') < first.text.indexOf('>2025-10-02<'), 'newest day first');
    assert.ok(!first.text.includes('>2025-10-01<') && second.text.includes('>2025-10-01<'), 'the oldest day on the next page');
    assert.equal((second.text.match(/<article/g) ?? []).length, 3);
    assert.match(second.text, /href="\?page=1">← Newer/);
    const api = (await anon.get('/api/orgs/big-lab?page=2')).json;
    assert.deepEqual([api.items.length, api.hasMore], [3, false]);
    assert.equal((await anon.get('/api/orgs?q=big')).json.organisations[0].papers, 53);
  });

  test('bad declarations are 4xx and escaped: hostile names, websites that are not https, NUL bytes, over-long fields', async () => {
    const mal = await loggedIn(app, 'mal');
    const hostile = await mal.postForm('/settings/orgs', { name: '<script>alert(1)</script> Labs' });
    assert.equal(hostile.status, 303);
    const mine = (await mal.get('/settings/orgs')).text;
    assert.doesNotMatch(mine, /<script>alert\(1\)/);
    assert.match(mine, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Labs/);
    assert.doesNotMatch((await admin.get('/admin/orgs')).text, /<script>alert\(1\)/);
    for (const website of ['javascript:alert(1)', 'http://plain.example.org', 'https://user:pw@x.example.org', `https://x.example.org/${'a'.repeat(500)}`]) {
      assert.equal((await mal.post('/api/orgs', { name: 'Fine Name', website })).status, 400, website);
    }
    assert.equal((await mal.post('/api/orgs', { name: 'Nul\u0000Org' })).status, 400);
    assert.equal((await mal.post('/api/orgs', { name: 'n'.repeat(201) })).status, 400);
    assert.equal((await mal.post('/api/orgs', { name: '!!!' })).status, 400, 'nothing to make a slug of');
    assert.equal((await mal.postForm('/settings/orgs', { name: 'n'.repeat(301) })).status, 400, 'over the form cap');
    assert.equal((await mal.postForm('/settings/orgs', { name: 'n'.repeat(250) })).status, 400);
    assert.equal((await mal.postForm('/settings/orgs', { name: 'Fine' }, { csrf: false })).status, 403, 'CSRF');
    assert.equal((await new Client(app.url).post('/api/orgs', { name: 'Anon Org' })).status, 401);
    assert.equal((await new Client(app.url).get('/settings/orgs')).status, 303, 'the form asks to log in');
    // Refused names stay refused.
    const p = (await admin.get('/api/admin/orgs')).json.organisations.find((o: { name: string }) => o.name.includes('Labs'));
    assert.equal((await admin.post(`/api/admin/orgs/${p.id}/decide`, { decision: 'refuse' })).json.status, 'refused');
    assert.equal((await mal.post('/api/orgs', { name: '<script>alert(1)</script> Labs' })).status, 409);
    assert.equal((await new Client(app.url).get(`/orgs/${p.slug}`)).status, 404);
    assert.equal((await mal.postForm(`/settings/orgs/${p.slug}/leave`, {})).status, 303);
  });
});
