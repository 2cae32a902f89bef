import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

// A verified author's own code and project links win in the API and the Markdown view, as on the page.
forEachStore('author-set links win in /api/papers/{id} and the .md view', (ctx) => {
  let app: TestApp;
  let admin: Client;
  const paper = makePaper({ authors: ['Links Author', 'Co Author'], abstract: 'Code at https://github.com/harvested/repo for all.' });
  before(async () => {
    app = await startTestApp(ctx.store);
    await ctx.store.papers.upsertMany([paper]);
    await ctx.store.feed.addMany([{ paperId: paper.id, day: '2026-11-20' }]);
    // What the code step found: a repository with its stars.
    await ctx.store.enrichment.saveCode(paper.id, ['https://github.com/found/repo'], 'https://github.com/found/repo', 'found/repo');
    await ctx.store.enrichment.saveRepo({ repo: 'found/repo', fullName: 'found/repo', stars: 42, description: null, etag: null, status: 'ok', checkedAt: new Date().toISOString() });
    admin = await loggedIn(app, 'mod');
    await ctx.store.users.setRole((await ctx.store.users.byUsername('mod'))!.id, 'admin');
  });
  after(() => app.close());

  const api = async () => (await new Client(app.url).get(`/api/papers/${paper.id}`)).json;
  const md = async () => (await new Client(app.url).get(`/papers/${paper.id}.md`)).text;

  test('before any author link: the discovered repository and its stars', async () => {
    const p = await api();
    assert.equal(p.githubRepo, 'https://github.com/found/repo');
    assert.equal(p.githubStars, 42);
    assert.equal(p.projectPage, null);
    assert.match(await md(), /\[Code \\\(★ 42\\\)\]\(<https:\/\/github.com\/found\/repo>\)/);
  });

  test("the verified author's links replace the discovered ones; stars of another repository are not claimed for theirs", async () => {
    const author = await loggedIn(app, 'linkauthor');
    const claim = await author.post(`/api/papers/${paper.id}/claims`, { authorName: 'Links Author' });
    assert.equal(claim.status, 201);
    assert.equal((await admin.post(`/api/admin/claims/${claim.json.id}/decide`, { decision: 'approve' })).status, 200);
    const set = await author.request('PUT', `/api/papers/${paper.id}/links`, { json: { code: 'https://github.com/author/own', project: 'https://author.example.org/paper' } });
    assert.equal(set.status, 200);

    const p = await api();
    assert.equal(p.githubRepo, 'https://github.com/author/own');
    assert.equal(p.githubStars, null, 'the 42 stars belong to found/repo');
    assert.equal(p.projectPage, 'https://author.example.org/paper');
    assert.deepEqual(p.links.code, ['https://github.com/author/own']);
    assert.deepEqual(p.links.project, ['https://author.example.org/paper']);
    const text = await md();
    assert.match(text, /\[Code\]\(<https:\/\/github.com\/author\/own>\)/);
    assert.match(text, /\[Project page\]\(<https:\/\/author.example.org\/paper>\)/);
    assert.doesNotMatch(text, /found\/repo|★/);

    // The author points at the discovered repository after all: its stars apply again.
    await author.request('PUT', `/api/papers/${paper.id}/links`, { json: { code: 'https://github.com/Found/Repo' } });
    const again = await api();
    assert.equal(again.githubRepo, 'https://github.com/Found/Repo');
    assert.equal(again.githubStars, 42);
    assert.match(await md(), /\[Code \\\(★ 42\\\)\]\(<https:\/\/github.com\/Found\/Repo>\)/);

    // Cleared: the discovered link is back.
    await author.request('PUT', `/api/papers/${paper.id}/links`, { json: { code: '', project: '' } });
    const cleared = await api();
    assert.equal(cleared.githubRepo, 'https://github.com/found/repo');
    assert.equal(cleared.projectPage, null);
  });
});
