import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../src/http/server.ts';
import { loadDemoIfEmpty } from '../../src/services/demo.ts';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { startSite } from './fixtures.ts';
import { SHOTS, axeViolations, launchChromium } from './browser-kit.ts';
import { MAILBOXES, waitForMail } from '../helpers/community.ts';

/**
 * Issue 16's "done when": a new reader walks from the home page to every feature by clicks only —
 * upvote (carried through sign-up), sign up, comment, follow an author from a paper page, a
 * collection, For you, Following, subscribe, a feed, the API docs, delete with confirmation, search
 * cards with the count and "did you mean", a category filter, hide seen, log out — at 1280 and 390 px in both themes, with axe-core on every page it reaches (zero violations).
 * The only URLs typed are the home page's and the sign-up link read from the mail. Screenshots go to test-artifacts/screenshots/walk-*.
 */
const PAPER = 'Guiding Giants: Lightweight Controllers for Weighted Activation Steering in LLMs';
const AUTHOR = 'Amr Hegazy';


describe('a new reader reaches every feature by clicking', () => {
  let browser: Browser;
  let opened: TestStore;
  let server: RunningServer;

  before(async () => {
    opened = await createTestStore('sqlite');
    await loadDemoIfEmpty(opened.store);
    server = await startSite(opened.store);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close(1000);
    await opened?.close();
  });

  for (const width of [1280, 390] as const) {
    for (const theme of ['light', 'dark'] as const) {
      test(`${width} px, ${theme} theme`, async () => {
        const user = `walker_${width}_${theme}`;
        const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 }, colorScheme: theme, baseURL: server.url });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        // Signed-in pages too must keep the Content-Security-Policy (nothing of the site's refused).
        page.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
        });
        const failures: string[] = [];
        let step = 0;
        /** axe on the page the walk has reached, and a screenshot of it. */
        const check = async (what: string) => {
          await page.waitForLoadState('load');
          for (const v of await axeViolations(page)) failures.push(`${what} (${new URL(page.url()).pathname}) ${v}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 0) failures.push(`${what}: scrolls sideways by ${overflow}px`);
          await page.screenshot({ path: `${SHOTS}/walk-${width}-${theme}-${String(++step).padStart(2, '0')}-${what.replace(/[^a-z0-9]+/gi, '-')}.png` });
        };
        const main = page.locator('main');
        const header = page.locator('header.site-header');
        const footer = page.locator('footer.site-footer');
        const flash = page.locator('.flash');

        await page.goto('/');
        await check('home');
        if (width === 390) {
          const top = await page.evaluate(() => document.querySelector('.feed .card')!.getBoundingClientRect().top);
          assert.ok(top < 450, `on a phone the first paper starts ${top}px down`);
        }
        // The theme toggle names the theme in use, and the name changes with it.
        const toggle = page.locator('#theme-toggle');
        assert.equal(await toggle.locator('.label').textContent(), theme === 'dark' ? 'Dark theme' : 'Light theme');

        // Upvote while signed out: the log-in page explains, sign-up carries the vote.
        const firstCard = main.locator('.feed .card').first();
        await firstCard.locator('a.upvote').click();
        await page.waitForURL(/\/login\?/);
        assert.match(await main.locator('.notice').innerText(), /your upvote is counted/);
        await check('login-to-upvote');
        await main.getByRole('link', { name: 'Sign up' }).click();
        await page.waitForURL(/\/signup\?/);
        await main.getByLabel('Username').fill(user);
        await main.getByLabel('E-mail').fill(`${user}@example.org`);
        await main.getByLabel('Password').fill('a long enough password');
        await main.getByRole('button', { name: 'Create account' }).click();
        // The account is made from the mailed link (its GET shows a button; the button makes it).
        assert.match(await main.locator('h1').innerText(), /Check your mail/);
        await check('check-your-mail');
        const link = await waitForMail(MAILBOXES.get(server.url)!, `${user}@example.org`, (t) => /http\S+\/confirm-account\?\S+/.exec(t)?.[0]);
        // The link names PUBLIC_URL; this test server listens on a port of its own.
        const mailed = new URL(link);
        await page.goto(mailed.pathname + mailed.search);
        await check('confirm-account');
        await main.getByRole('button', { name: 'Create my account' }).click();
        await page.waitForURL(`${server.url}/`);
        assert.match(await flash.innerText(), new RegExp(`Welcome to Paperboy, ${user}! Your upvote is counted`));
        assert.equal(await main.locator('.feed .card').first().locator('.upvote button').getAttribute('aria-pressed'), 'true');
        await check('signed-up');

        // A paper page: comment, follow an author, save to a new collection.
        await main.getByRole('link', { name: PAPER }).click();
        await page.waitForURL(/\/papers\/2505\.20309$/);
        await check('paper');
        await main.getByLabel(/Add a comment/).fill(`Read this on a walk at ${width}px.`);
        await main.getByRole('button', { name: 'Comment', exact: true }).click();
        await page.waitForURL(/\/papers\/2505\.20309/);
        assert.equal(await flash.innerText(), 'Comment posted.');
        await main.getByRole('button', { name: `+ Follow ${AUTHOR}` }).click();
        await page.waitForURL(/\/papers\/2505\.20309$/);
        assert.match(await flash.innerText(), new RegExp(`You follow ${AUTHOR}`));
        assert.equal(await main.getByRole('button', { name: `✓ Following ${AUTHOR}` }).count(), 1);
        await main.getByLabel('New collection').fill(`Walk ${width} ${theme}`);
        await main.getByRole('button', { name: 'Create and add' }).click();
        await page.waitForURL(/\/papers\/2505\.20309$/);
        assert.match(await flash.innerText(), /Collection “Walk .*” created, with this paper in it\./);
        await check('paper-after-actions');

        // For you and Following from the header.
        await header.getByRole('link', { name: 'For you' }).click();
        await page.waitForURL(/\/papers\/for-you$/);
        assert.equal(await main.locator('h1').innerText(), 'For you');
        await check('for-you');
        await header.getByRole('link', { name: 'Following' }).click();
        await page.waitForURL(/\/following$/);
        assert.match(await main.innerText(), new RegExp(`Author: ${AUTHOR}`));
        await check('following');

        // Subscribe from the footer.
        await footer.getByRole('link', { name: 'Email digest' }).click();
        await page.waitForURL(/\/subscribe$/);
        await check('subscribe');
        await main.getByLabel(/mail/i).first().fill(`${user}@example.org`);
        await main.getByRole('button', { name: /Subscribe/ }).click();
        await page.waitForURL(/\/subscribe\/sent$/);
        assert.match(await flash.innerText(), /a confirmation link is on its way/);
        await check('subscribed');

        // A feed, from the links every list page shows.
        await header.getByRole('link', { name: 'Daily Papers' }).click();
        await page.waitForURL(`${server.url}/`);
        const [feed] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/feeds/daily.rss')), main.getByRole('link', { name: 'RSS feed: Daily papers' }).click().catch(() => undefined)]);
        assert.equal(feed.status(), 200);
        assert.match(await feed.text(), /<rss version="2.0"/);
        if (!page.url().endsWith('/')) await page.goBack();
        await page.waitForURL(`${server.url}/`);

        // The API docs, from the footer.
        await footer.getByRole('link', { name: 'API docs' }).click();
        await page.waitForURL(/\/docs\/api$/);
        await check('api-docs');

        // The account: settings, the collection, delete it (asked first).
        await header.getByRole('link', { name: user }).click();
        await page.waitForURL(/\/settings$/);
        await check('settings');
        await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Collections' }).click();
        await page.waitForURL(/\/collections$/);
        await main.getByRole('link', { name: `Walk ${width} ${theme}` }).click();
        await page.waitForURL(/\/collections\/\d+$/);
        await check('collection');
        await main.getByRole('link', { name: 'Delete this collection…' }).click();
        await page.waitForURL(/\/collections\/\d+\/delete$/);
        await check('confirm-delete-collection');
        await main.getByRole('button', { name: 'Delete collection' }).click();
        await page.waitForURL(/\/collections$/);
        assert.equal(await flash.innerText(), 'Collection deleted.');
        assert.equal(await main.getByRole('link', { name: `Walk ${width} ${theme}` }).count(), 0);

        // Delete the comment (asked first), back from the home page.
        await header.getByRole('link', { name: 'Daily Papers' }).click();
        await main.getByRole('link', { name: PAPER }).click();
        await page.waitForURL(/\/papers\/2505\.20309$/);
        await main.getByRole('link', { name: `Delete comment by ${user}` }).click();
        await page.waitForURL(/\/comments\/\d+\/delete/);
        await check('confirm-delete-comment');
        await main.getByRole('button', { name: 'Delete comment' }).click();
        await page.waitForURL(/\/papers\/2505\.20309/);
        assert.equal(await flash.innerText(), 'Comment deleted.');

        // Search from the header: a misspelt word gets "did you mean" from the papers' own words;
        // the results are compact cards (a snippet, not the abstract) under the number of matches.
        await header.locator('#site-q').fill('langauge models');
        await header.locator('#site-q').press('Enter');
        await page.waitForURL(/\/search\?q=langauge/);
        await check('search-did-you-mean');
        await main.locator('.did-you-mean').getByRole('link', { name: 'language models' }).click();
        await page.waitForURL(/\/search\?q=language\+models/);
        assert.match(await main.locator('.result-count').innerText(), /^\d+ papers match, best first/);
        assert.ok((await main.locator('.results .snippet mark').count()) > 0, 'highlighted snippets');
        assert.equal(await main.locator('.results .abstract').count(), 0, 'no whole abstracts');
        await check('search-cards');

        // A suggestion opens its paper rather than searching for its title.
        await header.locator('#site-q').fill(PAPER);
        await page.waitForFunction(() => document.querySelectorAll('#site-q-suggestions option').length > 0);
        await header.locator('#site-q').press('Enter');
        await page.waitForURL(/\/papers\/2505\.20309$/);

        // A category filter on the day's page, then "Hide seen" (the paper opened above is seen).
        await header.getByRole('link', { name: 'Daily Papers' }).click();
        await page.waitForURL(`${server.url}/`);
        await main.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: 'Day' }).click();
        await page.waitForURL(/\/papers\/date\/\d{4}-\d{2}-\d{2}$/);
        await main.getByRole('navigation', { name: 'Category filter' }).getByRole('link', { name: 'cs.CL' }).click();
        await page.waitForURL(/\?category=cs\.CL$/);
        assert.match(await main.locator('h2.period-label').innerText(), /cs\.CL/);
        const seenCard = main.locator('.card', { has: page.getByRole('link', { name: PAPER }) });
        assert.match((await seenCard.getAttribute('class')) ?? '', /\bseen\b/, 'the opened paper is dimmed');
        await check('category-filter');
        await main.getByRole('link', { name: 'Hide seen' }).click();
        await page.waitForURL(/category=cs\.CL&seen=hide$/);
        assert.equal(await main.getByRole('link', { name: PAPER }).count(), 0, 'seen papers hidden');
        await check('hide-seen');
        await main.getByRole('link', { name: 'Show seen papers' }).click();
        await page.waitForURL(/\?category=cs\.CL$/);
        assert.equal(await main.getByRole('link', { name: PAPER }).count(), 1);

        // The theme toggle flips the theme and its name.
        await toggle.click();
        assert.equal(await toggle.locator('.label').textContent(), theme === 'dark' ? 'Light theme' : 'Dark theme');
        await toggle.click();

        // Log out: a quiet button in the header.
        await header.getByRole('button', { name: 'Log out' }).click();
        await page.waitForURL(`${server.url}/`);
        assert.equal(await flash.innerText(), 'You are logged out.');
        await check('logged-out');

        await context.close();
        assert.deepEqual(errors, []);
        assert.deepEqual(failures, []);
      });
    }
  }
});
