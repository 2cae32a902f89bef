import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { safeNext } from '../../src/http/views/community/forms.tsx';
import { forEachStore } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';

// Finding 6 of issue 15: `/login?next=/%09/evil.example/x` redirected to `/\t/evil.example/x`,
// which Chromium followed off-site; `%0a`, `%0d` and `%00` were 500s.
const HOSTILE_NEXT = [
  '/\t/evil.example/x', '/\n/evil.example', '/\r/evil.example', '/\u0000x', '//evil.example', '/\\evil.example', '/\\/evil.example',
  '\\\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/.//evil.example', '/..//evil.example', '/%2e%2e//evil.example',
  ' /x', '/x\u007f', `/${'a'.repeat(3000)}`, 'evil.example', '',
];

test('safeNext keeps paths on this site and turns everything else into the fallback', () => {
  for (const next of HOSTILE_NEXT) {
    const out = safeNext(next, '/home');
    assert.ok(out === '/home' || (out.startsWith('/') && !out.startsWith('//') && !/[\\\s]/.test(out)), `${JSON.stringify(next)} -> ${out}`);
    assert.ok(!new URL(out, 'https://paperboy.example').href.includes('evil.example') || new URL(out, 'https://paperboy.example').host === 'paperboy.example', `${JSON.stringify(next)} leaves the site`);
  }
  assert.equal(safeNext('/\t/evil.example/x'), '/');
  assert.equal(safeNext('/.//evil.example'), '/');
  assert.equal(safeNext('/papers/2501.00001/discussion?x=1#c-2'), '/papers/2501.00001/discussion?x=1#c-2');
  assert.equal(safeNext('/papers/hep-th/9901001'), '/papers/hep-th/9901001');
  assert.equal(safeNext('/search?q=a b'), '/search?q=a%20b');
  assert.equal(safeNext(undefined, '/x'), '/x');
});

forEachStore('redirect after log-in', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_LOGIN_IP: '1000/60' });
    await new Client(app.url).signup('walker');
  });
  after(() => app.close());

  test('log-in with a hostile next: a 303 to a path on this site, never a 500', async () => {
    for (const next of ['/%09/evil.example/x', '/%0a/evil.example', '/%0d/evil.example', '//evil.example', '/%5cevil.example', '/%5c%5cevil.example', '/.//evil.example', 'https:%2f%2fevil.example']) {
      const c = new Client(app.url);
      const page = await c.get(`/login?next=${next}`);
      assert.equal(page.status, 200, `GET /login?next=${next}`);
      const hidden = /name="next" value="([^"]*)"/.exec(page.text)?.[1] ?? '/';
      const r = await c.postForm('/login', { username: 'walker', password: 'correct horse battery', next: decodeURIComponent(next) });
      assert.equal(r.status, 303, `${next}: ${r.status}`);
      const location = r.headers.get('location')!;
      assert.equal(new URL(location, app.url).origin, new URL(app.url).origin, `${next} -> ${JSON.stringify(location)}`);
      assert.ok(!location.startsWith('//') && !/[\\\s]/.test(location), `${next} -> ${JSON.stringify(location)}`);
      assert.equal(new URL(hidden.replace(/&amp;/g, '&'), app.url).origin, new URL(app.url).origin);
    }
    const ok = new Client(app.url);
    await ok.get('/login');
    const r = await ok.postForm('/login', { username: 'walker', password: 'correct horse battery', next: '/papers/trending' });
    assert.equal(r.headers.get('location'), '/papers/trending');
  });

  test('in Chromium, logging in from /login?next=/%09/evil.example/x stays on the site', { skip: !fs.existsSync('/usr/bin/chromium') && 'no chromium' }, async () => {
    const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      for (const next of ['/%09/evil.example/x', '/%5C%5Cevil.example/x', '/.//evil.example/x']) {
        const context = await browser.newContext({ baseURL: app.url });
        const page = await context.newPage();
        const offsite: string[] = [];
        page.on('request', (req) => {
          if (!req.url().startsWith(app.url)) offsite.push(req.url());
        });
        await page.goto(`/login?next=${next}`);
        await page.getByLabel(/user ?name/i).fill('walker');
        await page.getByLabel(/password/i).fill('correct horse battery');
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: /log in/i }).click()]);
        await page.waitForLoadState('load');
        assert.equal(new URL(page.url()).origin, new URL(app.url).origin, `${next}: ended at ${page.url()}`);
        assert.deepEqual(offsite, [], `${next}: requests off-site`);
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });
});
