import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { SmtpSink, parseMail } from '../helpers/smtp.ts';
import { Client } from '../helpers/community.ts';
import { activeSubscriber, feedDay, linkIn, mailServices, startApp } from '../helpers/mail-fixtures.ts';
import type { Services } from '../../src/services/index.ts';
import type { RunningServer } from '../../src/http/server.ts';
import { main } from '../../src/cli/main.ts';
import { JobScheduler } from '../../src/jobs/scheduler.ts';
import { digestJob } from '../../src/jobs/digest-job.ts';
import { silentLogger } from '../../src/logger.ts';

forEachStore('mail without SMTP_URL: .eml files, and the site says so', (ctx) => {
  let services: Services;
  let server: RunningServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-mail-'));
  before(async () => {
    services = mailServices(ctx.store, { mailDir: dir });
    server = await startApp(services);
  });
  after(async () => {
    await server.close(1000);
    await services.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the confirmation mail is an .eml file with a working link; status and pages say mail is not configured', async () => {
    const status = await (await fetch(`${server.url}/api/mail/status`)).json();
    assert.deepEqual(status, { configured: false });
    const browser = new Client(server.url);
    assert.match((await browser.get('/subscribe')).text, /Mail is not configured/);
    const r = await browser.postForm('/subscribe', { email: 'eml@example.test' });
    assert.match((await browser.get(r.headers.get('location')!)).text, /Mail is not configured/);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
    assert.equal(files.length, 1);
    const mail = parseMail(fs.readFileSync(path.join(dir, files[0]), 'latin1').replace(/\r?\n/g, '\r\n'));
    assert.match(mail.subject, /Confirm/);
    const link = linkIn(mail.text, '/subscribe/confirm').replace('http://paperboy.test', server.url);
    assert.equal((await fetch(link)).status, 200);
    assert.equal((await ctx.store.subscriptions.findByEmail('eml@example.test'))!.status, 'active');
  });
});

forEachStore('digest CLI and the scheduled job', (ctx) => {
  let smtp: SmtpSink;
  before(async () => {
    smtp = await new SmtpSink().start();
  });
  after(() => smtp.close());

  test('bad flags are usage errors (exit 2); --dry-run stores and sends nothing', async () => {
    assert.equal(await main(['digest', 'send', '--period', 'weekly', '--date', '2025-08-05']), 2, 'weekly is for Mondays');
    assert.equal(await main(['digest', 'send', '--period', 'daily', '--date', '2025-08-02']), 2, 'no daily digest on Saturdays');
    assert.equal(await main(['digest', 'send', '--date', '2025-13-01']), 2);
    assert.equal(await main(['digest', 'send', '--period', 'hourly']), 2);
    assert.equal(await main(['digest', 'mail']), 2);
    const location = ctx.opened.location;
    if (!location) return;
    await feedDay(ctx.store, '2025-08-01', [{ upvotes: 2 }]);
    await activeSubscriber(ctx.store, 'dry@example.test');
    const logs: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => logs.push(a.join(' '));
    try {
      assert.equal(await main(['digest', 'send', '--period', 'daily', '--date', '2025-08-01', '--dry-run', '--db', location]), 0);
    } finally {
      console.log = orig;
    }
    assert.match(logs.join('\n'), /would create 1 digests/);
    assert.match(logs.join('\n'), /first digest, to dry@example\.test: Trending papers · Friday, 1 August 2025/);
    assert.equal((await ctx.store.outbox.list()).length, 0);
  });

  test('the job builds the digests due today and sends them, once, under its lease', async () => {
    const services = mailServices(ctx.store, { smtpUrl: smtp.url });
    try {
      await feedDay(ctx.store, '2025-08-04', [{ upvotes: 4 }]);
      await activeSubscriber(ctx.store, 'weekly@example.test', { frequency: 'weekly' });
      const scheduler = new JobScheduler(ctx.store, silentLogger);
      const job = digestJob(services, { today: () => '2025-08-04' });
      const out = await scheduler.runOnce(job);
      assert.equal(out.ran, true);
      assert.ok(out.ran && out.status === 'succeeded', JSON.stringify(out));
      assert.deepEqual(out.ran && out.stats.built, { 'daily:2025-08-04': 1, 'weekly:2025-08-04': 1 });
      assert.equal(smtp.to('weekly@example.test').length, 1);
      assert.equal(smtp.to('dry@example.test').length, 1);
      const again = await scheduler.runOnce(job);
      assert.deepEqual(again.ran && again.stats.built, { 'daily:2025-08-04': 0, 'weekly:2025-08-04': 0 });
      assert.equal(smtp.accepted.length, 2);
      assert.equal((await ctx.store.runs.last('digest'))!.status, 'succeeded');
    } finally {
      await services.close();
    }
  });
});
