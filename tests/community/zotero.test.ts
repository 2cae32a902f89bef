import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { FakeZotero } from '../helpers/zotero-server.ts';
import { zoteroSyncJob } from '../../src/jobs/zotero-sync-job.ts';

const KEY = 'P9NiFoyLeZu2bZNvvuQPDWsd';

forEachStore('a connected Zotero library seeds a collection and For you, kept in step incrementally', (ctx) => {
  let app: TestApp;
  let zotero: FakeZotero;
  const preprint = makePaper({ id: '2106.09685', title: 'LoRA: Low-Rank Adaptation of Large Language Models' });
  const article = makePaper({ id: '1512.03385', title: 'Deep Residual Learning for Image Recognition', doi: '10.1109/CVPR.2016.90' });
  const byTitle = makePaper({ id: '1706.03762', title: 'Attention Is All You Need' });
  const later = makePaper({ id: '2203.02155', title: 'Training language models to follow instructions with human feedback' });

  before(async () => {
    zotero = await new FakeZotero('475425', KEY).start();
    app = await startTestApp(ctx.store, { ZOTERO_API_URL: zotero.url });
    await ctx.store.papers.upsertMany([preprint, article, byTitle, later]);
    zotero.write({
      put: [
        { key: 'AAAA0001', data: { itemType: 'preprint', title: 'LoRA', archiveID: 'arXiv:2106.09685', url: 'http://arxiv.org/abs/2106.09685v2' } },
        { key: 'AAAA0002', data: { itemType: 'journalArticle', title: 'Residual nets', DOI: '10.1109/cvpr.2016.90' } },
        { key: 'AAAA0003', data: { itemType: 'conferencePaper', title: 'Attention is all you need', creators: [{ firstName: 'Ashish', lastName: 'Vaswani' }] } },
        { key: 'AAAA0004', data: { itemType: 'book', title: 'A Book This Instance Does Not Have' } },
        { key: 'AAAA0005', data: { itemType: 'note', note: '<p>my notes on 1706.03762</p>' } },
        { key: 'AAAA0006', data: { itemType: 'attachment', title: 'Full Text PDF', url: 'https://arxiv.org/pdf/2203.02155' } },
      ],
    });
  });
  after(async () => {
    await app.close();
    await zotero.close();
  });

  test('a refused key or unknown user stores nothing; a good one connects, syncs and fills the collection', async () => {
    const reader = await loggedIn(app, 'zoe');
    assert.match((await reader.get('/settings')).text, /href="\/settings\/zotero"/, 'reachable from the settings page');
    await reader.get('/settings/zotero');
    const refused = await reader.postForm('/settings/zotero', { zoteroUser: '475425', apiKey: 'WrongKeyWrongKey00000000' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Zotero refused the API key \(403\)/);
    assert.equal(await app.services.zotero.status((await app.store.users.byUsername('zoe'))!), null, 'nothing kept');
    assert.equal((await reader.get('/api/collections')).json.collections.length, 0, 'no collection made');
    assert.equal((await reader.postForm('/settings/zotero', { zoteroUser: 'me@example.org', apiKey: KEY })).status, 400, 'a user id is a number');
    assert.equal((await reader.postForm('/settings/zotero', { zoteroUser: '475425', apiKey: KEY }, { csrf: false })).status, 403, 'CSRF');

    const ok = await reader.postForm('/settings/zotero', { zoteroUser: '475425', apiKey: KEY });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/settings/zotero?done=connected');
    const page = await reader.get('/settings/zotero?done=connected');
    assert.match(page.text, /3 of 4 items are papers here/, 'notes and attachments are not references');
    assert.doesNotMatch(page.text, new RegExp(KEY), 'the key is never shown back');
    const cols = (await reader.get('/api/collections')).json.collections;
    assert.deepEqual(cols.map((c: { name: string; public: boolean }) => [c.name, c.public]), [['Zotero library', false]]);
    const ids = (await reader.get(`/api/collections/${cols[0].id}`)).json.papers.map((p: { id: string }) => p.id).sort();
    assert.deepEqual(ids, [preprint.id, article.id, byTitle.id].sort());
    const user = (await app.store.users.byUsername('zoe'))!;
    const examples = await app.store.discovery.examples(user.id);
    assert.deepEqual(examples.collected.map((c) => c.collection), ['Zotero library', 'Zotero library', 'Zotero library'], 'the library seeds For you');
    const sent = zotero.requests.filter((r) => r.status === 200 && r.path.includes('/items'));
    assert.ok(sent.every((r) => r.headers['zotero-api-key'] === KEY && r.headers['zotero-api-version'] === '3'));
    assert.ok(sent.every((r) => r.path.includes('itemType=-attachment')), 'attachments and notes are not asked for');
  });

  test('later syncs read only what changed: 304 when nothing did, new items added, deleted ones removed', async () => {
    const reader = await loggedIn(app, 'zoe');
    const user = (await app.store.users.byUsername('zoe'))!;
    const v = (await app.services.zotero.status(user))!.libraryVersion;
    assert.equal(v, zotero.version);
    zotero.requests.length = 0;
    assert.equal((await reader.postForm('/settings/zotero/sync', {})).status, 303);
    assert.deepEqual(zotero.requests.map((r) => r.status), [304]);
    assert.equal(zotero.requests[0].headers['if-modified-since-version'], String(v));

    zotero.write({ put: [{ key: 'AAAA0007', data: { itemType: 'preprint', title: 'RLHF', url: 'https://arxiv.org/abs/2203.02155' } }] });
    zotero.write({ remove: ['AAAA0002'] });
    zotero.requests.length = 0;
    await reader.postForm('/settings/zotero/sync', {});
    assert.ok(zotero.requests[0].path.includes(`since=${v}`), 'incremental');
    assert.ok(zotero.requests.some((r) => r.path.startsWith(`/users/475425/deleted?since=${v}`)));
    const status = (await app.services.zotero.status(user))!;
    const ids = (await reader.get(`/api/collections/${status.collectionId}`)).json.papers.map((p: { id: string }) => p.id).sort();
    assert.deepEqual(ids, [preprint.id, byTitle.id, later.id].sort(), 'added the new one, removed the deleted one');
    assert.equal(status.libraryVersion, zotero.version);
    assert.match((await reader.get('/settings/zotero?done=synced')).text, /3 of 4 items are papers here/);
  });

  test('a large library is read page by page through the Link header', async () => {
    const put = Array.from({ length: 230 }, (_, i) => ({ key: `BULK${String(i).padStart(4, '0')}`, data: { itemType: 'book', title: `Unmatched book ${i}` } }));
    zotero.write({ put });
    zotero.requests.length = 0;
    const user = (await app.store.users.byUsername('zoe'))!;
    await app.services.zotero.sync(user.id);
    const pages = zotero.requests.filter((r) => r.path.includes('/items'));
    assert.deepEqual(pages.map((r) => new URL(r.path, zotero.url).searchParams.get('start') ?? '0'), ['0', '100', '200']);
    assert.equal((await app.services.zotero.status(user))!.items, 234);
  });

  test('a next-page link to another origin is not followed (the key goes only to ZOTERO_API_URL) and fails the sync', async () => {
    const user = (await app.store.users.byUsername('zoe'))!;
    const elsewhere = http.createServer((_req, res) => {
      visits++;
      res.end('[]');
    });
    let visits = 0;
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    try {
      zotero.nextOrigin = `http://localhost:${(elsewhere.address() as AddressInfo).port}`;
      zotero.write({ put: Array.from({ length: 120 }, (_, i) => ({ key: `OFFS${String(i).padStart(4, '0')}`, data: { itemType: 'book', title: `Another book ${i}` } })) });
      const before = (await app.services.zotero.status(user))!;
      const r = await app.services.zotero.sync(user.id);
      assert.equal(visits, 0, 'nothing was asked of the other origin');
      assert.match(r.error ?? '', /next-page link to another host/);
      const after = (await app.services.zotero.status(user))!;
      assert.equal(after.libraryVersion, before.libraryVersion, 'the version does not move past pages unread');
      zotero.nextOrigin = undefined;
      await app.services.zotero.sync(user.id);
      assert.equal((await app.services.zotero.status(user))!.items, before.items + 120, 'the next sync reads every page');
    } finally {
      zotero.nextOrigin = undefined;
      await new Promise<void>((r) => elsewhere.close(() => r()));
    }
  });

  test('rate limits and revoked keys are reported on the page and change nothing; the next sync recovers', async () => {
    const reader = await loggedIn(app, 'zoe');
    const user = (await app.store.users.byUsername('zoe'))!;
    const before = (await app.services.zotero.status(user))!;
    zotero.write({ put: [{ key: 'AAAA0008', data: { itemType: 'preprint', title: 'x', archiveID: 'arXiv:1512.03385' } }] });
    zotero.throttle = { remaining: 1, retryAfter: 30 };
    await reader.postForm('/settings/zotero/sync', {});
    let s = (await app.services.zotero.status(user))!;
    assert.equal(s.libraryVersion, before.libraryVersion, 'the version moves only with a finished sync');
    assert.match((await reader.get('/settings/zotero')).text, /The last sync failed: Zotero asked us to slow down \(429\)/);

    const key = zotero.apiKey;
    zotero.apiKey = 'RevokedRevokedRevoked000';
    const job = await zoteroSyncJob(app.services.zotero, '0 * * * *').run(new AbortController().signal);
    assert.deepEqual(job, { libraries: 1, added: 0, removed: 0, failed: 1 });
    assert.match((await reader.get('/settings/zotero')).text, /The last sync failed: Zotero refused the API key/);

    zotero.apiKey = key;
    const r = await zoteroSyncJob(app.services.zotero, '0 * * * *').run(new AbortController().signal);
    assert.deepEqual(r, { libraries: 1, added: 1, removed: 0, failed: 0 });
    s = (await app.services.zotero.status(user))!;
    assert.equal(s.lastError, null);
    assert.equal(s.libraryVersion, zotero.version);
  });

  test('disconnecting forgets the key and keeps the collection', async () => {
    const reader = await loggedIn(app, 'zoe');
    assert.equal((await reader.postForm('/settings/zotero/disconnect', {})).status, 303);
    assert.match((await reader.get('/settings/zotero')).text, /name="apiKey"/, 'the connect form again');
    assert.equal((await reader.get('/api/collections')).json.collections[0].name, 'Zotero library');
    assert.equal((await new Client(app.url).get('/settings/zotero')).status, 303, 'log-in required');
  });
});
