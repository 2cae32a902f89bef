import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { NOTIFY_APP_ENV, say } from './fixtures.ts';

const HOUR = 3600_000;

forEachStore('notification mail: batched, at most one an hour, exactly once, one-click unsubscribe', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, NOTIFY_APP_ENV);
  });
  after(() => app.close());

  const n = () => app.services.notifications;
  const uid = async (name: string) => (await ctx.store.users.byUsername(name))!.id;
  const paperOnFeed = async (submitter?: string) => {
    const p = makePaper();
    await ctx.store.papers.upsertMany([p]);
    await ctx.store.feed.addMany([{ paperId: p.id, day: '2025-06-02', submittedBy: submitter }]);
    return p;
  };
  /** One tick of the notify job's work, at `now`. */
  const tick = async (now: Date) => {
    await n().processEvents({ now });
    const built = await n().buildMail({ now });
    const sent = await app.services.outbox.sendDue();
    return { ...built, sent: sent.sent };
  };

  test('off by default; on, two notifications make one mail; the next within the hour waits, then comes in one more mail', async () => {
    const kim = await loggedIn(app, 'kim');
    const leo = await loggedIn(app, 'leo');
    const paper = await paperOnFeed('kim');
    const t0 = new Date('2020-01-01T10:00:00Z');
    await say(leo, paper.id, 'Before mail was on.');
    assert.deepEqual(await tick(t0), { batches: 0, enqueued: 0, skipped: 0, sent: 0 });
    assert.equal(app.smtp.to('kim@example.org').length, 0, 'no mail by default');

    const settings = await kim.get('/settings/notifications');
    assert.equal(settings.status, 200);
    assert.match(settings.text, /name="kind" value="reply"/);
    const saved = await kim.postForm('/settings/notifications', { kind: 'comment' });
    assert.equal(saved.status, 303);
    assert.match((await kim.get('/settings/notifications')).text, /value="comment" checked=""/);
    // A form without its CSRF token changes nothing.
    assert.equal((await kim.postForm('/settings/notifications', { kind: 'mention' }, { csrf: false })).status, 403);
    assert.deepEqual(await n().emailKinds(await uid('kim')), ['comment']);

    await say(leo, paper.id, 'One.');
    await say(leo, paper.id, 'Two.');
    const first = await tick(new Date(t0.getTime() + 60_000));
    assert.equal(first.enqueued, 1);
    assert.equal(first.sent, 1);
    const mails = app.smtp.to('kim@example.org');
    assert.equal(mails.length, 1);
    assert.match(mails[0].subject, /2 new notifications/);
    assert.match(mails[0].text, /leo commented on/);
    assert.doesNotMatch(mails[0].text, /Before mail was on/);
    const unsub = /<([^>]+)>/.exec(mails[0].headers.get('list-unsubscribe') ?? '')?.[1];
    assert.ok(unsub?.startsWith('http://paperboy.test/notifications/unsubscribe?u='));
    assert.equal(mails[0].headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');

    // Twenty minutes later: something new, but the hour is not over.
    await say(leo, paper.id, 'Three.');
    assert.equal((await tick(new Date(t0.getTime() + 20 * 60_000))).enqueued, 0);
    assert.equal(app.smtp.to('kim@example.org').length, 1);
    // Read on the site meanwhile: not mailed again.
    await say(leo, paper.id, 'Four.');
    await n().processEvents();
    const read = (await n().list(await uid('kim'))).items.find((x) => x.excerpt === 'Four.')!;
    await n().markRead(await uid('kim'), read.id);
    const second = await tick(new Date(t0.getTime() + 61 * 60_000 + HOUR));
    assert.equal(second.enqueued, 1);
    const all = app.smtp.to('kim@example.org');
    assert.equal(all.length, 2);
    assert.match(all[1].text, /Three\./);
    assert.doesNotMatch(all[1].text, /Four\./);
    assert.notEqual(all[0].messageId, all[1].messageId);
    // Nothing new: nothing more.
    assert.equal((await tick(new Date(t0.getTime() + 5 * HOUR))).enqueued, 0);
    assert.equal(app.smtp.to('kim@example.org').length, 2);

    // Notification mail gives the address no digest: the digest settings say so, and subscribing still asks for confirmation.
    const digest = await kim.get('/settings/mail');
    assert.match(digest.text, /data-status="unsubscribed">Not subscribed</);
    assert.equal((await ctx.store.subscriptions.active('daily')).some((s) => s.email === 'kim@example.org'), false);
    const sub = await kim.postForm('/settings/mail', { frequency: 'daily', categories: '' });
    assert.match((await kim.get(sub.headers.get('location')!)).text, /confirmation link is on its way/);
  });

  test('a crash between the enqueue and the mark neither sends twice nor loses the mail', async () => {
    const mo = await loggedIn(app, 'mo');
    const ned = await loggedIn(app, 'ned');
    await n().setEmailKinds(await uid('mo'), ['reply', 'mention']);
    const paper = await paperOnFeed();
    const top = await say(mo, paper.id, 'Mine.');
    await say(ned, paper.id, 'A reply, @mo.', top.id);
    const now = new Date('2020-02-01T10:00:00Z');
    await n().processEvents({ now });

    // The process dies right after the outbox took the message, before the batch was marked.
    const repo = ctx.store.notifications;
    const mark = repo.markBatchEnqueued.bind(repo);
    repo.markBatchEnqueued = async () => {
      throw new Error('killed');
    };
    await assert.rejects(n().buildMail({ now }), /killed/);
    repo.markBatchEnqueued = mark;
    // The restarted job finds the batch unmarked and enqueues it again: the outbox already has it.
    const again = await n().buildMail({ now: new Date(now.getTime() + 1000) });
    assert.equal(again.enqueued, 1);
    await app.services.outbox.sendDue();
    assert.equal(app.smtp.to('mo@example.org').length, 1, 'exactly one mail');
    const outbox = (await ctx.store.outbox.list()).filter((m) => m.to === 'mo@example.org');
    assert.equal(outbox.length, 1);

    // A crash before the enqueue (the batch assigned, nothing in the outbox): the next run sends it.
    await say(ned, paper.id, 'Another, @mo.', top.id);
    const later = new Date(now.getTime() + 2 * HOUR);
    await n().processEvents({ now: later });
    const add = ctx.store.outbox.addMany.bind(ctx.store.outbox);
    ctx.store.outbox.addMany = async () => {
      throw new Error('killed before the enqueue');
    };
    await assert.rejects(n().buildMail({ now: later }), /killed/);
    ctx.store.outbox.addMany = add;
    await n().buildMail({ now: new Date(later.getTime() + 1000) });
    await app.services.outbox.sendDue();
    assert.equal(app.smtp.to('mo@example.org').length, 2, 'not lost');
  });

  test('one-click unsubscribe: the signed link turns the mail off; a forged one does nothing', async () => {
    const ola = await loggedIn(app, 'ola');
    const pat = await loggedIn(app, 'pat');
    const olaId = await uid('ola');
    await n().setEmailKinds(olaId, ['mention']);
    const paper = await paperOnFeed();
    await say(pat, paper.id, 'Hi @ola');
    await tick(new Date('2020-03-01T10:00:00Z'));
    const mail = app.smtp.to('ola@example.org')[0];
    const link = /<([^>]+)>/.exec(mail.headers.get('list-unsubscribe')!)![1].replace('http://paperboy.test', app.url);
    const url = new URL(link);
    const anon = new Client(app.url);
    // Another account's id with this signature, or a changed signature: refused.
    assert.equal((await anon.request('POST', `/notifications/unsubscribe?u=${await uid('pat')}&sig=${url.searchParams.get('sig')}`, { form: { 'List-Unsubscribe': 'One-Click' } })).status, 400);
    assert.equal((await anon.request('POST', `/notifications/unsubscribe?u=${olaId}&sig=x${url.searchParams.get('sig')}`, { form: { 'List-Unsubscribe': 'One-Click' } })).status, 400);
    assert.deepEqual(await n().emailKinds(olaId), ['mention']);
    // The GET shows a button (a link scanner's visit changes nothing); the POST (RFC 8058, no cookie, no CSRF token) unsubscribes.
    const shown = await anon.get(url.pathname + url.search);
    assert.equal(shown.status, 200);
    assert.deepEqual(await n().emailKinds(olaId), ['mention']);
    const done = await anon.request('POST', url.pathname + url.search, { form: { 'List-Unsubscribe': 'One-Click' } });
    assert.equal(done.status, 200);
    assert.deepEqual(await n().emailKinds(olaId), []);
    await say(pat, paper.id, 'Again @ola');
    await tick(new Date('2020-03-01T13:00:00Z'));
    assert.equal(app.smtp.to('ola@example.org').length, 1);
  });

  test('no mail to an unconfirmed address, and nothing about a paper hidden before the mail was built', async () => {
    const unverified = await ctx.store.users.create({ username: 'quin', email: 'quin@example.org', passwordHash: 'x', emailVerified: false });
    const rex = await loggedIn(app, 'rex');
    const sam = await loggedIn(app, 'sam');
    await n().setEmailKinds(unverified.id, ['mention']);
    await n().setEmailKinds(await uid('sam'), ['mention']);
    const paper = await paperOnFeed();
    await say(rex, paper.id, 'Hi @quin and @sam');
    const now = new Date('2020-04-01T10:00:00Z');
    await n().processEvents({ now });
    await ctx.store.papers.setHidden(paper.id, true);
    const r = await tick(now);
    assert.equal(r.enqueued, 0);
    assert.equal(r.skipped, 2);
    assert.equal(app.smtp.to('quin@example.org').length, 0);
    assert.equal(app.smtp.to('sam@example.org').length, 0);
    assert.deepEqual((await ctx.store.notifications.batchOutcomes(unverified.id)).map((b) => b.outcome), ['unverified']);
    assert.deepEqual((await ctx.store.notifications.batchOutcomes(await uid('sam'))).map((b) => b.outcome), ['nothing_visible']);
    void sam;
  });
});
