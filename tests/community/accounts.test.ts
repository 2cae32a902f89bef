import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, MAILBOXES, confirmToken, startTestApp, waitForMail, type TestApp } from '../helpers/community.ts';
import { hashToken } from '../../src/services/secrets.ts';

forEachStore('accounts over HTTP', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, { LOGIN_FREE_ATTEMPTS: '3', LOGIN_FREE_ATTEMPTS_PER_IP: '1000', LOGIN_BACKOFF_BASE_SECONDS: '30', RATE_LIMIT_SIGNUP_IP: '1000/60', RATE_LIMIT_LOGIN_IP: '1000/60' });
  });
  after(() => app.close());

  test('sign-up: the mailed link creates the account and sets an HttpOnly, SameSite=Lax session cookie; nobody is admin by sign-up order', async () => {
    const a = new Client(app.url);
    const r = await a.signup('ada');
    assert.equal(r.json.user.role, 'member', 'the first account is a member: admins are made by `paperboy users promote`');
    await ctx.store.users.setRole(r.json.user.id, 'admin');
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('pb_session='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Secure/i, 'plain http: no Secure flag');
    const b = new Client(app.url);
    assert.equal((await b.signup('bob')).json.user.role, 'member');
    const again = await new Client(app.url).post('/api/auth/signup', { username: 'BOB', email: 'other@example.org', password: 'long enough pw' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'username_taken');
    const bad = await new Client(app.url).post('/api/auth/signup', { username: 'x', email: 'nope', password: 'short' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /username/);
  });

  test('the cookie is Secure when the site is served over https', async () => {
    const r = await new Client(app.url).post('/api/auth/login', { username: 'ada', password: 'correct horse battery' }, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.getSetCookie().find((c) => c.startsWith('pb_session='))!, /Secure/);
  });

  test('log-in issues a new session id and ends the one the browser came with (session rotation)', async () => {
    const c = new Client(app.url);
    await c.post('/api/auth/login', { username: 'ada', password: 'correct horse battery' });
    const first = c.cookies.get('pb_session')!;
    await c.post('/api/auth/login', { username: 'ada', password: 'correct horse battery' });
    const second = c.cookies.get('pb_session')!;
    assert.notEqual(first, second);
    const stale = new Client(app.url);
    stale.cookies.set('pb_session', first);
    assert.equal((await stale.get('/api/auth/session')).status, 401, 'the old session id no longer works');
    assert.equal((await c.get('/api/auth/session')).json.user.username, 'ada');

    // A session id planted by an attacker never becomes a logged-in one.
    const victim = new Client(app.url);
    victim.cookies.set('pb_session', 'planted-by-attacker');
    await victim.post('/api/auth/login', { username: 'ada', password: 'correct horse battery' });
    assert.notEqual(victim.cookies.get('pb_session'), 'planted-by-attacker');
  });

  test('log out ends the session; "log out everywhere" ends them all', async () => {
    const one = new Client(app.url);
    const two = new Client(app.url);
    await one.post('/api/auth/login', { username: 'bob', password: 'correct horse battery' });
    await two.post('/api/auth/login', { username: 'bob', password: 'correct horse battery' });
    const oneCookie = one.cookies.get('pb_session')!;
    assert.equal((await one.post('/api/auth/logout')).status, 204);
    const replay = new Client(app.url);
    replay.cookies.set('pb_session', oneCookie);
    assert.equal((await replay.get('/api/auth/session')).status, 401);
    assert.equal((await two.get('/api/auth/session')).status, 200);

    const three = new Client(app.url);
    await three.post('/api/auth/login', { username: 'bob', password: 'correct horse battery' });
    const r = await three.post('/api/auth/logout-everywhere');
    assert.equal(r.status, 200);
    assert.ok(r.json.ended >= 2);
    assert.equal((await two.get('/api/auth/session')).status, 401);
    assert.equal((await three.get('/api/auth/session')).status, 401);
  });

  test('wrong password and unknown account get the same answer', async () => {
    const wrong = await new Client(app.url).post('/api/auth/login', { username: 'bob', password: 'not the password' });
    const unknown = await new Client(app.url).post('/api/auth/login', { username: 'nobody-here', password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, wrong.status);
    assert.deepEqual(unknown.json, wrong.json);
    await ctx.store.loginFailures.clear('user:bob');
  });

  test('log-in is throttled after repeated failures, even with the right password, with a growing back-off', async () => {
    await new Client(app.url).signup('carol');
    const c = new Client(app.url);
    for (let i = 0; i < 3; i++) assert.equal((await c.post('/api/auth/login', { username: 'carol', password: `guess ${i}` })).status, 401);
    const blocked = await c.post('/api/auth/login', { username: 'carol', password: 'correct horse battery' });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.json.error.code, 'login_throttled');
    const wait = Number(blocked.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 30, `Retry-After ${wait}`);
    // The same for a name nobody has: throttling does not reveal which accounts exist.
    for (let i = 0; i < 3; i++) await c.post('/api/auth/login', { username: 'ghost', password: `guess ${i}` });
    assert.equal((await c.post('/api/auth/login', { username: 'ghost', password: 'x' })).status, 429);
    // The back-off doubles with each further failure.
    const policy = { freeAttempts: 3, baseSeconds: 30, maxSeconds: 900 };
    const t = Date.parse('2026-01-01T00:00:00Z');
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await ctx.store.loginFailures.recordFailure('user:growth', policy, t));
    assert.deepEqual(waits, [0, 0, 30, 60, 120, 240]);
    // Other accounts are not affected by carol's lock.
    assert.equal((await new Client(app.url).post('/api/auth/login', { username: 'ada', password: 'correct horse battery' })).status, 200);
  });

  test('log-in is rate limited per IP', async () => {
    const strict = await startTestApp(ctx.store, { RATE_LIMIT_LOGIN_IP: '2/60' });
    try {
      const c = new Client(strict.url);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await c.post('/api/auth/login', { username: 'dave-ip-test', password: 'x' })).status);
      // The counter is shared with other tests' log-ins only within this window and key; the last is over the limit.
      assert.equal(statuses.at(-1), 429);
    } finally {
      await strict.close();
    }
  });

  test('API tokens: created with the session, used as Bearer (no CSRF needed), revoked', async () => {
    const c = new Client(app.url);
    await c.post('/api/auth/login', { username: 'ada', password: 'correct horse battery' });
    assert.equal((await c.post('/api/tokens', { name: 'script' }, { csrf: false })).status, 403, 'cookie writes need the CSRF token');
    const created = await c.post('/api/tokens', { name: 'script' });
    assert.equal(created.status, 201);
    assert.match(created.json.token, /^pb_/);
    const script = new Client(app.url);
    script.bearer = created.json.token;
    assert.equal((await script.get('/api/auth/session')).json.user.username, 'ada');
    const mine = await c.get('/api/tokens');
    assert.equal(mine.json.tokens.length, 1);
    assert.equal(mine.json.tokens[0].name, 'script');
    assert.equal('token' in mine.json.tokens[0], false, 'a token is shown once only');
    assert.equal((await c.delete(`/api/tokens/${created.json.id}`)).status, 204);
    const after = await script.get('/api/auth/session');
    assert.equal(after.status, 401);
    assert.equal(after.json.error.code, 'invalid_token');
    assert.equal((await c.delete(`/api/tokens/${created.json.id}`)).status, 404);
  });

  test('a banned account is refused: its sessions end, its tokens and log-ins are rejected', async () => {
    const admin = new Client(app.url);
    await admin.post('/api/auth/login', { username: 'ada', password: 'correct horse battery' });
    const eve = new Client(app.url);
    await eve.signup('eve');
    const token = (await eve.post('/api/tokens', { name: 't' })).json.token;
    const ban = await admin.post('/api/admin/users/eve/ban', { reason: 'spam' });
    assert.equal(ban.status, 200);
    assert.equal(ban.json.banned, true);
    assert.equal((await eve.get('/api/auth/session')).status, 401);
    const script = new Client(app.url);
    script.bearer = token;
    const byToken = await script.get('/api/auth/session');
    assert.equal(byToken.status, 403);
    assert.equal(byToken.json.error.code, 'banned');
    const login = await new Client(app.url).post('/api/auth/login', { username: 'eve', password: 'correct horse battery' });
    assert.equal(login.status, 403);
    assert.equal((await eve.post('/api/auth/login', { username: 'eve', password: 'wrong password' })).status, 401, 'a wrong password still says nothing more');
  });

  test('password reset: same answer for any address, a mailed single-use link, sessions ended', async () => {
    const frank = new Client(app.url);
    await frank.signup('frank', 'old password 1', 'frank@example.org');
    const before = app.smtp.accepted.length;
    const known = await new Client(app.url).post('/api/auth/password-reset', { email: 'FRANK@example.org' });
    const unknown = await new Client(app.url).post('/api/auth/password-reset', { email: 'nobody@example.org' });
    await app.services.afterResponse.drain();
    assert.equal(known.status, 202);
    assert.equal(unknown.status, known.status);
    assert.deepEqual(unknown.json, known.json);
    assert.equal(app.smtp.accepted.length, before + 1, 'only the registered address gets mail');
    const msg = app.smtp.accepted.at(-1)!;
    assert.deepEqual(msg.to, ['frank@example.org']);
    assert.equal(msg.subject, 'Reset your Paperboy password');
    const link = /(http\S+\/reset-password\?token=(\S+))/.exec(msg.text)!;
    const token = decodeURIComponent(link[2]);
    const page = await new Client(app.url).get(`/reset-password?token=${encodeURIComponent(token)}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /name="password"/);

    const done = await new Client(app.url).post('/api/auth/password-reset/confirm', { token, password: 'new password 2' });
    assert.equal(done.status, 200);
    assert.equal((await frank.get('/api/auth/session')).status, 401, 'a reset ends every session');
    const reuse = await new Client(app.url).post('/api/auth/password-reset/confirm', { token, password: 'third password 3' });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.json.error.code, 'invalid_reset_link');
    assert.equal((await new Client(app.url).post('/api/auth/login', { username: 'frank', password: 'old password 1' })).status, 401);
    assert.equal((await new Client(app.url).post('/api/auth/login', { username: 'frank', password: 'new password 2' })).status, 200);

    // An expired link is refused too.
    const user = (await ctx.store.users.byUsername('frank'))!;
    await ctx.store.passwordResets.create({ tokenHash: hashToken('expired-token'), userId: user.id, expiresAt: new Date(Date.now() - 1000).toISOString() });
    assert.equal((await new Client(app.url).post('/api/auth/password-reset/confirm', { token: 'expired-token', password: 'whatever pw 4' })).status, 400);
  });

  test('the HTML forms: sign up, log in (with the page CSRF token), settings, log out', async () => {
    const b = new Client(app.url);
    await b.get('/signup');
    assert.ok(b.csrf, 'the page carries a CSRF token');
    const signup = await b.postForm('/signup', { username: 'gina', email: 'gina@example.org', password: 'gina password' });
    assert.equal(signup.status, 202);
    assert.match(signup.text, /Check your mail/);
    const token = await waitForMail(MAILBOXES.get(app.url)!, 'gina@example.org', confirmToken);
    const confirmPage = await b.get(`/confirm-account?token=${token}`);
    assert.equal(confirmPage.status, 200);
    assert.equal((await ctx.store.users.byUsername('gina')), null, 'opening the link (a GET, as mail scanners do) creates nothing');
    const confirmed = await b.postForm('/confirm-account', { token: decodeURIComponent(token) });
    assert.equal(confirmed.status, 303);
    const settings = await b.get('/settings');
    assert.equal(settings.status, 200);
    assert.match(settings.text, /Log out everywhere/);
    // post/redirect/get: creating a token redirects (a refresh cannot create a second one) and the
    // token is shown once, from a server-side flash, never in the URL.
    const created = await b.postForm('/settings/tokens', { name: 'cli' });
    assert.equal(created.status, 303);
    assert.equal(created.headers.get('location'), '/settings');
    const shown = await b.get('/settings');
    assert.match(shown.text, /Token “cli” created/);
    assert.match(shown.text, /data-new-token[^>]*>pb_/);
    assert.doesNotMatch((await b.get('/settings')).text, /data-new-token/, 'shown once');
    assert.equal((await ctx.store.apiTokens.listForUser((await ctx.store.users.byUsername('gina'))!.id)).length, 1);
    assert.equal((await b.postForm('/logout', {})).status, 303);
    assert.equal((await b.get('/settings')).headers.get('location'), '/login?next=%2Fsettings');

    const login = new Client(app.url);
    await login.get('/login');
    const bad = await login.postForm('/login', { username: 'gina', password: 'nope nope' });
    assert.equal(bad.status, 401);
    assert.match(bad.text, /class="form-error"><span aria-hidden="true">⚠<\/span> Wrong username or password\./, 'a styled error, in sentence case');
    const ok = await login.postForm('/login', { username: 'gina', password: 'gina password', next: '//evil.example/' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/', 'no open redirect');
    // A log-in form posted without the page's token is refused.
    const forged = new Client(app.url);
    assert.equal((await forged.postForm('/login', { username: 'gina', password: 'gina password' })).status, 403);
  });

  test('a logged-in visitor\'s other forms (subscribe) need the page token too; anonymous pages set no cookie', async () => {
    const anon = await new Client(app.url).get('/');
    assert.equal(anon.headers.getSetCookie().length, 0, 'the feed stays cookie-free for anonymous visitors');
    const u = new Client(app.url);
    await u.post('/api/auth/login', { username: 'ada', password: 'correct horse battery' });
    const forged = await u.postForm('/subscribe', { email: 'ada@example.org', frequency: 'daily' }, { csrf: false });
    assert.equal(forged.status, 403);
    const ok = await u.postForm('/subscribe', { email: 'ada@example.org', frequency: 'daily' });
    assert.equal(ok.status, 303);
  });

  test('many failed log-ins from one IP slow that IP down, whatever names it tries', async () => {
    const strict = await startTestApp(ctx.store, { LOGIN_FREE_ATTEMPTS_PER_IP: '4', LOGIN_BACKOFF_BASE_SECONDS: '30', RATE_LIMIT_LOGIN_IP: '1000/60' });
    const clearIp = async () => {
      for (const ip of ['127.0.0.1', '::ffff:127.0.0.1', '::1']) await ctx.store.loginFailures.clear(`ip:${ip}`);
    };
    await clearIp(); // earlier tests' failures came from this IP too
    try {
      const c = new Client(strict.url);
      for (let i = 0; i < 4; i++) assert.equal((await c.post('/api/auth/login', { username: `spray${i}`, password: 'x' })).status, 401);
      const r = await c.post('/api/auth/login', { username: 'ada', password: 'correct horse battery' });
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers.get('retry-after')) > 0);
    } finally {
      await strict.close();
      await clearIp();
    }
  });
});
