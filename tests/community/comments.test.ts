import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { assertNoActiveAttributes, tagsOf } from '../helpers/html.ts';
import { testDb } from '../helpers/stores.ts';

forEachStore('comments over HTTP', (ctx) => {
  let app: TestApp;
  let admin: Client;
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_COMMENT_USER: '1000/60', RATE_LIMIT_COMMENT_IP: '1000/60' });
    admin = await loggedIn(app, 'root');
    await ctx.store.users.setRole((await ctx.store.users.byUsername('root'))!.id, 'admin');
  });
  after(() => app.close());

  const count = async (id: string) => (await ctx.store.papers.get(id))!.numComments;

  test('threaded comments and replies; papers.num_comments stays exact', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const a = await loggedIn(app, 'alice');
    const b = await loggedIn(app, 'bob');
    const top = await a.post(`/api/papers/${paper.id}/comments`, { body: 'Nice result: $O(n \\log n)$.' });
    assert.equal(top.status, 201);
    assert.match(top.json.html, /<math/);
    const reply = await b.post(`/api/papers/${paper.id}/comments`, { body: 'Agreed.', parentId: top.json.id });
    assert.equal(reply.json.parentId, top.json.id);
    const nested = await a.post(`/api/papers/${paper.id}/comments`, { body: 'Thanks!', parentId: reply.json.id });
    assert.equal(nested.status, 201);
    const list = await new Client(app.url).get(`/api/papers/${paper.id}/comments`);
    assert.equal(list.status, 200);
    assert.equal(list.json.numComments, 3);
    assert.deepEqual(list.json.comments.map((c: { parentId: number | null }) => c.parentId), [null, top.json.id, reply.json.id]);
    assert.equal(await count(paper.id), 3);
    // A parent from another paper is refused.
    const elsewhere = makePaper();
    await ctx.store.papers.upsertMany([elsewhere]);
    const wrong = await a.post(`/api/papers/${elsewhere.id}/comments`, { body: 'x', parentId: top.json.id });
    assert.equal(wrong.status, 400);
    assert.equal((await a.post(`/api/papers/${paper.id}/comments`, { body: '   ' })).status, 400);
    // The page shows the thread nested.
    const page = await new Client(app.url).get(`/papers/${paper.id}/discussion`);
    assert.match(page.text, /3 comments/);
    assert.match(page.text, new RegExp(`id="comment-${top.json.id}"[\\s\\S]*<ol class="replies"><li id="comment-${reply.json.id}"`));
  });

  test('twenty comments posted at once count twenty', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => loggedIn(app, `talker${i}`)));
    const r = await Promise.all(users.map((u, i) => u.post(`/api/papers/${paper.id}/comments`, { body: `comment ${i}` })));
    assert.ok(r.every((x) => x.status === 201));
    assert.equal(await count(paper.id), 20);
    assert.equal(await ctx.store.comments.countLive(paper.id), 20);
  });

  test('hostile comments are rendered inert on the page and in the API', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const m = await loggedIn(app, 'mallory');
    const bodies = [
      '<script>alert("xss")</script>',
      '[win a prize](javascript:alert(document.cookie))',
      '<img src=x onerror=alert(1)>',
      'math: $<img src=y onerror=alert(2)>$ and $\\href{javascript:alert(3)}{x}$',
      '"><svg onload=alert(4)>',
    ];
    for (const body of bodies) assert.equal((await m.post(`/api/papers/${paper.id}/comments`, { body })).status, 201);
    const page = await new Client(app.url).get(`/papers/${paper.id}/discussion`);
    assert.equal(page.status, 200);
    const html = page.text;
    // The only script on the page is the site's own; no comment became an element with behaviour.
    // (The layout's inline theme boot, then its fingerprinted bundle, which carries /community.js's code.)
    const scripts = tagsOf(html).filter((t) => t.tag === 'script').map((t) => t.attrs);
    assert.equal(scripts.length, 2);
    // The inline one runs only because it carries this response's CSP nonce; no comment got one.
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1];
    assert.ok(nonce, 'the page has a CSP with a nonce');
    assert.equal(scripts[0], ` nonce="${nonce}"`);
    assert.equal(html.split(nonce).length - 1, 1, 'the nonce appears once in the page');
    assert.match(scripts[1], /^ src="\/assets\/site\.[\w-]{12}\.js" defer=""$/);
    assert.deepEqual(tagsOf(html).filter((t) => ['img', 'svg', 'iframe'].includes(t.tag)), []);
    assertNoActiveAttributes(html);
    assert.match(html, /&lt;script&gt;alert\(&quot;xss&quot;\)&lt;\/script&gt;|&lt;script&gt;alert\("xss"\)&lt;\/script&gt;/);
    assert.match(html, /<a rel="nofollow ugc noopener">win a prize<\/a>/);
    const api = await new Client(app.url).get(`/api/papers/${paper.id}/comments`);
    for (const c of api.json.comments) {
      assert.deepEqual(tagsOf(c.html).filter((t) => ['script', 'img', 'svg'].includes(t.tag)), []);
      assertNoActiveAttributes(c.html);
    }
  });

  test('edit within the edit window only; delete one\'s own; admins delete any (audited)', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const a = await loggedIn(app, 'alice');
    const b = await loggedIn(app, 'bob');
    const c1 = (await a.post(`/api/papers/${paper.id}/comments`, { body: 'frist' })).json;
    const edited = await a.request('PATCH', `/api/comments/${c1.id}`, { json: { body: 'first' } });
    assert.equal(edited.status, 200);
    assert.equal(edited.json.body, 'first');
    assert.ok(edited.json.editedAt);
    assert.equal((await b.request('PATCH', `/api/comments/${c1.id}`, { json: { body: 'hijack' } })).status, 403);
    // Sixteen minutes later the window has closed.
    await testDb(ctx.store).updateTable('comments').set({ created_at: new Date(Date.now() - 16 * 60_000).toISOString() }).where('id', '=', c1.id).execute();
    const late = await a.request('PATCH', `/api/comments/${c1.id}`, { json: { body: 'too late' } });
    assert.equal(late.status, 403);
    assert.equal(late.json.error.code, 'edit_window_closed');

    const c2 = (await b.post(`/api/papers/${paper.id}/comments`, { body: 'spam spam', parentId: c1.id })).json;
    assert.equal(await count(paper.id), 2);
    assert.equal((await a.delete(`/api/comments/${c2.id}`)).status, 403, 'not yours');
    assert.equal((await a.delete(`/api/comments/${c1.id}`)).status, 204);
    assert.equal(await count(paper.id), 1);
    assert.equal((await a.delete(`/api/comments/${c1.id}`)).status, 404, 'deleting twice does not count twice');
    assert.equal(await count(paper.id), 1);
    // The deleted comment keeps its place so the reply still has a parent.
    const list = (await new Client(app.url).get(`/api/papers/${paper.id}/comments`)).json;
    assert.deepEqual(list.comments.map((c: { deleted: boolean; body: string; author: string | null }) => [c.deleted, c.body, c.author]), [[true, '', null], [false, 'spam spam', 'bob']]);

    // The admin removes bob's comment from the page (form), and the audit log says so.
    const page = await admin.get(`/papers/${paper.id}/discussion`);
    assert.match(page.text, /Delete \(admin\)/);
    const del = await admin.postForm(`/comments/${c2.id}/delete`, { next: `/papers/${paper.id}/discussion` });
    assert.equal(del.status, 303);
    assert.equal(await count(paper.id), 0);
    const audit = (await admin.get('/api/admin/audit')).json.entries;
    assert.equal(audit[0].action, 'comment.delete');
    assert.equal(audit[0].actor, 'root');
    assert.equal(audit[0].targetId, String(c2.id));
    assert.ok(Date.parse(audit[0].createdAt) > Date.now() - 60_000);
  });

  test('comments through the HTML forms, and the comment rate limit', async () => {
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    const strict = await startTestApp(ctx.store, { RATE_LIMIT_COMMENT_USER: '2/60' });
    try {
      const u = await loggedIn(strict, 'formuser');
      const r = await u.postForm(`/papers/${paper.id}/comments`, { body: 'from a **form**', next: `/papers/${paper.id}/discussion` });
      assert.equal(r.status, 303);
      assert.match(r.headers.get('location')!, new RegExp(`^/papers/${paper.id.replace('.', '\\.')}/discussion#comment-\\d+$`));
      const reply = await u.postForm(`/papers/${paper.id}/comments`, { body: 'reply', parentId: r.headers.get('location')!.split('-').pop()! });
      assert.equal(reply.status, 303);
      const third = await u.postForm(`/papers/${paper.id}/comments`, { body: 'one too many' });
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
      assert.equal(await count(paper.id), 2);
    } finally {
      await strict.close();
    }
  });
});
