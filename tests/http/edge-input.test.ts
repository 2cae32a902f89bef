import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

const MB = 1024 * 1024;

/**
 * Streams up to `totalBytes` of a urlencoded form to `path` in 64 KB chunks (chunked, or with a
 * declared Content-Length) and stops sending once the server answers; returns the status and how
 * much was sent by then.
 */
function streamForm(base: string, path: string, totalBytes: number, declareLength: boolean): Promise<{ status: number; sentBytes: number }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (declareLength) headers['content-length'] = String(totalBytes);
    const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path, headers, agent: false }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, sentBytes: sent });
      });
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const chunk = Buffer.from('email=' + 'a'.repeat(64 * 1024 - 6));
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

forEachStore('edge input', (ctx) => {
  let app: TestApp;
  let alice: Client;
  const paper = makePaper();
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_LOGIN_IP: '1000/60', RATE_LIMIT_COMMENT_USER: '1000/60', RATE_LIMIT_COMMENT_IP: '1000/60', RATE_LIMIT_SIGNUP_IP: '1000/60' });
    await ctx.store.papers.upsertMany([paper]);
    await loggedIn(app, 'root');
    alice = await loggedIn(app, 'alice');
  });
  after(() => app.close());

  // Finding 4: a 200 MB form to /subscribe was buffered whole (1.17 GB RSS) and answered 200.
  test('a 200 MB form is refused with 413 while it streams, on a site route and the API', async () => {
    const rss0 = process.memoryUsage().rss;
    for (const [path, declare] of [['/subscribe', false], ['/subscribe', true], ['/login', false], ['/api/auth/login', false]] as const) {
      const r = await streamForm(app.url, path, 200 * MB, declare);
      assert.equal(r.status, 413, `${path} (content-length declared: ${declare})`);
      assert.ok(r.sentBytes < 40 * MB, `${path}: the answer came after ${Math.round(r.sentBytes / MB)} MB had been sent`);
    }
    assert.ok(process.memoryUsage().rss - rss0 < 150 * MB, 'the server (this process) did not buffer the bodies');
    const page = await fetch(app.url + '/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=' + 'a'.repeat(200_000) });
    assert.equal(page.status, 413);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /larger than 131072 bytes/);
  });

  test('a small chunked form (no Content-Length) is read as usual', async () => {
    const url = new URL(app.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/subscribe', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('email=chunked');
      req.end('%40example.org&frequency=daily');
    });
    // Subscribed: the page answers with post/redirect/get (303), never 413 or 400.
    assert.ok(status === 303 || status === 200, `status ${status}`);
  });

  test('a form within the cap still works: a 10,000-character comment in a non-Latin script', async () => {
    const body = '数'.repeat(10_000);
    const r = await alice.postForm(`/papers/${paper.id}/comments`, { body });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal((await ctx.store.comments.forPaper(paper.id)).at(-1)!.body, body);
  });

  // Finding 5: 10 MB user names each stored a login_failures key (31 MB per attempt).
  test('form fields are capped at the edge; log-in keys do not grow with the input', async () => {
    const countFailures = async () => Number((await ctx.opened.connection.db.selectFrom('login_failures').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await countFailures();
    const anon = new Client(app.url);
    await anon.get('/login');
    const long = await anon.postForm('/login', { username: 'x'.repeat(100_000), password: 'whatever' });
    assert.equal(long.status, 400);
    assert.match(long.text, /username.*at most 254 characters/);
    assert.equal(await countFailures(), before, 'a refused form stores nothing');
    const capped = await anon.postForm('/login', { username: 'y'.repeat(254), password: 'whatever' });
    assert.equal(capped.status, 401);
    const keys = await ctx.opened.connection.db.selectFrom('login_failures').select('key').execute();
    assert.ok(keys.every((k) => k.key.length <= 100), `longest key ${Math.max(...keys.map((k) => k.key.length))}`);
    // Every other form and field has a cap too, unknown fields included.
    await anon.get('/signup');
    for (const [path, form] of [
      ['/signup', { username: 'u'.repeat(300), email: 'a@example.org', password: 'correct horse battery' }],
      ['/signup', { username: 'ok', email: 'e'.repeat(300) + '@example.org', password: 'correct horse battery' }],
      ['/forgot-password', { email: 'e'.repeat(10_000) }],
      ['/subscribe', { email: 'e'.repeat(10_000) }],
      ['/login', { username: 'a', password: 'p', whatever: 'w'.repeat(1_000) }],
    ] as const) {
      const r = await anon.postForm(path, form);
      assert.equal(r.status, 400, `${path}: ${r.status}`);
    }
    for (const [path, form] of [
      [`/papers/${paper.id}/comments`, { body: 'b'.repeat(20_001) }],
      ['/collections', { name: 'n'.repeat(1_000) }],
      ['/collections', { name: 'ok', description: 'd'.repeat(2_001) }],
      ['/settings/mail', { categories: 'cs.AI '.repeat(400) }],
    ] as const) {
      const r = await alice.postForm(path, form);
      assert.equal(r.status, 400, `${path}: ${r.status}`);
    }
  });

  // Finding 11: NUL bytes, ids beyond the integer range and malformed bodies were 500s on PostgreSQL.
  test('NUL bytes in paths, queries and bodies are 400s on every route', async () => {
    const anon = new Client(app.url);
    for (const path of ['/papers/%00', '/api/papers/%00', '/api/papers/2501.00001%00', '/users/%00', '/authors/a%00b', '/search?q=a%00b', '/api/papers/search?q=%00',
      '/api/daily_papers?date=%00', '/collections/%00', '/feeds/category/cs.AI%00.atom', `/papers/${paper.id}/discussion?next=%00`, '/login?next=%00']) {
      const r = await anon.get(path);
      assert.equal(r.status, 400, path);
      assert.match(r.text, /NUL byte/);
    }
    const j = await anon.post('/api/auth/login', { username: 'a\u0000b', password: 'x' });
    assert.equal(j.status, 400);
    assert.equal(j.json.error.code, 'nul_byte');
    const c = await alice.post(`/api/papers/${paper.id}/comments`, { body: 'hello\u0000world' });
    assert.equal(c.status, 400);
    const key = await alice.post(`/api/papers/${paper.id}/comments`, { body: 'fine', ['x\u0000']: 1 });
    assert.equal(key.status, 400);
    await anon.get('/login');
    const f = await anon.postForm('/login', { username: 'a\u0000', password: 'x' });
    assert.equal(f.status, 400);
    assert.match(f.text, /NUL byte/);
    const fc = await alice.postForm(`/papers/${paper.id}/comments`, { body: 'a\u0000' });
    assert.equal(fc.status, 400);
  });

  test('ids beyond the integer range are 400 (API) or 404 (pages), never 500', async () => {
    const anon = new Client(app.url);
    // Eleven digits, and ten that still pass a digit-count check but not PostgreSQL's integer.
    for (const huge of ['99999999999', '4294967296']) {
      for (const [method, path, want] of [
        ['GET', `/api/collections/${huge}`, 400],
        ['PATCH', `/api/comments/${huge}`, 400],
        ['DELETE', `/api/comments/${huge}`, 400],
        ['DELETE', `/api/tokens/${huge}`, 400],
        ['GET', `/collections/${huge}`, 404],
        ['GET', `/comments/${huge}/edit`, 404],
        ['POST', `/comments/${huge}/delete`, 404],
        ['POST', `/following/${huge}/delete`, 404],
        ['GET', `/api/admin/audit?offset=1${'0'.repeat(20)}`, 400],
      ] as const) {
        const r = await alice.request(method, path, method === 'PATCH' ? { json: { body: 'x' } } : method === 'POST' ? { form: {} } : {});
        assert.ok(r.status === want || (path.startsWith('/api/admin') && r.status === 403), `${method} ${path}: ${r.status}`);
      }
    }
    const huge = '4294967296';
    const reply = await alice.post(`/api/papers/${paper.id}/comments`, { body: 'x', parentId: 1e12 });
    assert.equal(reply.status, 400);
    const replyForm = await alice.postForm(`/papers/${paper.id}/comments`, { body: 'x', parentId: huge });
    assert.ok(replyForm.status < 500, `form reply: ${replyForm.status}`);
    const confirm = await anon.get(`/subscribe/confirm?id=${huge}&exp=1&sig=${'a'.repeat(20)}`);
    assert.ok(confirm.status === 400 || confirm.status === 404, `confirm: ${confirm.status}`);
    const unsub = await anon.get(`/unsubscribe?id=${huge}&sig=${'a'.repeat(20)}`);
    assert.ok(unsub.status >= 400 && unsub.status < 500, `unsubscribe: ${unsub.status}`);
  });

  test('malformed multipart, urlencoded and JSON bodies are 400s; what was stored stays', async () => {
    const kept = await alice.post(`/api/papers/${paper.id}/comments`, { body: 'keep me' });
    assert.equal(kept.status, 201);
    const liveBefore = await ctx.store.comments.countLive(paper.id);
    const headers = { cookie: alice.cookieHeader(), 'x-csrf-token': alice.csrf! };
    const cases: Array<[string, string, string]> = [
      [`/papers/${paper.id}/comments`, 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="body"\r\n\r\nunterminated'],
      [`/papers/${paper.id}/comments`, 'multipart/form-data', 'no boundary at all'],
      [`/papers/${paper.id}/comments`, 'application/x-www-form-urlencoded', 'body=%E0%A4%A&x=%%%'],
      [`/papers/${paper.id}/comments`, 'text/plain', 'body=hello'],
      [`/api/papers/${paper.id}/comments`, 'application/json', '{"body": "x"'],
      [`/api/papers/${paper.id}/comments`, 'application/json', '{"body": "\\u0000"}'],
      [`/api/papers/${paper.id}/comments`, 'multipart/form-data; boundary=x', '{"body":"x"}'],
    ];
    for (const [path, type, body] of cases) {
      const r = await fetch(app.url + path, { method: 'POST', headers: { ...headers, 'content-type': type }, body, redirect: 'manual' });
      assert.ok(r.status >= 400 && r.status < 500, `${path} ${type} ${JSON.stringify(body)}: ${r.status}`);
    }
    assert.equal(await ctx.store.comments.countLive(paper.id), liveBefore);
    assert.equal((await ctx.store.comments.get(kept.json.id))!.body, 'keep me');
    assert.equal((await ctx.store.papers.get(paper.id))!.numComments, liveBefore);
  });
});
