import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { NOTIFY_APP_ENV, say } from './fixtures.ts';

// A notification mail's one-click link stops mail of that mail's kinds only; the kinds are signed with the account.
forEachStore('notification mail: unsubscribe per kind', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, NOTIFY_APP_ENV);
  });
  after(() => app.close());

  const n = () => app.services.notifications;
  const uid = async (name: string) => (await ctx.store.users.byUsername(name))!.id;
  const tick = async (now: Date) => {
    await n().processEvents({ now });
    await n().buildMail({ now });
    await app.services.outbox.sendDue();
  };
  const oneClick = (path: string) => new Client(app.url).request('POST', path, { form: { 'List-Unsubscribe': 'One-Click' } });

  test("the mail's link stops only its kinds; edited kinds, another account or a dropped k are refused; other kinds still come", async () => {
    const una = await loggedIn(app, 'una');
    const vic = await loggedIn(app, 'vic');
    const unaId = await uid('una');
    await n().setEmailKinds(unaId, ['reply', 'mention', 'comment']);
    const paper = makePaper();
    await ctx.store.papers.upsertMany([paper]);
    await ctx.store.feed.addMany([{ paperId: paper.id, day: '2025-06-02' }]);
    await say(vic, paper.id, 'What does @una think?');
    await tick(new Date('2020-04-01T10:00:00Z'));
    const mails = app.smtp.to('una@example.org');
    assert.equal(mails.length, 1);
    const header = /<([^>]+)>/.exec(mails[0].headers.get('list-unsubscribe')!)![1];
    assert.ok(mails[0].text.includes(`Stop mails about mentions of you (@name) in comments: ${header}`), 'the same link in the text, saying what it stops');
    const url = new URL(header.replace('http://paperboy.test', app.url));
    assert.equal(url.searchParams.get('k'), 'mention', 'the link names what the mail is about');
    const sig = url.searchParams.get('sig')!;

    for (const forged of [
      `/notifications/unsubscribe?u=${unaId}&k=mention,reply&sig=${sig}`,
      `/notifications/unsubscribe?u=${unaId}&k=reply&sig=${sig}`,
      `/notifications/unsubscribe?u=${unaId}&sig=${sig}`,
      `/notifications/unsubscribe?u=${unaId}&k=mention,bogus&sig=${sig}`,
      `/notifications/unsubscribe?u=${await uid('vic')}&k=mention&sig=${sig}`,
      `/notifications/unsubscribe?u=${unaId}&k=mention&sig=x${sig}`,
    ]) {
      assert.equal((await oneClick(forged)).status, 400, forged);
      assert.equal((await new Client(app.url).get(forged)).status, 400, forged);
    }
    assert.deepEqual(await n().emailKinds(unaId), ['reply', 'mention', 'comment'], 'nothing changed');

    const shown = await new Client(app.url).get(url.pathname + url.search);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /about: mentions of you \(@name\) in comments\?/);
    assert.match(shown.text, /href="\/settings\/notifications"/, 'everything can be stopped in the settings');
    const done = await oneClick(url.pathname + url.search);
    assert.equal(done.status, 200);
    assert.match(done.text, /Still mailed: replies to your comments; new comments on papers/);
    assert.deepEqual(await n().emailKinds(unaId), ['reply', 'comment'], 'only the mail’s kind is off');

    // Mentions no longer mail; replies still do.
    const mine = await say(una, paper.id, 'My view.');
    await say(vic, paper.id, 'And @una again');
    await say(vic, paper.id, 'I disagree.', mine.id);
    await tick(new Date('2020-04-01T12:00:00Z'));
    const after = app.smtp.to('una@example.org');
    assert.equal(after.length, 2);
    assert.match(after[1].text, /vic replied to your comment/);
    assert.doesNotMatch(after[1].text, /mentioned you/);
    assert.equal(new URL(/<([^>]+)>/.exec(after[1].headers.get('list-unsubscribe')!)![1]).searchParams.get('k'), 'reply');
  });

  test('a link without kinds (mails sent before) still stops everything; so does the settings page', async () => {
    const wes = await loggedIn(app, 'wes');
    const wesId = await uid('wes');
    await n().setEmailKinds(wesId, ['reply', 'mention']);
    const all = new URL(await n().unsubscribeUrl(wesId));
    assert.equal(all.searchParams.get('k'), null);
    assert.equal((await oneClick(`${all.pathname}${all.search}`)).status, 200);
    assert.deepEqual(await n().emailKinds(wesId), []);

    await n().setEmailKinds(wesId, ['reply', 'top10']);
    const saved = await wes.postForm('/settings/notifications', {});
    assert.equal(saved.status, 303);
    assert.deepEqual(await n().emailKinds(wesId), [], 'no box ticked: no notification mail');
  });
});
