import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import type { SmtpSink } from '../helpers/smtp.ts';
import { activeSubscriber, feedDay, linkIn, startMailApp, userWhoLiked } from '../helpers/mail-fixtures.ts';
import { Client } from '../helpers/community.ts';
import type { Services } from '../../src/services/index.ts';
import type { RunningServer } from '../../src/http/server.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';
import { testDb } from '../helpers/stores.ts';

// 2025-08-01 is a Friday, 2025-08-04 a Monday.
const FRIDAY = digestPeriod('daily', '2025-08-01')!;
const MONDAY = digestPeriod('daily', '2025-08-04')!;
const TUESDAY = digestPeriod('daily', '2025-08-05')!;

forEachStore('subscribe, confirm, digest, one-click unsubscribe', (ctx) => {
  let smtp: SmtpSink;
  let services: Services;
  let server: RunningServer;
  let close: () => Promise<void>;
  const local = (url: string) => url.replace('http://paperboy.test', server.url);

  before(async () => {
    ({ smtp, services, server, close } = await startMailApp(ctx.store));
  });
  after(() => close());

  const subscribe = (body: unknown) =>
    fetch(`${server.url}/api/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('bad input is a 400 naming the problem, and stores nothing', async () => {
    for (const body of [{ email: 'not-an-address' }, { email: 'a@b.test', frequency: 'hourly' }, { email: 'a@b.test', categories: ['<script>'] }]) {
      const r = await subscribe(body);
      assert.equal(r.status, 400);
      const j = (await r.json()) as { error: { code: string; message: string } };
      assert.equal(j.error.code, 'invalid_request');
      assert.match(j.error.message, /body\./);
    }
    assert.equal(await ctx.store.subscriptions.findByEmail('a@b.test'), null);
  });

  test('double opt-in: one confirmation mail, nothing else until the link is followed, never a second subscription', async () => {
    await feedDay(ctx.store, FRIDAY.date, [{ upvotes: 3 }, { upvotes: 1 }]);
    const r = await subscribe({ email: 'Ada@Example.test', frequency: 'daily', categories: ['cs'] });
    assert.equal(r.status, 202);
    assert.equal(((await r.json()) as { status: string }).status, 'confirmation_pending');
    const confirmMails = smtp.to('ada@example.test');
    assert.equal(confirmMails.length, 1);
    assert.match(confirmMails[0].subject, /Confirm/);

    // Subscribing again (twice, at once) keeps one subscription and does not mail again within a minute.
    const again = await Promise.all([subscribe({ email: 'ada@example.test', frequency: 'weekly' }), subscribe({ email: 'ADA@example.test' })]);
    assert.deepEqual(again.map((x) => x.status), [202, 202]);
    const rows = await testDb(ctx.store).selectFrom('mail_subscriptions').selectAll().where('email', '=', 'ada@example.test').execute();
    assert.equal(rows.length, 1);
    assert.equal(smtp.to('ada@example.test').length, 1);
    // Which of two simultaneous requests lands last is up to the database; a later one sets the preference.
    assert.equal((await subscribe({ email: 'ADA@example.test' })).status, 202);
    assert.equal(smtp.to('ada@example.test').length, 1);

    // Not confirmed: the digest leaves it out.
    const built = await services.digests.build(FRIDAY);
    assert.equal(built.created, 0);
    await services.outbox.sendDue();
    assert.equal(smtp.to('ada@example.test').length, 1);

    // A changed signature is refused.
    const link = local(linkIn(confirmMails[0].text, '/subscribe/confirm'));
    const forged = link.replace(/sig=([^&]+)/, (_m, s: string) => `sig=${s.slice(0, -2)}xx`);
    assert.equal((await fetch(forged)).status, 400);
    assert.equal((await ctx.store.subscriptions.findByEmail('ada@example.test'))!.status, 'pending');

    const ok = await fetch(link);
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /You are subscribed/);
    const sub = (await ctx.store.subscriptions.findByEmail('ada@example.test'))!;
    assert.equal(sub.status, 'active');
    assert.equal(sub.frequency, 'daily', 'the ADA@ request (default daily) was the last preference set');
    assert.equal((await fetch(link)).status, 200, 'following it twice is harmless');
  });

  test('an expired confirm link says so (410) and does not confirm', async () => {
    const past = new Date(Date.now() - 3 * 86400_000);
    const { subscription } = await services.subscriptions.subscribe({ email: 'late@example.test', frequency: 'daily', categories: [], personalPicks: true }, past);
    const url = local(await services.mail.confirmUrl(subscription, past));
    assert.equal((await fetch(url)).status, 410);
    assert.equal((await ctx.store.subscriptions.get(subscription.id))!.status, 'pending');
  });

  test('the banner form works without JavaScript; an anonymous post only ever starts a double opt-in', async () => {
    const browser = new Client(server.url);
    assert.equal((await browser.get('/subscribe')).status, 200);
    const r = await browser.postForm('/subscribe', { email: 'form@example.test', frequency: 'weekly' });
    assert.equal(r.status, 303, 'post/redirect/get');
    const sent = await browser.get(r.headers.get('location')!);
    assert.match(sent.text, /Check your inbox/);
    assert.match(sent.text, /If form@example\.test is not subscribed yet, a confirmation link is on its way/);
    const sub = (await ctx.store.subscriptions.findByEmail('form@example.test'))!;
    assert.equal(sub.frequency, 'weekly');
    assert.equal(smtp.to('form@example.test').length, 1);
    const bad = await browser.postForm('/subscribe', { email: '<b>x</b>' });
    assert.equal(bad.status, 400);
    assert.ok(!bad.text.includes('<b>x</b>'), 'the echoed input is escaped');
    // An anonymous post has no session to ride on, so it is not CSRF-checked (anonymous pages stay
    // cookie-free); double opt-in is what protects the address: it only gets a confirmation mail.
    const forged = await new Client(server.url).postForm('/subscribe', { email: 'csrf@example.test' });
    assert.equal(forged.status, 303);
    assert.equal((await ctx.store.subscriptions.findByEmail('csrf@example.test'))!.status, 'pending');
    assert.match(smtp.to('csrf@example.test')[0].text, /\/subscribe\/confirm/);
  });

  test('a confirmed subscriber gets exactly one digest per period, with trending and personal picks', async () => {
    const [tA, tB] = await feedDay(ctx.store, MONDAY.date, [
      { over: { title: 'Trending transformers <b>bold</b> & co', abstract: 'Attention is all we test. Second sentence.', categories: ['cs.LG'] }, upvotes: 40 },
      { over: { title: 'Second most trending', categories: ['cs.CL'] }, upvotes: 20 },
    ]);
    const [liked] = await feedDay(ctx.store, '2025-07-31', [{ over: { title: 'Graph neural networks for molecules', abstract: 'Graph neural networks predict molecule properties from bonds.' } }]);
    const [similar, unrelated] = await feedDay(ctx.store, MONDAY.date, [
      { over: { title: 'Molecule property prediction with graph neural networks', abstract: 'We predict molecule properties with graph networks over bonds.', categories: ['q-bio.BM'] } },
      { over: { title: 'Galaxy rotation curves', abstract: 'Dark matter halos shape rotation curves.', categories: ['astro-ph.GA'] } },
    ]);
    const userId = await userWhoLiked(ctx.store, [liked.id]);
    const subId = await activeSubscriber(ctx.store, 'grace@example.test', { userId, categories: ['cs'] });

    const first = await services.digests.build(MONDAY);
    assert.ok(first.created >= 1);
    const stats = await services.outbox.sendDue();
    assert.equal(stats.failed, 0);
    const mails = smtp.to('grace@example.test');
    assert.equal(mails.length, 1);
    const m = mails[0];
    assert.match(m.subject, /Monday, 4 August 2025/);
    // Trending in the subscriber's categories, best first; the q-bio paper only as a personal pick.
    assert.ok(m.text.indexOf(tA.title) < m.text.indexOf(tB.title));
    assert.match(m.text, /Attention is all we test\.\n/);
    assert.ok(!m.text.includes('Second sentence'));
    assert.match(m.text, /▲ 40 upvotes/);
    // For you: the model's best pick is the paper like the upvoted one; the unrelated one (not in
    // the subscriber's categories) is never in the trending section, and at most a weaker pick.
    const [top, forYou] = m.text.split('\nFor you\n');
    assert.match(forYou, /^-+\n\n1\. Molecule property prediction[^\n]*\n[\s\S]*Why: like “Graph neural networks for molecules”, which you upvoted/);
    assert.ok(!top.includes(unrelated.title));
    assert.ok(m.html.includes('Trending transformers &lt;b&gt;bold&lt;/b&gt; &amp; co'), 'titles are escaped in HTML');
    assert.match(m.html, /prefers-color-scheme: dark/);
    assert.match(m.html, /<table role="presentation"/);
    assert.equal(m.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.equal(m.messageId, `<digest.daily.2025-08-04.${subId}@paperboy.test>`, 'a stable Message-ID per (subscriber, period)');
    assert.match(m.headers.get('list-unsubscribe')!, /^<http:\/\/paperboy\.test\/unsubscribe\?id=\d+&sig=/);
    const [row] = await ctx.store.outbox.list({ period: MONDAY.key, subscriptionId: subId });
    assert.ok(row.paperIds.includes(similar.id));

    // Building and sending the same period again changes nothing.
    const second = await services.digests.build(MONDAY);
    assert.equal(second.created, 0);
    assert.equal(second.existing, second.subscribers);
    await services.outbox.sendDue();
    assert.equal(smtp.to('grace@example.test').length, 1);

    // The next day's picks never repeat a paper already sent.
    await feedDay(ctx.store, TUESDAY.date, [
      { over: { title: 'A third look at graph neural networks for molecule bonds', abstract: 'Graph networks and molecule bonds again.', categories: ['q-bio.BM'] } },
      { over: { title: 'Tuesday trending', categories: ['cs.AI'] }, upvotes: 5 },
    ]);
    await services.digests.build(TUESDAY);
    await services.outbox.sendDue();
    const tuesday = smtp.to('grace@example.test')[1];
    assert.match(tuesday.text, /A third look at graph neural networks/);
    assert.ok(!tuesday.text.includes('Molecule property prediction'), 'a pick sent on Monday is not picked again');
  });

  test('one-click unsubscribe: the GET page only asks, a POST (RFC 8058) unsubscribes, without a log-in', async () => {
    const m = smtp.to('grace@example.test')[0];
    const url = local(m.headers.get('list-unsubscribe')!.slice(1, -1));
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<button type="submit">Unsubscribe<\/button>/);
    assert.equal((await ctx.store.subscriptions.findByEmail('grace@example.test'))!.status, 'active', 'a GET (link scanners) does not unsubscribe');

    const post = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(post.status, 200);
    assert.equal((await ctx.store.subscriptions.findByEmail('grace@example.test'))!.status, 'unsubscribed');

    // Nothing more is sent to them.
    const before = smtp.to('grace@example.test').length;
    const wed = digestPeriod('daily', '2025-08-06')!;
    await feedDay(ctx.store, wed.date, [{ upvotes: 2 }]);
    await services.digests.build(wed);
    await services.outbox.sendDue();
    assert.equal(smtp.to('grace@example.test').length, before);

    // The link in the body works too: its page's button posts back to the same signed URL.
    const adaMail = smtp.to('ada@example.test').find((x) => /Trending papers/.test(x.subject))!;
    const bodyLink = local(linkIn(adaMail.text, '/unsubscribe'));
    const html = await (await fetch(bodyLink)).text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1].replace(/&amp;/g, '&');
    const click = await fetch(`${server.url}${action}`, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) });
    assert.equal(click.status, 200);
    assert.equal((await ctx.store.subscriptions.findByEmail('ada@example.test'))!.status, 'unsubscribed');
    const forged = bodyLink.replace(/id=\d+/, 'id=999999');
    assert.equal((await fetch(forged, { method: 'POST' })).status, 400);
  });

  test('a period with no new papers sends nothing', async () => {
    await activeSubscriber(ctx.store, 'quiet@example.test');
    const empty = digestPeriod('daily', '2025-09-03')!;
    const r = await services.digests.build(empty);
    assert.equal(r.papers, 0);
    assert.equal(r.created, 0);
    await services.outbox.sendDue();
    assert.equal(smtp.to('quiet@example.test').length, 0);
  });
});
