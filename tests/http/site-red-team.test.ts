import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

/**
 * A red-team pass over the site's HTML routes (the JSON API has its own fuzz test): every GET page
 * and every form, signed out and signed in, with payloads aimed at the pages added this round
 * (library import and export, Zotero, reports, read state, search cards, the Markdown view). Each
 * answer must be a 2xx/3xx/4xx (never a 5xx), never echo a payload as live markup, and leave what
 * is stored as it was.
 */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(document.domain)",
  '=HYPERLINK("http://evil.example","x")',
  'a\u0000b',
  '%00%0d%0aSet-Cookie:%20pwned=1',
  '../../../../etc/passwd',
  '{'.repeat(1500), // a URL of two of these stays under Node's 16 KB header limit (beyond it Node itself answers 431)
  '\\u202e\\ud800',
  '9'.repeat(40),
  '-1',
  "' OR 1=1 --",
  '@misc{x, title={' + '{'.repeat(3000) + '}}',
  'TY  - GEN\nTI  - <svg onload=alert(1)>\nER  - ',
];
const LIVE_MARKUP = /<script>alert\(1\)<\/script>|<img src=x onerror|<svg onload/;

const GETS = [
  '/search?q=$',
  '/search?q=transfromer&sort=$',
  '/search?q=x&category=$',
  '/search/suggest?q=$',
  '/?category=$&seen=$',
  '/papers/week?category=$',
  '/papers/$',
  '/papers/$.md',
  '/authors/$',
  '/users/$',
  '/collections/$',
  '/collections/$.bib',
  '/report?target=$&id=$',
  '/report?target=comment&id=$',
  '/login?next=$',
  '/signup?next=$&upvote=$',
  '/confirm-account?token=$&upvote=$',
  '/reset-password?token=$',
  '/feeds/search.rss?q=$',
  '/feeds/category/$.atom',
  '/settings/zotero?done=$',
  '/admin/reports?done=$',
];

forEachStore('site red team: fresh payloads on every page and form', (ctx) => {
  let app: TestApp;
  let reader: Client;
  let collectionId: number;
  const paper = makePaper({ id: '2401.01234' });
  before(async () => {
    app = await startTestApp(ctx.store);
    await ctx.store.papers.upsertMany([paper]);
    reader = await loggedIn(app, 'redteam');
    await ctx.store.users.setRole((await ctx.store.users.byUsername('redteam'))!.id, 'admin');
    collectionId = (await reader.post('/api/collections', { name: 'Target', public: true })).json.id;
    await reader.post(`/api/collections/${collectionId}/papers`, { paperId: paper.id });
  });
  after(() => app.close());

  /** No 5xx; and a document a browser renders (HTML, or XML feeds) never holds a payload as markup. JSON errors may quote input: `application/json` with nosniff is never rendered. */
  const check = (what: string, r: { status: number; text: string; headers?: Headers }) => {
    assert.ok(r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
    const type = r.headers?.get('content-type') ?? 'text/html';
    if (/json/.test(type)) assert.equal(r.headers?.get('x-content-type-options'), 'nosniff', `${what}: JSON without nosniff`);
    else assert.doesNotMatch(r.text, LIVE_MARKUP, `${what} echoes a payload as markup (${type})`);
  };

  test('every GET page, signed out and signed in', async () => {
    const anon = new Client(app.url);
    for (const p of PAYLOADS) {
      for (const route of GETS) {
        const url = route.replaceAll('$', encodeURIComponent(p));
        for (const [who, client] of [['anon', anon], ['reader', reader]] as const) {
          const r = await client.get(url).catch((err: Error) => {
            throw new Error(`${who} GET ${url}: ${err.message} (${(err.cause as Error)?.message})`);
          });
          check(`${who} GET ${url.slice(0, 120)}`, r);
        }
      }
    }
  });

  test('every form of this round, with each payload in each field', async () => {
    await reader.get(`/collections/${collectionId}`); // the page's CSRF token
    const forms: Array<[string, Record<string, string>]> = [
      ['/report', { target: 'paper', id: paper.id, reason: '$', note: '$' }],
      ['/report', { target: '$', id: '$', reason: 'spam' }],
      ['/settings/zotero', { zoteroUser: '$', apiKey: '$' }],
      ['/papers/seen', { paperId: '$', seen: '$' }],
      ['/following', { kind: 'search', value: '$', next: '$' }],
      ['/collections', { name: '$', description: '$', paperId: '$', next: '$' }],
      [`/collections/${collectionId}/settings`, { name: '$' }],
      ['/admin/reports/1/resolve', { action: '$', reason: '$' }],
      ['/confirm-account', { token: '$', upvote: '$' }],
    ];
    for (const p of PAYLOADS) {
      for (const [path, fields] of forms) {
        const filled = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.replaceAll('$', p)]));
        const r = await reader.postForm(path, filled);
        check(`POST ${path} ${JSON.stringify(filled).slice(0, 100)}`, r);
        if (r.status === 303) check(`after POST ${path}`, await reader.get(r.headers.get('location')!.startsWith('/') ? r.headers.get('location')! : '/'));
      }
      // Library import: the payload as a whole file, and inside an entry.
      for (const file of [p, `@article{k, title={${p}}, eprint={${p}}, doi={${p}}}`, `TY  - GEN\nTI  - ${p}\nUR  - ${p}\nER  - `]) {
        const form = new FormData();
        form.set('_csrf', reader.csrf!);
        form.set('file', new Blob([file]), 'x.bib');
        const res = await fetch(`${app.url}/collections/${collectionId}/import`, { method: 'POST', body: form, headers: { cookie: reader.cookieHeader() } });
        check(`import ${JSON.stringify(file).slice(0, 80)}`, { status: res.status, text: await res.text(), headers: res.headers });
      }
    }
    // What was stored is still what it was, and exports stay inert.
    const col = (await reader.get(`/api/collections/${collectionId}`)).json;
    assert.deepEqual(col.papers.map((x: { id: string }) => x.id), [paper.id]);
    for (const ext of ['bib', 'ris', 'csv']) check(`export .${ext}`, await reader.get(`/collections/${collectionId}.${ext}`));
    check('markdown', await reader.get(`/papers/${paper.id}.md`));
  });
});
