import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../src/http/server.ts';
import { loadDemoIfEmpty } from '../../src/services/demo.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { DAYS, seedSite, startSite, type SiteData } from './fixtures.ts';
import { SHOTS, axeViolations, launchChromium } from './browser-kit.ts';
import { MAILBOXES, confirmToken, waitForMail } from '../helpers/community.ts';

/**
 * The site in a real browser (Debian's chromium driven by playwright-core): browsing, search, theme,
 * keyboard, phone width, axe-core on every page in both themes and widths, and hostile content that
 * must never run. Screenshots go to test-artifacts/screenshots/. With PAPERBOY_SITE_CORPUS_DB set to an
 * imported corpus (see BENCHMARKS.md), the page sweep also runs over that store.
 */
const WIDTHS = [1280, 360] as const;
const THEMES = ['light', 'dark'] as const;


function sweepPages(data: SiteData | null, corpus?: { day: string; paperId: string; author: string }): string[] {
  if (corpus) {
    return ['/', `/papers/date/${corpus.day}`, '/papers/week', '/papers/month', '/papers/trending', `/papers/${corpus.paperId}`, '/search?q=neural+network', `/authors/${encodeURIComponent(corpus.author)}`];
  }
  return [
    '/',
    `/papers/date/${DAYS.first}`,
    '/papers/week/2025-W31',
    '/papers/month/2025-08',
    '/papers/trending',
    `/papers/${data!.mathId}`,
    `/papers/${data!.oldStyleId}`,
    `/papers/${data!.hostileId}`,
    '/search?q=attention',
    '/search',
    '/authors/Ada%20Lovelace',
    '/no/such/page',
    '/login',
    '/signup',
  ];
}

const slug = (path: string) => path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'home';

describe('site in a browser', () => {
  let browser: Browser;
  let opened: TestStore;
  let server: RunningServer;
  let data: SiteData;
  const pwned: string[] = [];
  /** Anything the pages' Content-Security-Policy refused: the site's own scripts and styles must all pass it. */
  const cspViolations: string[] = [];

  async function newPage(opts: { width?: number; theme?: 'light' | 'dark'; js?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1280, height: 900 },
      colorScheme: opts.theme ?? 'light',
      javaScriptEnabled: opts.js ?? true,
      baseURL: server.url,
    });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      pwned.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => pwned.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`);
    });
    return { context, page };
  }

  /** Signs up and confirms an account in `page` (the forms work with or without JavaScript); the page is then signed in. */
  async function signUp(page: Page, username: string): Promise<void> {
    await page.goto('/signup');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('E-mail').fill(`${username}@example.org`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.locator('main form button[type=submit]').click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').innerText(), /Check your mail/);
    const token = await waitForMail(MAILBOXES.get(server.url)!, `${username}@example.org`, confirmToken);
    await page.goto(`/confirm-account?token=${token}`);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForLoadState('load');
  }

  /** A card's upvote count: its upvote control's first text node (the ▲ is CSS, the rest is for screen readers). */
  const upvoteCount = (card: ReturnType<Page['locator']>) => card.locator('.upvote button, a.upvote').evaluate((b) => Number(b.firstChild?.textContent));

  before(async () => {
    opened = await createTestStore('sqlite');
    await loadDemoIfEmpty(opened.store);
    data = await seedSite(opened.store);
    server = await startSite(opened.store);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close(1000);
    await opened?.close();
  });

  test('every page, both themes, desktop and phone: zero axe violations, no sideways scrolling', async () => {
    const failures: string[] = [];
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        const { context, page } = await newPage({ width, theme });
        for (const path of sweepPages(data)) {
          const res = await page.goto(path);
          assert.ok(res, path);
          const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          assert.equal(bg === 'rgb(255, 255, 255)', theme === 'light', `${path} ${theme}: background ${bg}`);
          for (const v of await axeViolations(page)) failures.push(`${path} [${theme} ${width}px] ${v}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 0) failures.push(`${path} [${theme} ${width}px] scrolls sideways by ${overflow}px`);
          await page.screenshot({ path: `${SHOTS}/${slug(path)}-${theme}-${width}.png` });
        }
        await context.close();
      }
    }
    assert.deepEqual(failures, []);
  });

  test('browse days: previous/next links, the date picker without JS, and paging to a paper', async () => {
    const { context, page } = await newPage({ js: false });
    await page.goto('/');
    await page.getByRole('link', { name: /previous day/i }).click();
    await page.waitForURL('**/papers/date/2025-08-01');
    await page.getByRole('link', { name: /previous day/i }).click();
    await page.waitForURL(`**/papers/date/${DAYS.first}`);
    await page.getByLabel('Go to day').fill('2025-08-04');
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await page.waitForURL('**/papers/date/2025-08-04');
    await page.getByRole('link', { name: 'Week', exact: true }).click();
    await page.waitForURL('**/papers/week/2025-W32');
    await page.getByRole('link', { name: 'Attention is still all you need' }).click();
    await page.waitForURL('**/papers/2508.00002');
    assert.equal(await page.locator('h1').innerText(), 'Attention is still all you need');
    await context.close();
  });

  test('a paper page shows rendered math, the citation and links to authors', async () => {
    const { context, page } = await newPage();
    await page.goto(`/papers/date/2025-08-01?page=2`); // 69 demo papers come first
    await page.locator(`a[href="/papers/${data.mathId}"]`).first().click();
    await page.waitForURL(`**/papers/${data.mathId}`);
    assert.ok((await page.locator('main math').count()) >= 3, 'title and abstract math render as MathML');
    assert.match(await page.locator('#bibtex').innerText(), /@misc\{turing2025bounds/);
    // The byline's link (the Authors section below lists the name again, with its claim button).
    await page.getByRole('link', { name: 'Alan Turing', exact: true }).first().click();
    await page.waitForURL('**/authors/Alan%20Turing');
    assert.equal(await page.locator('h1').innerText(), 'Alan Turing');
    await page.screenshot({ path: `${SHOTS}/flow-author.png` });
    await context.close();
  });

  test('search: suggestions as you type, highlighted results, filters without JS', async () => {
    const { context, page } = await newPage();
    await page.goto('/');
    const box = page.locator('#site-q');
    await box.pressSequentially('spars', { delay: 20 });
    await page.waitForFunction(() => document.querySelectorAll('#site-q-suggestions option').length > 0);
    assert.equal(await page.locator('#site-q-suggestions option').first().getAttribute('value'), 'Sparse attention for long documents');
    await box.fill('attention');
    await box.press('Enter');
    await page.waitForURL('**/search?q=attention');
    assert.ok((await page.locator('.results mark').count()) > 0);
    await context.close();

    const noJs = await newPage({ js: false });
    await noJs.page.goto('/search?q=attention');
    await noJs.page.getByLabel('Category').selectOption('cs.CL');
    await noJs.page.getByRole('button', { name: 'Search', exact: true }).last().click();
    await noJs.page.waitForURL(/category=cs.CL/);
    assert.deepEqual(await noJs.page.locator('.results h2').allInnerTexts(), ['Sparse attention for long documents']);
    await noJs.context.close();
  });

  test('the theme toggle switches themes and is remembered; j/k move between papers', async () => {
    const { context, page } = await newPage({ theme: 'light' });
    await page.goto('/');
    const toggle = page.locator('#theme-toggle');
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await toggle.locator('.label').textContent(), 'Dark theme', 'the label names the theme in use');
    assert.equal(await toggle.getAttribute('aria-label'), 'Dark theme: switch to light');
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
    await page.screenshot({ path: `${SHOTS}/flow-toggled-dark.png` });

    await page.keyboard.press('j');
    const first = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    await page.keyboard.press('j');
    const second = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    await page.keyboard.press('k');
    const back = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    assert.match(first ?? '', /^\/papers\//);
    assert.notEqual(first, second);
    assert.equal(back, first);
    // Tab reaches the skip link first, and focus is visible.
    await page.goto('/');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none');
    await context.close();
  });

  test('upvote: signed out it leads to log-in; signed in it counts without a reload and stays counted', async () => {
    const { context, page } = await newPage();
    await page.goto(`/papers/date/${DAYS.first}`);
    await page.locator('article').nth(1).locator('a.upvote').click();
    await page.waitForURL(/\/login\?next=/);
    await signUp(page, 'browser_reader');
    await page.goto(`/papers/date/${DAYS.first}`);
    const card = page.locator('article', { has: page.getByRole('link', { name: 'Dense retrieval revisited' }) });
    // The arrow is the stylesheet's, left out of the button's name (which is its count and what it counts).
    assert.match(await card.locator('.upvote button').evaluate((b) => getComputedStyle(b, '::before').content), /▲/);
    await card.getByRole('button', { name: '0 upvotes', pressed: false }).waitFor();
    const marker = await page.evaluate(() => ((window as unknown as { __stay: number }).__stay = Math.random()));
    await card.locator('.upvote button').click();
    await page.waitForFunction(() => document.querySelectorAll('.upvote button[aria-pressed="true"]').length === 1);
    assert.equal(await upvoteCount(card), 1);
    await card.getByRole('button', { name: '1 upvote', pressed: true }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { __stay: number }).__stay), marker, 'no reload');
    await page.reload();
    assert.equal(await upvoteCount(card), 1, 'stored');
    assert.equal(await card.locator('.upvote button').getAttribute('aria-pressed'), 'true', 'shown as yours after a reload');
    for (const v of await axeViolations(page)) pwned.push(`axe (signed in): ${v}`);
    await page.screenshot({ path: `${SHOTS}/flow-upvoted.png` });
    // When the API call fails, the script lets the same click post the form the plain way (once, not in a loop).
    await page.route('**/api/papers/**', (route) => route.fulfill({ status: 503, body: '{}' }));
    const [posted] = await Promise.all([page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/papers/2507.01002/upvote')), card.locator('.upvote button').click()]);
    assert.match(posted.postData() ?? '', /(^|&)action=remove(&|$)/);
    await page.locator('main', { hasText: 'Upvote removed.' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/papers/date/${DAYS.first}`);
    assert.equal(await upvoteCount(card), 0, 'taken back through the form');
    await page.unroute('**/api/papers/**');
    // The paper page's own upvote form (its action names the paper) is upgraded the same way.
    await page.goto('/papers/2507.01002');
    const own = page.locator('main form.upvote button');
    assert.equal(await own.getAttribute('title'), 'Upvote');
    const stay = await page.evaluate(() => ((window as unknown as { __stay: number }).__stay = Math.random()));
    await own.click();
    await page.waitForFunction(() => document.querySelector('main form.upvote button')?.getAttribute('aria-pressed') === 'true');
    assert.equal(await own.evaluate((b) => Number(b.firstChild?.textContent)), 1);
    assert.equal(await own.getAttribute('title'), 'Remove your upvote');
    assert.equal(await page.evaluate(() => (window as unknown as { __stay: number }).__stay), stay, 'no reload');
    await context.close();
    assert.deepEqual(pwned, []);
  });

  test('upvote without JavaScript: a card\'s button posts the shared form and the page comes back with the vote counted', async () => {
    const { context, page } = await newPage({ js: false });
    await signUp(page, 'nojs_reader');
    await page.goto(`/papers/date/${DAYS.first}`);
    const card = page.locator('article', { has: page.getByRole('link', { name: 'Sparse attention for long documents' }) });
    const button = card.locator('.upvote button');
    const before = await upvoteCount(card);
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    // The click posts the list's shared vote form to this card's formaction; the server redirects back here.
    const [posted] = await Promise.all([page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/papers/2507.01001/upvote')), button.click()]);
    assert.match(posted.postData() ?? '', /(^|&)action=add(&|$)/, 'the button\'s value is the state it asks for');
    assert.match(posted.postData() ?? '', /(^|&)_csrf=[^&]+/, 'with the shared form\'s token');
    // Back on the same page (the same URL), so the flash message says the new page has come.
    await page.locator('main', { hasText: 'Upvoted.' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/papers/date/${DAYS.first}`);
    assert.equal(await upvoteCount(card), before + 1, 'counted');
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    await page.reload();
    assert.equal(await upvoteCount(card), before + 1, 'stored');
    // Clicked again it asks to remove the vote, and takes it back.
    await button.click();
    await page.locator('main', { hasText: 'Upvote removed.' }).waitFor();
    assert.equal(await upvoteCount(card), before);
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    await context.close();
  });

  test('hostile content is shown as text and never runs', async () => {
    const { context, page } = await newPage();
    for (const path of [`/papers/${data.hostileId}`, `/papers/date/${DAYS.third}`, '/search?q=attention', '/authors/Robert%20%22)%3B%20DROP%20TABLE%20papers%3B%20--']) {
      await page.goto(path);
      await page.waitForLoadState('load');
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined, path);
      assert.equal(await page.locator('main script, main img, main b, main a[href^="javascript:"]').count(), 0, path);
    }
    await page.goto(`/papers/${data.hostileId}`);
    assert.match(await page.locator('h1').innerText(), /<script>window.__pwned='title'<\/script> Attention/);
    assert.match(await page.locator('.authors').innerText(), /<img src=x onerror="window.__pwned='author'">/);
    await page.screenshot({ path: `${SHOTS}/flow-hostile.png`, fullPage: true });
    assert.deepEqual(pwned, []);
    await context.close();
  });

  test('the Content-Security-Policy: every page above worked without a violation; an injected inline script is refused', async () => {
    assert.deepEqual(cspViolations, []);
    const { context, page } = await newPage();
    await page.goto('/');
    // The theme boot (inline, with the nonce) ran; a script without the nonce does not.
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.head.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __injected?: boolean }).__injected ?? false;
    });
    assert.equal(ran, false, 'an inline script without the nonce ran');
    assert.ok(cspViolations.some((v) => /inline script/i.test(v)), 'the refusal is reported');
    await context.close();
  });
});

describe('site in a browser over the full corpus', { skip: !process.env.PAPERBOY_SITE_CORPUS_DB && 'set PAPERBOY_SITE_CORPUS_DB to an imported corpus to run' }, () => {
  let browser: Browser;
  let opened: OpenedStore;
  let server: RunningServer;

  before(async () => {
    opened = await openStore(process.env.PAPERBOY_SITE_CORPUS_DB!);
    server = await startSite(opened.store);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close(1000);
    await opened?.close();
  });

  test('every page, both themes and widths: zero axe violations', async () => {
    const day = (await opened.store.feed.newestDay())!;
    const [first] = await opened.store.feed.items(day, day, { limit: 1 });
    const corpus = { day, paperId: first.paper.id, author: first.paper.authors[0] ?? 'Nobody' };
    const failures: string[] = [];
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: theme, baseURL: server.url });
        const page = await context.newPage();
        for (const path of sweepPages(null, corpus)) {
          const res = await page.goto(path);
          if (!res || res.status() >= 400) failures.push(`${path}: status ${res?.status()}`);
          for (const v of await axeViolations(page)) failures.push(`${path} [${theme} ${width}px] ${v}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 0) failures.push(`${path} [${theme} ${width}px] scrolls sideways by ${overflow}px`);
          await page.screenshot({ path: `${SHOTS}/corpus-${slug(path)}-${theme}-${width}.png` });
        }
        await context.close();
      }
    }
    assert.deepEqual(failures, []);
  });
});
