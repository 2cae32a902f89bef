import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRENDING_WINDOW_DAYS, rankTrending, trendingScore, trendingWindow } from '../../src/domain/trending.ts';

const at = (iso: string) => new Date(iso);

test('the score is (upvotes + comments/2 + 1) / (hours + 2)^1.5', () => {
  const now = at('2025-08-02T10:00:00Z');
  // 10 hours old, 4 upvotes, 2 comments: (4 + 1 + 1) / 12^1.5
  assert.ok(Math.abs(trendingScore({ upvotes: 4, numComments: 2, since: '2025-08-02T00:00:00Z' }, now) - 6 / Math.pow(12, 1.5)) < 1e-12);
  // A bare date is midnight UTC.
  assert.equal(trendingScore({ upvotes: 4, numComments: 2, since: '2025-08-02' }, now), trendingScore({ upvotes: 4, numComments: 2, since: '2025-08-02T00:00:00Z' }, now));
});

test('time decay: last week’s hit gives way to today’s paper as the clock moves', () => {
  const hit = { upvotes: 60, numComments: 10, since: '2025-08-01' };
  const fresh = (day: string) => ({ id: 'fresh', upvotes: 5, numComments: 0, since: day });
  const ids = (day: string, now: Date) => rankTrending([{ id: 'hit', ...hit }, fresh(day)], (x) => x, now).map((x) => x.id);
  // The next morning the hit still leads a paper of that day with a few votes...
  assert.deepEqual(ids('2025-08-02', at('2025-08-02T06:00:00Z')), ['hit', 'fresh']);
  // ...five days on, the same few votes on a new paper beat it.
  assert.deepEqual(ids('2025-08-06', at('2025-08-06T06:00:00Z')), ['fresh', 'hit']);
});

test('papers older than the window are not trending at all; ties keep their order', () => {
  const now = at('2025-08-20T00:00:00Z');
  const old = { id: 'old', upvotes: 1000, numComments: 0, since: '2025-08-12T23:00:00Z' };
  const edge = { id: 'edge', upvotes: 0, numComments: 0, since: '2025-08-13T00:00:00Z' };
  assert.equal(trendingScore(old, now), 0);
  assert.ok(trendingScore(edge, now) > 0, `exactly ${TRENDING_WINDOW_DAYS} days old is still in`);
  const a = { id: 'a', upvotes: 1, numComments: 0, since: '2025-08-19' };
  const b = { id: 'b', upvotes: 1, numComments: 0, since: '2025-08-19' };
  assert.deepEqual(rankTrending([old, a, b, edge], (x) => x, now).map((x) => x.id), ['a', 'b', 'edge']);
});

test('more votes or more comments rank higher at the same age; a paper from the future counts as brand new', () => {
  const now = at('2025-08-02T12:00:00Z');
  const base = { upvotes: 3, numComments: 0, since: '2025-08-02' };
  assert.ok(trendingScore({ ...base, upvotes: 4 }, now) > trendingScore(base, now));
  assert.ok(trendingScore({ ...base, numComments: 1 }, now) > trendingScore(base, now));
  assert.equal(trendingScore({ ...base, since: '2025-08-03' }, now), 4 / Math.pow(2, 1.5));
});

test('the sliding window ends today, or at the newest feed day of a stopped feed, or at `until`', () => {
  const now = at('2025-08-20T15:00:00Z');
  assert.deepEqual(trendingWindow(now, '2025-08-20'), { from: '2025-08-14', to: '2025-08-20', at: now });
  // The demo set stopped on 2025-08-01: trending as of the end of that day.
  assert.deepEqual(trendingWindow(now, '2025-08-01'), { from: '2025-07-26', to: '2025-08-01', at: at('2025-08-02T00:00:00Z') });
  assert.deepEqual(trendingWindow(now, '2025-08-20', '2025-08-10'), { from: '2025-08-04', to: '2025-08-10', at: at('2025-08-11T00:00:00Z') });
  // A feed day ahead of the clock (a harvest in another time zone) never moves the clock forward.
  assert.deepEqual(trendingWindow(now, '2025-08-21'), { from: '2025-08-14', to: '2025-08-20', at: now });
});
