import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashToken } from '../../src/services/secrets.ts';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { testDb } from '../helpers/stores.ts';

// Defences a mutation check found weakened without any test noticing (issue 15): each test here
// fails when its defence is weakened as the comment says (scripts/mutants.ts does it).

/** A string as long as `s` that differs from it (same length, wrong content). */
const sameLengthOther = (s: string) => [...s].map((ch) => (ch === 'A' ? 'B' : 'A')).join('');

forEachStore('defences that must not weaken unnoticed', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store, { RATE_LIMIT_SIGNUP_IP: '1000/60', RATE_LIMIT_LOGIN_IP: '1000/60' });
  });
  after(() => app.close());

  // Weakened: the CSRF comparison checks only the lengths.
  test('a CSRF token of the right length but the wrong content is refused (session and anonymous forms)', async () => {
    const c = await loggedIn(app, 'csrf-user');
    const real = c.csrf!;
    c.csrf = sameLengthOther(real);
    const forged = await c.post('/api/auth/logout-everywhere');
    assert.equal(forged.status, 403);
    assert.equal(forged.json.error.code, 'csrf');
    const form = await c.postForm('/settings/tokens', { name: 'x' });
    assert.equal(form.status, 403);
    c.csrf = real;
    assert.equal((await c.get('/api/auth/session')).status, 200, 'the session is intact');

    const anon = new Client(app.url);
    await anon.get('/login');
    const cookie = anon.cookies.get('pb_csrf')!;
    assert.ok(cookie);
    const refused = await anon.postForm('/login', { _csrf: sameLengthOther(cookie), username: 'csrf-user', password: 'x' }, { csrf: false });
    assert.equal(refused.status, 403);
  });

  // Weakened: the unsubscribe link's signature is not checked.
  test('an unsubscribe link only works with its own signature', async () => {
    const { subscription } = await app.services.subscriptions.subscribe({ email: 'stays@example.org', frequency: 'daily', categories: [], personalPicks: false });
    await ctx.store.subscriptions.confirm(subscription.id);
    const other = (await app.services.subscriptions.subscribe({ email: 'other@example.org', frequency: 'daily', categories: [], personalPicks: false })).subscription;
    const otherUrl = new URL(await app.services.mail.unsubscribeUrl(other));
    const validSig = new URL(await app.services.mail.unsubscribeUrl(subscription)).searchParams.get('sig')!;
    const attempts = [
      sameLengthOther(validSig), // forged
      otherUrl.searchParams.get('sig')!, // another subscription's signature
      (await app.services.mail.signer()).sign('confirm', subscription.id, subscription.email), // a confirm signature
      '',
    ];
    for (const sig of attempts) {
      const page = await fetch(`${app.url}/unsubscribe?id=${subscription.id}&sig=${encodeURIComponent(sig)}`);
      assert.doesNotMatch(await page.text(), /Unsubscribe<\/button>|name="List-Unsubscribe"/);
      await fetch(`${app.url}/unsubscribe?id=${subscription.id}&sig=${encodeURIComponent(sig)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal((await ctx.store.subscriptions.get(subscription.id))!.status, 'active', `sig ${JSON.stringify(sig.slice(0, 12))} unsubscribed`);
    }
    const ok = await fetch(`${app.url}/unsubscribe?id=${subscription.id}&sig=${encodeURIComponent(validSig)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(ok.status, 200);
    assert.equal((await ctx.store.subscriptions.get(subscription.id))!.status, 'unsubscribed', 'the real link works');
  });

  // Weakened: sessions never expire (the look-up ignores expires_at, or the expiry is not set from SESSION_TTL_DAYS).
  test('a session ends after SESSION_TTL_DAYS: an expired one logs nobody in', async () => {
    const user = await ctx.store.users.create({ username: 'sleeper', email: 'sleeper@example.org', passwordHash: 'x', emailVerified: true });
    const before = Date.now();
    const { sessionToken, session } = await app.services.accounts.openSession(user.id);
    const ttl = app.services.config.sessionTtlDays * 86_400_000;
    const expires = Date.parse(session.expiresAt);
    assert.ok(expires >= before + ttl - 1000 && expires <= Date.now() + ttl + 1000, `expires ${session.expiresAt}`);
    const c = new Client(app.url);
    c.cookies.set('pb_session', sessionToken);
    assert.equal((await c.get('/api/auth/session')).status, 200);
    await testDb(ctx.store).updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id_hash', '=', hashToken(sessionToken)).execute();
    assert.equal((await c.get('/api/auth/session')).status, 401);
    assert.equal(await app.services.accounts.sessionUser(sessionToken), null);
  });
});
