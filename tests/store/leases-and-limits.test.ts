import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';

forEachStore('LeaseRepository', (ctx) => {
  test('one holder at a time; an expired lease can be taken over', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    assert.equal(await ctx.store.leases.acquire('harvest', 'a', 60_000, t0), true);
    assert.equal(await ctx.store.leases.acquire('harvest', 'b', 60_000, t0), false);
    assert.equal(await ctx.store.leases.acquire('harvest', 'a', 60_000, t0), true, 'the holder may re-acquire');
    assert.equal(await ctx.store.leases.holder('harvest', t0), 'a');
    const later = new Date(t0.getTime() + 61_000);
    assert.equal(await ctx.store.leases.acquire('harvest', 'b', 60_000, later), true);
    assert.equal(await ctx.store.leases.renew('harvest', 'a', 60_000, later), false);
    await ctx.store.leases.release('harvest', 'b');
    assert.equal(await ctx.store.leases.holder('harvest', later), null);
  });

  test('many processes racing for a free lease: exactly one wins', async () => {
    const now = new Date('2026-02-01T00:00:00Z');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.store.leases.acquire('digest', `p${i}`, 60_000, now)));
    assert.equal(results.filter(Boolean).length, 1);
  });
});

forEachStore('RateLimitRepository', (ctx) => {
  test('counts within a window, refuses over the limit, resets with the next window', async () => {
    const t = Date.parse('2026-01-01T00:00:05Z');
    for (let i = 1; i <= 3; i++) assert.equal((await ctx.store.rateLimits.hit('login:ip', 3, 60, t)).allowed, true);
    const over = await ctx.store.rateLimits.hit('login:ip', 3, 60, t);
    assert.equal(over.allowed, false);
    assert.equal(over.retryAfter, 55);
    assert.equal((await ctx.store.rateLimits.hit('login:ip', 3, 60, t + 60_000)).allowed, true);
  });

  test('concurrent hits are all counted', async () => {
    const t = Date.parse('2026-03-01T00:00:00Z');
    await Promise.all(Array.from({ length: 30 }, () => ctx.store.rateLimits.hit('burst', 100, 60, t)));
    assert.equal(await ctx.store.rateLimits.peek('burst', 60, t), 30);
  });
});
