import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, MAILBOXES, confirmToken, loggedIn, startTestApp, waitForMail, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { hashToken } from '../../src/services/secrets.ts';

// Issue 15, findings 3, 9 and 10: who owns an address and its subscription, sign-up races and
// enumeration. Each test failed on the code before the fix.

const RELAXED = { RATE_LIMIT_SIGNUP_IP: '1000/60', RATE_LIMIT_LOGIN_IP: '1000/60', RATE_LIMIT_RESET_IP: '1000/60', CONFIRM_MAILS_PER_IP: '1000/60' };

forEachStore('trust: addresses, subscriptions, sign-ups', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, RELAXED);
  });
  after(() => app.close());
  const mailbox = () => MAILBOXES.get(app.url)!;

  async function activeSubscription(email: string) {
    const { subscription } = await app.services.subscriptions.subscribe({ email, frequency: 'daily', categories: ['cs.LG'], personalPicks: false });
    const url = new URL(await app.services.mail.confirmUrl(subscription));
    assert.equal(await app.services.subscriptions.confirm({ id: subscription.id, exp: Number(url.searchParams.get('exp')), sig: url.searchParams.get('sig')! }), 'ok');
    return subscription;
  }

  test("an account claiming someone's address (another case, unverified) neither sees, changes nor takes that address's subscription", async () => {
    // An account from before addresses were verified, claiming the victim's address.
    await ctx.store.users.create({ username: 'mallory', email: 'Victim@Example.ORG', passwordHash: 'x' });
    const sub = await activeSubscription('victim@example.org');
    const m = await loggedIn(app, 'mallory');
    const page = await m.get('/settings/mail');
    assert.equal(page.status, 200);
    assert.match(page.text, /data-status="none"/, 'the victim\'s subscription is not shown');
    assert.equal((await m.postForm('/settings/mail', { frequency: 'weekly', categories: 'math' })).status, 400);
    await m.postForm('/settings/mail/unsubscribe', {});
    assert.equal((await m.post('/api/subscriptions', { email: 'VICTIM@example.org', frequency: 'weekly', categories: ['math'] })).status, 202);
    const now = (await ctx.store.subscriptions.get(sub.id))!;
    assert.deepEqual([now.status, now.frequency, now.categories, now.userId], ['active', 'daily', ['cs.LG'], null]);
  });

  test("posting someone else's pending address while signed in never attaches it, not even ten requests at once", async () => {
    const { subscription } = await app.services.subscriptions.subscribe({ email: 'pending-victim@example.org', frequency: 'daily', categories: [], personalPicks: false });
    const attackers = [await loggedIn(app, 'att1'), await loggedIn(app, 'att2')];
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => attackers[i % 2].post('/api/subscriptions', { email: i % 3 ? 'PENDING-victim@example.org' : 'pending-victim@example.org', frequency: 'weekly' })),
    );
    assert.ok(replies.every((r) => r.status === 202));
    assert.equal((await ctx.store.subscriptions.get(subscription.id))!.userId, null);
    await ctx.store.subscriptions.confirm(subscription.id); // the victim follows the link later
    for (const a of attackers) assert.doesNotMatch((await a.get('/settings/mail')).text, /pending-victim/i);
  });

  test('an account links to the subscription of its address once it followed the mailed link', async () => {
    const sub = await activeSubscription('legacy@example.org');
    const user = await ctx.store.users.create({ username: 'legacy', email: 'Legacy@example.org', passwordHash: 'x' });
    const c = await loggedIn(app, 'legacy');
    assert.match((await c.get('/settings')).text, /not confirmed yet/);
    assert.equal((await c.postForm('/settings/verify-email', {})).status, 200);
    const token = await waitForMail(mailbox(), 'Legacy@example.org', confirmToken);
    assert.equal((await ctx.store.subscriptions.get(sub.id))!.userId, null, 'asking is not verifying');
    assert.equal((await c.postForm('/confirm-account', { token: decodeURIComponent(token) })).status, 303);
    assert.equal((await ctx.store.subscriptions.get(sub.id))!.userId, user.id);
    assert.match((await c.get('/settings/mail')).text, /data-status="active"/);
    await c.postForm('/settings/mail', { frequency: 'weekly', categories: 'math' });
    assert.equal((await ctx.store.subscriptions.get(sub.id))!.frequency, 'weekly');
    assert.equal((await c.post('/api/auth/confirm', { token: decodeURIComponent(token) })).status, 400, 'a link works once');
  });

  test('an address subscribed while signed out joins the account that verified it, once the subscription is confirmed', async () => {
    const c = await loggedIn(app, 'verified1');
    const user = (await ctx.store.users.byUsername('verified1'))!;
    const { subscription } = await app.services.subscriptions.subscribe({ email: 'VERIFIED1@example.org', frequency: 'daily', categories: [], personalPicks: true });
    assert.equal((await ctx.store.subscriptions.get(subscription.id))!.userId, null, 'not before the mailbox owner confirms');
    const url = new URL(await app.services.mail.confirmUrl(subscription));
    assert.equal(await app.services.subscriptions.confirm({ id: subscription.id, exp: Number(url.searchParams.get('exp')), sig: url.searchParams.get('sig')! }), 'ok');
    assert.equal((await ctx.store.subscriptions.get(subscription.id))!.userId, user.id);
    assert.match((await c.get('/settings/mail')).text, /data-status="active"/);
  });

  test('sign-up answers the same for a new and a taken address (any case) and makes no account with the taken one', async () => {
    await new Client(app.url).signup('owner1', 'correct horse battery', 'owner1@example.org');
    const fresh = await new Client(app.url).post('/api/auth/signup', { username: 'newbie', email: 'newbie@example.org', password: 'long enough pw' });
    const taken = await new Client(app.url).post('/api/auth/signup', { username: 'intruder', email: 'OWNER1@example.org', password: 'long enough pw' });
    assert.equal(fresh.status, 202);
    assert.equal(taken.status, fresh.status);
    assert.deepEqual(taken.json, fresh.json);
    assert.equal(taken.headers.get('set-cookie'), fresh.headers.get('set-cookie'));
    await app.services.afterResponse.drain();
    assert.equal(await ctx.store.users.byUsername('intruder'), null);
    const note = mailbox()('owner1@example.org').at(-1)!;
    assert.match(note, /already has one/);
    assert.equal(confirmToken(note), undefined, 'the owner gets no link that would make a second account');
    const login = await new Client(app.url).post('/api/auth/login', { username: 'intruder', password: 'long enough pw' });
    assert.equal(login.status, 401);
  });

  test('names and addresses are unique whatever their case, even for ten sign-ups at once', async () => {
    const names = ['Twin', 'TWIN', 'twin', 'tWin', 'twIn', 'twiN', 'TWin', 'tWIN', 'TwIn', 'tWiN'];
    const made = await Promise.allSettled(names.map((username, i) => ctx.store.users.create({ username, email: `twin${i}@example.org`, passwordHash: 'x' })));
    assert.equal(made.filter((r) => r.status === 'fulfilled').length, 1, 'one account per name');
    const mails = await Promise.allSettled(names.map((_, i) => ctx.store.users.create({ username: `mail${i}`, email: i % 2 ? 'Same@Example.org' : 'same@example.ORG', passwordHash: 'x' })));
    assert.equal(mails.filter((r) => r.status === 'fulfilled').length, 1, 'one account per address');

    // Through the site: ten pending sign-ups for one name in different cases; one link wins.
    const replies = await Promise.all(names.map((n, i) => new Client(app.url).post('/api/auth/signup', { username: `${n}2`, email: `pair${i}@example.org`, password: 'long enough pw' })));
    assert.ok(replies.every((r) => r.status === 202));
    const tokens = await Promise.all(names.map((_, i) => waitForMail(mailbox(), `pair${i}@example.org`, confirmToken)));
    const confirms = await Promise.all(tokens.map((t) => new Client(app.url).post('/api/auth/confirm', { token: decodeURIComponent(t) })));
    assert.equal(confirms.filter((r) => r.status === 200).length, 1);
    assert.ok(confirms.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.json.error.code === 'username_taken'));
  });

  test('a sign-up link works once and not after it expired', async () => {
    const expired = 'expired-signup-link';
    await ctx.store.accountConfirmations.create({ tokenHash: hashToken(expired), purpose: 'signup', userId: null, username: 'latecomer', email: 'late@example.org', passwordHash: 'x', expiresAt: new Date(Date.now() - 1000).toISOString() });
    const late = await new Client(app.url).post('/api/auth/confirm', { token: expired });
    assert.equal(late.status, 400);
    assert.equal(await ctx.store.users.byUsername('latecomer'), null);
    assert.equal((await new Client(app.url).get(`/confirm-account?token=${expired}`)).status, 400);
  });

  test('a banned name resolves to that account only (no case sibling to fall through to)', async () => {
    await ctx.store.users.create({ username: 'Spammer', email: 'spammer@example.org', passwordHash: 'x' });
    await assert.rejects(ctx.store.users.create({ username: 'spammer', email: 'other-spammer@example.org', passwordHash: 'x' }));
    assert.equal((await ctx.store.users.byUsername('SPAMMER'))!.email, 'spammer@example.org');
  });
});

forEachStore('trust: no admin by sign-up order', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, RELAXED);
  });
  after(() => app.close());

  test('ten concurrent first sign-ups make no admin; `users promote` does', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `first${i}`);
    await Promise.all(names.map((n) => new Client(app.url).signup(n)));
    const roles = await Promise.all(names.map(async (n) => (await ctx.store.users.byUsername(n))!.role));
    assert.deepEqual(roles, names.map(() => 'member'));
    await app.services.moderation.promote(null, 'first3');
    assert.equal((await ctx.store.users.byUsername('first3'))!.role, 'admin');
  });
});

forEachStore('trust: quotas and counts under concurrency', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, { SUBMISSION_DAILY_QUOTA: '3', RATE_LIMIT_SUBMIT_USER: '1000/60', RATE_LIMIT_SUBMIT_IP: '1000/60' });
  });
  after(() => app.close());

  test('ten concurrent submissions by one account pass a quota of 3 exactly three times; refused ones give their slot back', async () => {
    const recent = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const papers = Array.from({ length: 11 }, () => makePaper({ publishedAt: recent }));
    await ctx.store.papers.upsertMany(papers);
    const onFeed = papers.pop()!;
    await ctx.store.feed.addMany([{ paperId: onFeed.id, day: recent }]);
    const u = await loggedIn(app, 'eager');
    assert.equal((await u.post('/api/papers/submit', { arxivId: onFeed.id })).status, 409, 'already on the feed');
    const replies = await Promise.all(papers.map((p) => u.post('/api/papers/submit', { arxivId: p.id })));
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429, 429, 429, 429, 429]);
    assert.equal(await ctx.store.submissionQuota.used((await ctx.store.users.byUsername('eager'))!.id, new Date().toISOString().slice(0, 10)), 3);
  });

  test('addMany counts only the rows it really inserted', async () => {
    const p = makePaper();
    await ctx.store.papers.upsertMany([p]);
    assert.equal(await ctx.store.feed.addMany([{ paperId: p.id, day: '2025-08-01' }]), 1);
    // `isNew` skips the look-up, so the insert itself meets the conflict.
    assert.equal(await ctx.store.transaction((tx) => tx.feed.addMany([{ paperId: p.id, day: '2025-08-02', isNew: true }])), 0);
    assert.equal(await ctx.store.feed.addMany([{ paperId: p.id, day: '2025-08-02', isNew: true }]), 0);
    // Five writers adding the same twenty papers at once add twenty in all.
    const many = Array.from({ length: 20 }, () => makePaper());
    await ctx.store.papers.upsertMany(many);
    const counts = await Promise.all(Array.from({ length: 5 }, () => ctx.store.transaction((tx) => tx.feed.addMany(many.map((m) => ({ paperId: m.id, day: '2025-08-03', isNew: true }))))));
    assert.equal(counts.reduce((a, b) => a + b, 0), 20);
  });
});
