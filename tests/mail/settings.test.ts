import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import type { SmtpSink } from '../helpers/smtp.ts';
import { feedDay, linkIn, startMailApp } from '../helpers/mail-fixtures.ts';
import { Client } from '../helpers/community.ts';
import type { Services } from '../../src/services/index.ts';
import type { RunningServer } from '../../src/http/server.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';

forEachStore('mail settings for signed-in users', (ctx) => {
  let smtp: SmtpSink;
  let services: Services;
  let server: RunningServer;
  let close: () => Promise<void>;
  before(async () => {
    ({ smtp, services, server, close } = await startMailApp(ctx.store));
  });
  after(() => close());

  test('subscribe from settings (confirmed by mail), change frequency, categories and picks, leave', async () => {
    const anon = new Client(server.url);
    const login = await anon.get('/settings/mail');
    assert.ok([302, 303].includes(login.status), 'signed out: sent to log in');

    const me = new Client(server.url);
    await me.signup('Reader', 'correct horse battery', 'reader@example.test');
    const page = await me.get('/settings/mail');
    assert.equal(page.status, 200);
    assert.match(page.text, /data-status="none"/);
    assert.match((await me.get('/settings')).text, /href="\/settings\/mail"/);

    const bad = await me.postForm('/settings/mail', { frequency: 'weekly', categories: 'cs.LG <script>' });
    assert.equal(bad.status, 400);
    assert.ok(!bad.text.includes('cs.LG <script>'), 'the echoed input is escaped');

    const r = await me.postForm('/settings/mail', { frequency: 'weekly', categories: 'cs.LG, math', personalPicks: 'on' });
    assert.equal(r.status, 303, 'post/redirect/get');
    assert.match((await me.get(r.headers.get('location')!)).text, /confirmation link is on its way/);
    const confirm = smtp.to('reader@example.test').filter((m) => m.text.includes('/subscribe/confirm'));
    assert.equal(confirm.length, 1);
    await fetch(linkIn(confirm[0].text, '/subscribe/confirm').replace('http://paperboy.test', server.url));
    let sub = (await ctx.store.subscriptions.findByEmail('reader@example.test'))!;
    assert.equal(sub.status, 'active');
    assert.equal(sub.userId, (await ctx.store.users.byUsername('Reader'))!.id, 'linked to the account');
    assert.deepEqual(sub.categories, ['cs.LG', 'math']);

    // Active: the owner's changes apply at once, without another mail; unchecked box = no picks.
    const saved = await me.postForm('/settings/mail', { frequency: 'daily', categories: '' });
    assert.match((await me.get(saved.headers.get('location')!)).text, /Saved\./);
    sub = (await ctx.store.subscriptions.findByEmail('reader@example.test'))!;
    assert.equal(sub.frequency, 'daily');
    assert.deepEqual(sub.categories, []);
    assert.equal(sub.personalPicks, false);
    assert.equal(smtp.to('reader@example.test').filter((m) => m.text.includes('/subscribe/confirm')).length, 1);

    // Someone else posting the address to the public form changes nothing.
    await fetch(`${server.url}/api/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'reader@example.test', frequency: 'weekly' }) });
    assert.equal((await ctx.store.subscriptions.findByEmail('reader@example.test'))!.frequency, 'daily');

    const left = await me.postForm('/settings/mail/unsubscribe', {});
    assert.match((await me.get(left.headers.get('location')!)).text, /Unsubscribed/);
    assert.equal((await ctx.store.subscriptions.findByEmail('reader@example.test'))!.status, 'unsubscribed');
    const day = digestPeriod('daily', '2025-05-05')!;
    await feedDay(ctx.store, day.date, [{ upvotes: 1 }]);
    assert.equal((await services.digests.build(day)).created, 0);
  });
});
