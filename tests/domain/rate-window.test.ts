import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedWindowCounters } from '../../src/domain/rate-window.ts';

// The in-memory counters a SQLite server's rate limits use: the same answers as the store's rows.
const t0 = Date.UTC(2026, 0, 1, 12, 0, 0); // on a 60 s boundary

test('counts to the limit, refuses beyond it with the seconds left, and starts again in the next window', () => {
  const c = new FixedWindowCounters();
  for (let i = 1; i <= 3; i++) assert.deepEqual(c.hit('login:ip', 3, 60, t0 + 1000), { allowed: true, count: i, retryAfter: 59 });
  assert.deepEqual(c.hit('login:ip', 3, 60, t0 + 45_500), { allowed: false, count: 4, retryAfter: 15 });
  assert.equal(c.hit('other', 3, 60, t0 + 45_500).count, 1, 'keys count separately');
  assert.deepEqual(c.hit('login:ip', 3, 60, t0 + 60_000), { allowed: true, count: 1, retryAfter: 60 });
});

test('windows that have ended are dropped, so memory follows the current clients', () => {
  const c = new FixedWindowCounters();
  for (let i = 0; i < 100; i++) c.hit(`ip:${i}`, 10, 60, t0);
  assert.equal(c.size, 100);
  c.hit('ip:late', 10, 60, t0 + 61_000);
  assert.equal(c.size, 1);
});
