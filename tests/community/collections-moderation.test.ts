import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

forEachStore('collections over HTTP', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store);
  });
  after(() => app.close());

  test('public and private collections: create, add, remove, read; only the owner changes them', async () => {
    const [p1, p2] = [makePaper(), makePaper({ id: 'hep-th/9901002' })];
    await ctx.store.papers.upsertMany([p1, p2]);
    const owner = await loggedIn(app, 'olga');
    const other = await loggedIn(app, 'oscar');
    const pub = await owner.post('/api/collections', { name: 'Reading <group>', description: 'weekly', public: true });
    assert.equal(pub.status, 201);
    const priv = (await owner.post('/api/collections', { name: 'Secret', public: false })).json;
    assert.equal((await owner.post(`/api/collections/${pub.json.id}/papers`, { paperId: p1.id })).json.paperCount, 1);
    assert.equal((await owner.post(`/api/collections/${pub.json.id}/papers`, { paperId: 'hep-th/9901002' })).json.paperCount, 2);
    assert.equal((await owner.post(`/api/collections/${pub.json.id}/papers`, { paperId: p1.id })).json.paperCount, 2, 'adding twice keeps one');
    await owner.post(`/api/collections/${priv.id}/papers`, { paperId: p2.id });

    const anon = new Client(app.url);
    const read = await anon.get(`/api/collections/${pub.json.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.json.papers.map((p: { id: string }) => p.id).sort(), [p1.id, p2.id].sort());
    assert.equal((await anon.get(`/api/collections/${priv.id}`)).status, 404, 'private collections look missing');
    assert.equal((await other.get(`/api/collections/${priv.id}`)).status, 404);
    assert.equal((await owner.get(`/api/collections/${priv.id}`)).status, 200);
    assert.equal((await other.post(`/api/collections/${pub.json.id}/papers`, { paperId: p1.id })).status, 403);
    assert.deepEqual((await anon.get('/api/collections?user=olga')).json.collections.map((c: { name: string }) => c.name), ['Reading <group>']);
    assert.equal((await owner.get('/api/collections')).json.collections.length, 2);

    const removed = await owner.delete(`/api/collections/${pub.json.id}/papers/${encodeURIComponent('hep-th/9901002')}`);
    assert.equal(removed.status, 200);
    assert.equal(removed.json.paperCount, 1);
    const page = await anon.get(`/collections/${pub.json.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Reading &lt;group&gt;<\/h1>/, 'names are escaped');
    assert.equal((await anon.get(`/collections/${priv.id}`)).status, 404);
  });

  test('the picker on the paper page adds and removes with plain forms, and starts a new collection', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const u = await loggedIn(app, 'pia');
    const next = `/papers/${paper.id}/discussion`;
    const created = await u.postForm('/collections', { name: 'Favourites', paperId: paper.id, next });
    assert.equal(created.status, 303);
    assert.equal(created.headers.get('location'), next);
    const page = await u.get(next);
    assert.match(page.text, /Remove from “Favourites”/);
    const col = (await u.get('/api/collections')).json.collections[0];
    assert.equal(col.paperCount, 1);
    await u.postForm(`/collections/${col.id}/papers`, { paperId: paper.id, action: 'remove', next });
    assert.match((await u.get(next)).text, /Add to “Favourites”/);
    assert.equal((await u.get(`/api/collections/${col.id}`)).json.collection.paperCount, 0);
    // The site's paper page carries the same picker.
    const paperPage = await u.get(`/papers/${paper.id}`);
    assert.equal(paperPage.status, 200);
    assert.match(paperPage.text, /Add to “Favourites”/);
    const add = await u.postForm(`/collections/${col.id}/papers`, { paperId: paper.id, action: 'add', next: `/papers/${paper.id}` });
    assert.equal(add.headers.get('location'), `/papers/${paper.id}`);
    assert.match((await u.get(`/papers/${paper.id}`)).text, /Remove from “Favourites”/);
  });
});

forEachStore('moderation over HTTP', (ctx) => {
  let app: TestApp;
  let admin: Client;
  before(async () => {
    app = await startTestApp(ctx.store);
    admin = await loggedIn(app, 'boss');
    await app.services.moderation.promote(null, 'boss'); // admins are promoted, never made by sign-up order
  });
  after(() => app.close());

  test('a promoted account is the admin; members (even the first) cannot moderate', async () => {
    assert.equal((await ctx.store.users.byUsername('boss'))!.role, 'admin');
    const m = await loggedIn(app, 'member1');
    assert.equal((await m.get('/admin')).status, 403);
    assert.equal((await m.post('/api/admin/users/boss/ban')).status, 403);
    assert.equal((await m.get('/api/admin/audit')).status, 403);
  });

  test('hiding a paper takes it off the feed; every action is in the audit log with who, what and when', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    await ctx.store.feed.addMany([{ paperId: paper.id, day: '2026-11-20' }]);
    assert.equal((await ctx.store.feed.items('2026-11-20', '2026-11-20')).length, 1);
    const started = Date.now();
    assert.equal((await admin.post(`/api/admin/papers/${paper.id}/hide`, { reason: 'duplicate' })).status, 204);
    assert.equal((await ctx.store.feed.items('2026-11-20', '2026-11-20')).length, 0);
    assert.equal((await new Client(app.url).get(`/papers/${paper.id}/discussion`)).status, 404);
    // Through the admin page (a plain form) it comes back.
    await admin.get('/admin');
    const back = await admin.postForm('/admin/papers/hide', { paperId: paper.id, unhide: '1' });
    assert.equal(back.status, 303, 'post/redirect/get');
    assert.match((await admin.get('/admin')).text, /is visible again/);
    assert.equal((await ctx.store.feed.items('2026-11-20', '2026-11-20')).length, 1);

    const m = await loggedIn(app, 'troll');
    const ban = await admin.postForm('/admin/users/ban', { username: 'troll', reason: 'abuse' });
    assert.equal(ban.status, 303);
    assert.equal((await m.get('/api/auth/session')).status, 401);
    assert.equal((await admin.post('/api/admin/users/boss/ban')).status, 400, 'admins cannot ban themselves');

    const entries = (await admin.get('/api/admin/audit')).json.entries;
    assert.deepEqual(entries.slice(0, 3).map((e: { action: string; actor: string; targetId: string }) => [e.action, e.actor, e.targetId]), [
      ['user.ban', 'boss', 'troll'],
      ['paper.unhide', 'boss', paper.id],
      ['paper.hide', 'boss', paper.id],
    ]);
    for (const e of entries.slice(0, 3)) assert.ok(Date.parse(e.createdAt) >= started - 1000);
    assert.match(entries[2].detail, /duplicate/);
    const page = await admin.get('/admin');
    assert.match(page.text, /user\.ban/);
  });

  test('`paperboy users promote <name>` makes an admin, and is audited', async (t) => {
    const location = ctx.opened.location;
    if (!location) return t.skip('PGlite store: no location another process could open');
    await ctx.store.users.create({ username: 'newmod', email: 'newmod@example.org', passwordHash: 'x' });
    const { log, error } = console;
    console.log = () => {};
    console.error = () => {};
    try {
      assert.equal(await main(['users', 'promote', 'newmod', '--db', location]), 0);
      assert.equal(await main(['users', 'promote', 'nobody-at-all', '--db', location]), 1);
      assert.equal(await main(['users', 'demote', 'newmod', '--db', location]), 2);
    } finally {
      console.log = log;
      console.error = error;
    }
    assert.equal((await ctx.store.users.byUsername('newmod'))!.role, 'admin');
    const [latest] = await ctx.store.auditLog.recent(1);
    assert.deepEqual([latest.action, latest.actorName, latest.targetId], ['user.promote', 'cli', 'newmod']);
  });
});
