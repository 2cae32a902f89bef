import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import type { LeaseClock } from '../../src/store/leases.ts';

/**
 * A lease clock moved by hand: `advance` moves the time on, running each renewal that falls due on
 * the way, in order, and waiting for its write.
 */
function manualClock(start: Date): LeaseClock & { advance(ms: number): Promise<void>; renewals: number } {
  let now = start.getTime();
  const timers: { every: number; next: number; fn: () => unknown; on: boolean }[] = [];
  return {
    renewals: 0,
    now: () => new Date(now),
    every(ms, fn) {
      const t = { every: ms, next: now + ms, fn, on: true };
      timers.push(t);
      return () => void (t.on = false);
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.on && t.next <= end).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        now = due.next;
        due.next += due.every;
        this.renewals++;
        await due.fn();
      }
      now = end;
    },
  };
}

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

  test('hold: a short lease stays held while the work runs (renewed), is released after it, and is never taken from its holder', async () => {
    // The lease's time is moved by hand (no timer of a loaded machine decides whether a renewal came in time).
    const clock = manualClock(new Date());
    const ttl = 600;
    const during: boolean[] = [];
    const r = await ctx.store.leases.hold(
      'publish',
      'a',
      ttl,
      async () => {
        // Well past the first expiry: only the renewals keep another holder out.
        for (let i = 0; i < 3; i++) {
          await clock.advance(ttl * 0.8);
          during.push(await ctx.store.leases.acquire('publish', 'b', ttl, clock.now()));
        }
        return 'done';
      },
      undefined,
      clock,
    );
    assert.equal(clock.renewals, 7, 'renewed every third of the lease: at 200, 400, … 1,400 ms');
    assert.deepEqual(r, { held: true, value: 'done' });
    assert.deepEqual(during, [false, false, false], 'no one else took the lease while its holder worked');
    assert.equal(await ctx.store.leases.holder('publish'), null, 'released after the work');
    // Held elsewhere: the work does not run.
    assert.equal(await ctx.store.leases.acquire('publish', 'b', 60_000), true);
    let ran = false;
    assert.deepEqual(await ctx.store.leases.hold('publish', 'a', ttl, async () => (ran = true)), { held: false });
    assert.equal(ran, false);
    // Released even when the work fails.
    await ctx.store.leases.release('publish', 'b');
    await assert.rejects(ctx.store.leases.hold('publish', 'a', ttl, async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await ctx.store.leases.holder('publish'), null);
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
