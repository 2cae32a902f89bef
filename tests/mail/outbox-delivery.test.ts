import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { SmtpSink, freePort } from '../helpers/smtp.ts';
import { activeSubscriber, feedDay, mailServices } from '../helpers/mail-fixtures.ts';
import type { Services } from '../../src/services/index.ts';
import { digestPeriod, type DigestPeriod } from '../../src/domain/digest-period.ts';
import { backoffMs } from '../../src/services/outbox-sender.ts';
import { testDb } from '../helpers/stores.ts';

const minutes = (n: number) => n * 60_000;

forEachStore('digest outbox delivery', (ctx) => {
  const open: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const o of open.reverse()) await o.close();
  });

  // Each test starts with no active subscribers, so earlier tests' subscribers do not get its digests.
  const clearSubscribers = () => testDb(ctx.store).updateTable('mail_subscriptions').set({ status: 'unsubscribed' }).execute();

  async function digestsFor(period: DigestPeriod, emails: string[], services: Services) {
    await clearSubscribers();
    await feedDay(ctx.store, period.from, [{ upvotes: 3 }, { upvotes: 1 }]);
    for (const e of emails) await activeSubscriber(ctx.store, e);
    const r = await services.digests.build(period);
    assert.equal(r.created, emails.length);
  }

  test('the SMTP server down, then back: deferred with back-off, then delivered once', async () => {
    const port = await freePort();
    const services = mailServices(ctx.store, { smtpUrl: `smtp://127.0.0.1:${port}?tls=off` });
    open.push(services);
    const period = digestPeriod('daily', '2025-06-02')!;
    await digestsFor(period, ['down1@example.test', 'down2@example.test'], services);

    const t0 = new Date();
    const down = await services.outbox.sendDue({ now: () => t0 });
    assert.equal(down.sent, 0);
    assert.equal(down.deferred, 1, 'connection refused stops the run after the first message');
    assert.equal(down.stopped, true);
    const [first] = await ctx.store.outbox.list({ period: period.key });
    assert.equal(first.status, 'pending');
    assert.equal(first.attempts, 1);
    assert.match(first.lastError!, /ECONN|ESOCKET|refused/i);
    assert.equal(Date.parse(first.nextAttemptAt) - t0.getTime(), backoffMs(1));

    const smtp = await new SmtpSink({ port }).start();
    open.push(smtp);
    // Before the back-off has passed, only the untried message goes out.
    const early = await services.outbox.sendDue({ now: () => new Date(t0.getTime() + 1000) });
    assert.equal(early.sent, 1);
    const later = await services.outbox.sendDue({ now: () => new Date(t0.getTime() + minutes(2)) });
    assert.equal(later.sent, 1);
    assert.equal(smtp.to('down1@example.test').length, 1);
    assert.equal(smtp.to('down2@example.test').length, 1);
    assert.deepEqual(await ctx.store.outbox.countsByStatus(period.key), { sent: 2 });
  });

  test('421 is temporary (retried later), 550 is permanent (recorded), and repeated 550s pause the address', async () => {
    const smtp = await new SmtpSink({
      verdict: (m) =>
        m.to.includes('busy@example.test') && !retrying
          ? { code: 421, message: 'Service not available, try later' }
          : m.to.includes('gone@example.test')
            ? { code: 550, message: 'No such user' }
            : { accept: true },
    }).start();
    let retrying = false;
    open.push(smtp);
    const services = mailServices(ctx.store, { smtpUrl: smtp.url, mailMaxBounces: 2 });
    open.push(services);
    const monday = digestPeriod('daily', '2025-06-09')!;
    await digestsFor(monday, ['busy@example.test', 'gone@example.test', 'fine@example.test'], services);

    const t0 = new Date();
    let s = await services.outbox.sendDue({ now: () => t0 });
    // 421 closes the connection: the run stops and leaves the rest for the next one.
    assert.equal(s.deferred, 1);
    assert.equal(s.stopped, true);
    s = await services.outbox.sendDue({ now: () => t0 });
    assert.equal(s.failed, 1);
    assert.equal(s.sent, 1);
    const rows = await ctx.store.outbox.list({ period: monday.key });
    const byTo = new Map(rows.map((r) => [r.to, r]));
    assert.equal(byTo.get('busy@example.test')!.status, 'pending');
    assert.match(byTo.get('busy@example.test')!.lastError!, /421/);
    assert.equal(byTo.get('gone@example.test')!.status, 'failed');
    assert.match(byTo.get('gone@example.test')!.lastError!, /550/);
    assert.equal((await ctx.store.subscriptions.findByEmail('gone@example.test'))!.bounces, 1);

    retrying = true;
    s = await services.outbox.sendDue({ now: () => new Date(t0.getTime() + minutes(5)) });
    assert.equal(s.sent, 1);
    assert.equal(smtp.to('busy@example.test').length, 1);

    // A second permanent failure in a row pauses the address; it then gets nothing.
    const tuesday = digestPeriod('daily', '2025-06-10')!;
    await feedDay(ctx.store, tuesday.date, [{ upvotes: 1 }]);
    await services.digests.build(tuesday);
    s = await services.outbox.sendDue({ now: () => new Date(t0.getTime() + minutes(10)) });
    assert.equal(s.paused, 1);
    assert.equal((await ctx.store.subscriptions.findByEmail('gone@example.test'))!.status, 'paused');
    const wednesday = digestPeriod('daily', '2025-06-11')!;
    await feedDay(ctx.store, wednesday.date, [{ upvotes: 1 }]);
    await services.digests.build(wednesday);
    assert.equal((await ctx.store.outbox.list({ period: wednesday.key })).filter((r) => r.to === 'gone@example.test').length, 0);
  });

  test('MAIL_RATE paces the sends: 8 mails at 20/s take at least 350 ms', async () => {
    const smtp = await new SmtpSink().start();
    open.push(smtp);
    const services = mailServices(ctx.store, { smtpUrl: smtp.url, mailRate: 20 });
    open.push(services);
    await services.outbox.sendDue(); // earlier tests' leftovers
    const period = digestPeriod('daily', '2025-06-18')!;
    await digestsFor(period, Array.from({ length: 8 }, (_, i) => `paced${i}@example.test`), services);
    const t0 = performance.now();
    const s = await services.outbox.sendDue();
    const ms = performance.now() - t0;
    assert.equal(s.sent, 8);
    assert.ok(ms >= 345, `took ${ms.toFixed(0)} ms`);
    assert.equal(smtp.accepted.filter((m) => m.to[0].startsWith('paced')).length, 8);
  });

  test('two senders at once share the outbox: every digest delivered exactly once', async () => {
    const smtp = await new SmtpSink().start();
    open.push(smtp);
    const a = mailServices(ctx.store, { smtpUrl: smtp.url });
    const b = mailServices(ctx.store, { smtpUrl: smtp.url });
    open.push(a, b);
    const period = digestPeriod('weekly', '2025-06-16')!;
    const emails = Array.from({ length: 40 }, (_, i) => `many${i}@example.test`);
    await clearSubscribers();
    await a.outbox.sendDue(); // earlier tests' leftovers
    await feedDay(ctx.store, period.from, [{ upvotes: 2 }]);
    for (const e of emails) await activeSubscriber(ctx.store, e, { frequency: 'weekly' });
    // Both build at once too: the unique (subscriber, period) key keeps one digest each.
    await Promise.all([a.digests.build(period), b.digests.build(period)]);
    assert.equal((await ctx.store.outbox.list({ period: period.key })).length, 40);
    const [sa, sb] = await Promise.all([a.outbox.sendDue({ batchSize: 3 }), b.outbox.sendDue({ batchSize: 3 })]);
    assert.equal(sa.sent + sb.sent, 40);
    assert.ok(sa.sent > 0 && sb.sent > 0, `both senders took part (${sa.sent} + ${sb.sent})`);
    const ids = smtp.accepted.filter((m) => m.subject.includes('week')).map((m) => m.messageId);
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40);
    for (const e of emails) assert.equal(smtp.to(e).length, 1, e);
  });
});

test('back-off doubles from a minute and stops growing at six hours', () => {
  assert.deepEqual([1, 2, 3, 4].map(backoffMs), [60_000, 120_000, 240_000, 480_000]);
  assert.equal(backoffMs(30), 6 * 3600_000);
});
