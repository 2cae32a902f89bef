import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { forEachStore } from '../helpers/contract.ts';
import { loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { SHOTS, axeViolations, launchChromium } from '../site/browser-kit.ts';
import { notifyJob } from '../../src/jobs/notify-job.ts';

/**
 * Issue 18's "done when" for notifications, in Chromium: reader A replies to reader B's comment and
 * mentions B; B sees the unread count in the header and the notification in the inbox, marks it
 * read, and gets exactly one batched mail through a real SMTP server. Every step is a click from a
 * page B or A is on; the notify job runs as `serve` runs it (its `run`), off any request.
 */
forEachStore('notifications in a browser', (ctx) => {
  let app: TestApp;
  let browser: Browser;
  before(async () => {
    app = await startTestApp(ctx.store, { MAIL_RATE: '1000', PUBLIC_URL: 'http://paperboy.test' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const as = async (name: string): Promise<BrowserContext> => {
    const client = await loggedIn(app, name);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: app.url });
    await context.addCookies([{ name: 'pb_session', value: client.cookies.get('pb_session')!, url: app.url }]);
    return context;
  };

  test('A replies to B and mentions B; B sees the count and the notification, marks it read, and gets one mail', async () => {
    const paper = makePaper({ title: 'Attention is all you need, again' });
    await ctx.store.papers.upsertMany([paper]);
    await ctx.store.feed.addMany([{ paperId: paper.id, day: '2025-06-02' }]);
    const job = notifyJob(app.services);
    const runJob = () => job.run(new AbortController().signal);
    const failures: string[] = [];
    const axe = async (page: import('playwright-core').Page, what: string) => {
      for (const v of await axeViolations(page)) failures.push(`${what}: ${v}`);
      await page.screenshot({ path: `${SHOTS}/notifications-${ctx.kind}-${what}.png` });
    };

    // B comments on the paper, then asks for notification mail: bell → inbox → settings.
    const b = await (await as('bea')).newPage();
    await b.goto('/');
    await b.getByRole('link', { name: paper.title }).click();
    await b.getByLabel(/Add a comment/).fill('The ablation in section 4 is thin.');
    await b.getByRole('button', { name: 'Comment', exact: true }).click();
    assert.equal(await b.locator('.flash').innerText(), 'Comment posted.');
    await b.getByRole('link', { name: 'Notifications' }).click();
    await b.waitForURL(/\/notifications$/);
    assert.match(await b.locator('main').innerText(), /No notifications yet\./);
    await b.getByRole('link', { name: 'Choose which are mailed to you' }).click();
    await b.waitForURL(/\/settings\/notifications$/);
    await b.getByLabel('Replies to your comments').check();
    await b.getByLabel('Mentions of you (@name) in comments').check();
    await b.getByRole('button', { name: 'Save' }).click();
    assert.match(await b.locator('.flash').innerText(), /mailed to you, at most once an hour/);
    await axe(b, 'settings');

    // A replies to B's comment and mentions B (@bea becomes a link to B's profile; @nobody stays text).
    const a = await (await as('ann')).newPage();
    await a.goto('/');
    await a.getByRole('link', { name: paper.title }).click();
    await a.locator('.comment').first().locator('summary', { hasText: 'Reply' }).click();
    await a.getByLabel('Your reply').fill('Agreed, @bea — and @nobody noticed.');
    await a.locator('.comment').first().getByRole('button', { name: 'Reply' }).click();
    assert.equal(await a.locator('.flash').innerText(), 'Reply posted.');
    const mention = a.locator('.comment-body a.mention');
    assert.equal(await mention.count(), 1);
    assert.equal(await mention.getAttribute('href'), '/users/bea');
    assert.match(await a.locator('.comment-body').last().innerText(), /@nobody noticed/);

    // The notify job (off the request path) fans out the reply and builds the mail.
    await runJob();

    // B: the header shows one unread; the inbox has the reply; "Mark read" clears it.
    await b.goto('/');
    const bell = b.locator('header .notifications-link');
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications, 1 unread');
    assert.equal(await bell.locator('.unread-count').innerText(), '1');
    await bell.click();
    await b.waitForURL(/\/notifications$/);
    const item = b.locator('.notification.unread');
    assert.equal(await item.count(), 1, 'one notification for a reply that also mentions');
    assert.match(await item.innerText(), new RegExp(`ann replied to your comment on “${paper.title}”`));
    assert.match(await item.innerText(), /Agreed, @bea/);
    await axe(b, 'inbox');
    await item.getByRole('button', { name: 'Mark read' }).click();
    await b.waitForURL(/\/notifications$/);
    assert.equal(await b.locator('.flash').innerText(), 'Marked read.');
    assert.equal(await b.locator('.notification.unread').count(), 0);
    assert.equal(await b.locator('.notification.read').count(), 1);
    assert.equal(await b.locator('header .unread-count').count(), 0);
    // The notification leads to the comment.
    await b.locator('.notification a').first().click();
    await b.waitForURL(new RegExp(`/papers/${paper.id.replace('.', '\\.')}#comment-\\d+$`));

    // Exactly one mail, batched, with the one-click unsubscribe headers; another run sends nothing more.
    await runJob();
    await runJob();
    const mails = app.smtp.to('bea@example.org');
    assert.equal(mails.length, 1);
    assert.match(mails[0].subject, /ann replied to your comment/);
    assert.match(mails[0].text, /Agreed, @bea/);
    assert.equal(mails[0].headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.equal(app.smtp.to('ann@example.org').length, 0, 'no self-notification, no mail A did not ask for');
    assert.deepEqual(failures, []);
  });
});
