import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublishedVersionFollower } from '../../src/search/published-version-follower.ts';
import type { IndexVersion } from '../../src/store/search-index-files.ts';

const row = (version: number): IndexVersion => ({ name: 'x', version, format: 1, checksum: 'c', bytes: 1, papers: 1, cursor: { modifiedAt: '', id: '' }, stored: false, publishedAt: '' });

/** A follower over a version row the test moves, counting the swaps it asks for. */
function follower(opts: { pollMs?: number; swapOk?: boolean } = {}) {
  const state = { published: null as number | null, latestCalls: 0, swaps: 0, release: undefined as (() => void) | undefined };
  const f: PublishedVersionFollower = new PublishedVersionFollower({
    latest: async () => {
      state.latestCalls++;
      return state.published === null ? null : row(state.published);
    },
    swapIn: async () => {
      state.swaps++;
      await new Promise<void>((r) => (state.release = r));
      if (opts.swapOk === false) return false;
      f.version = state.published;
      return true;
    },
    pollMs: opts.pollMs ?? 60_000,
    what: 'a test index',
  });
  return { f, state };
}

test('swaps in only a version newer than the one served, one check at a time', async () => {
  const { f, state } = follower();
  assert.equal(await f.poll(), false, 'nothing published');
  state.published = 3;
  f.loaded(3);
  assert.equal(await f.poll(), false, 'the served version is the newest');
  state.published = 4;
  const first = f.poll();
  const second = f.poll();
  assert.equal(first, second, 'a second check while one runs joins it');
  await new Promise((r) => setImmediate(r));
  state.release!();
  assert.equal(await first, true);
  assert.equal(f.version, 4);
  assert.equal(state.swaps, 1);
});

test('a version that cannot be served leaves the old one, and is tried again at the next check', async () => {
  const { f, state } = follower({ swapOk: false });
  f.loaded(1);
  state.published = 2;
  const p = f.poll();
  await new Promise((r) => setImmediate(r));
  state.release!();
  assert.equal(await p, false);
  assert.equal(f.version, 1);
  const again = f.poll();
  await new Promise((r) => setImmediate(r));
  state.release!();
  await again;
  assert.equal(state.swaps, 2);
});

test('the background check runs once per pollMs, counted from the last load or check', async () => {
  const { f, state } = follower({ pollMs: 60_000 });
  f.loaded(1);
  f.pollInBackground();
  assert.equal(state.latestCalls, 0, 'just loaded: not due');
  const quick = follower({ pollMs: 0 });
  quick.f.loaded(1);
  quick.f.pollInBackground();
  quick.f.pollInBackground();
  await new Promise((r) => setImmediate(r));
  assert.equal(quick.state.latestCalls, 1, 'the second call found the first still running');
});
