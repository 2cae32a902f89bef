import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { ServiceError } from '../../src/services/errors.ts';

// A moderator takes back an approved claim: the mark, that account's links and its profile listing go; the reader is told.
forEachStore('revoking an approved author claim', (ctx) => {
  let app: TestApp;
  let admin: Client;
  const paper = makePaper({ authors: ['Real Author', 'Co Author'], abstract: 'Code at https://github.com/harvested/repo for all.' });
  before(async () => {
    app = await startTestApp(ctx.store);
    await ctx.store.papers.upsertMany([paper]);
    await ctx.store.feed.addMany([{ paperId: paper.id, day: '2026-11-20' }]);
    admin = await loggedIn(app, 'mod');
    await ctx.store.users.setRole((await ctx.store.users.byUsername('mod'))!.id, 'admin');
  });
  after(() => app.close());

  const approvedClaim = async (who: Client, authorName: string) => {
    const r = await who.post(`/api/papers/${paper.id}/claims`, { authorName });
    assert.equal(r.status, 201);
    assert.equal((await admin.post(`/api/admin/claims/${r.json.id}/decide`, { decision: 'approve' })).status, 200);
    return r.json.id as number;
  };
  const links = (who: Client, body: unknown) => who.request('PUT', `/api/papers/${paper.id}/links`, { json: body });

  test('only moderators revoke: a reader gets 403 (API, form and service), a visitor 401; the claim stays approved', async () => {
    const squatter = await loggedIn(app, 'squatter');
    const id = await approvedClaim(squatter, 'Real Author');
    const reader = await loggedIn(app, 'reader');
    assert.equal((await reader.post(`/api/admin/claims/${id}/revoke`, {})).status, 403);
    assert.equal((await reader.postForm(`/admin/claims/${id}/revoke`, { note: 'x' })).status, 403);
    assert.equal((await squatter.post(`/api/admin/claims/${id}/revoke`, {})).status, 403, 'not even their own');
    assert.equal((await new Client(app.url).post(`/api/admin/claims/${id}/revoke`, {})).status, 401);
    const readerUser = (await ctx.store.users.byUsername('reader'))!;
    await assert.rejects(app.services.claims.revoke(readerUser, id), (e: unknown) => e instanceof ServiceError && e.status === 403, 'the service checks too');
    await assert.rejects(app.services.claims.approved(readerUser), (e: unknown) => e instanceof ServiceError && e.status === 403);
    assert.equal((await squatter.get(`/api/papers/${paper.id}/claims`)).json.claims[0].status, 'approved');
    assert.equal((await admin.post(`/api/admin/claims/${id}/revoke`, { note: 'x\u0000y' })).status, 400, 'NUL byte in the note');
    assert.equal((await admin.post(`/api/admin/claims/${id}/revoke`, { note: 'n'.repeat(501) })).status, 400, 'note over its cap');
  });

  test("a moderator revokes from /admin/claims: mark, that account's links and profile listing go; audit-logged; the claimant is told once", async () => {
    const squatter = await loggedIn(app, 'squatter');
    const id = (await squatter.get(`/api/papers/${paper.id}/claims`)).json.claims[0].id as number;
    const co = await loggedIn(app, 'coauthor');
    await approvedClaim(co, 'Co Author');
    assert.equal((await links(squatter, { code: 'https://github.com/squatter/fake', project: 'https://squatter.example.org/' })).status, 200);
    assert.equal((await links(co, { project: 'https://coauthor.example.org/' })).status, 200, 'the co-author replaces the project link');
    assert.equal((await new Client(app.url).get(`/api/papers/${paper.id}`)).json.githubRepo, 'https://github.com/squatter/fake');

    const queue = (await admin.get('/admin/claims')).text;
    assert.match(queue, /<h2 id="approved">Verified authors<\/h2>/);
    assert.match(queue, new RegExp(`action="/admin/claims/${id}/revoke"`), 'a revoke form per approved claim');
    assert.match(queue, /Revoke<span class="vh"> squatter as Real Author<\/span>/);

    const sent = await admin.postForm(`/admin/claims/${id}/revoke`, { note: 'not the author' });
    assert.equal(sent.status, 303);
    assert.equal(sent.headers.get('location'), '/admin/claims');
    const after = (await admin.get('/admin/claims')).text;
    assert.match(after, /Revoked: squatter is no longer verified as Real Author/);
    assert.doesNotMatch(after, new RegExp(`action="/admin/claims/${id}/revoke"`), 'no longer listed as approved');

    const anon = new Client(app.url);
    const authorship = (await anon.get(`/api/papers/${paper.id}/authors`)).json;
    assert.deepEqual(authorship.verified, [{ authorName: 'Co Author', user: 'coauthor' }], 'the mark is gone; the co-author keeps theirs');
    assert.equal(authorship.links.code, null, "the revoked account's code link is gone");
    assert.equal(authorship.links.project, 'https://coauthor.example.org/', "the co-author's link stays");
    const page = (await anon.get(`/papers/${paper.id}`)).text;
    assert.doesNotMatch(page, /verified: <a href="\/users\/squatter">/);
    assert.doesNotMatch(page, /squatter\/fake/);
    assert.match(page, /href="https:\/\/github.com\/harvested\/repo"/, 'the harvested link is back');
    assert.equal((await anon.get(`/api/papers/${paper.id}`)).json.githubRepo, 'https://github.com/harvested/repo');
    assert.match((await anon.get('/users/squatter')).text, /Papers as a verified author<\/h2><p>None yet/, 'no longer on the profile');

    const audit = (await admin.get('/api/admin/audit')).json.entries[0];
    assert.equal(audit.action, 'claim.revoke');
    assert.equal(audit.targetId, paper.id);
    assert.match(audit.detail, /not the author/);

    const claim = (await squatter.get(`/api/papers/${paper.id}/claims`)).json.claims[0];
    assert.equal(claim.status, 'revoked');
    assert.equal(claim.decidedBy, 'mod');
    const inbox = (await squatter.get('/api/notifications')).json.notifications as Array<{ kind: string; text: string }>;
    assert.deepEqual(
      inbox.map((n) => [n.kind, /was revoked/.test(n.text), /was approved/.test(n.text)]),
      [
        ['claim_decided', true, false],
        ['claim_decided', false, true],
      ],
      'the revocation is its own notification, after the approval',
    );

    assert.equal((await admin.post(`/api/admin/claims/${id}/revoke`, {})).status, 409, 'revoked once');
    assert.equal((await admin.postForm(`/admin/claims/${id}/revoke`, {})).status, 409);
    assert.equal((await admin.post('/api/admin/claims/999999/revoke', {})).status, 404);
    assert.equal((await squatter.get('/api/notifications')).json.notifications.length, 2, 'told once');
    assert.equal((await squatter.post(`/api/papers/${paper.id}/claims`, { authorName: 'Real Author' })).status, 201, 'a new claim goes to the moderators again');
  });

  test('the API revokes too and answers with the claim', async () => {
    const co = (await ctx.store.users.byUsername('coauthor'))!;
    const id = (await app.services.claims.approved((await ctx.store.users.byUsername('mod'))!)).find((c) => c.userId === co.id)!.id;
    const r = await admin.post(`/api/admin/claims/${id}/revoke`, { note: 'asked to be removed' });
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'revoked');
    assert.equal(r.json.decisionNote, 'asked to be removed');
    assert.deepEqual((await new Client(app.url).get(`/api/papers/${paper.id}/authors`)).json.verified, []);
    assert.equal((await new Client(app.url).get(`/api/papers/${paper.id}/authors`)).json.links.project, null);
  });
});
