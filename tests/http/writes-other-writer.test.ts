import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { forEachStore } from '../helpers/contract.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { seedApiFixtures } from '../helpers/api-fixtures.ts';
import { apiAuthorizations } from '../helpers/api-tokens.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LOCK_WAIT_MS, statementsWaitingForLock } from '../../src/store/sqlite-lock-wait.ts';

/**
 * Issue 19, "nothing heavy on the request thread" and "bad input never loses data": on SQLite a
 * signed-in write (a vote, a comment, a log-in) while another process (the worker, an import, a
 * reindex) holds the write lock used to wait in SQLite's busy handler, which sleeps the whole
 * process: every other request waited with it, for up to 5 s. Now the write waits on a timer
 * (`src/store/sqlite-lock-wait.ts`) while other requests are served, is made once the lock is
 * free, and when the lock stays held longer than the wait it answers a clear 503 with Retry-After,
 * having written nothing, so the client sends it again.
 */
function holdLock(location: string): { release(): void } {
  const other = new SQLite(location);
  other.exec('begin immediate');
  let open = true;
  return {
    release() {
      if (!open) return;
      open = false;
      other.exec('commit');
      other.close();
    },
  };
}

forEachStore('signed-in writes while another process holds the write lock', (ctx) => {
  let server: RunningApp;
  let token: string;
  let paperIds: string[];
  before(async () => {
    const fx = await seedApiFixtures(ctx.store);
    paperIds = fx.papers.map((p) => p.id);
    server = await startApiServer(ctx.store, { PAGE_CACHE_SECONDS: '0', API_RATE_LIMIT_IP: '1000', API_RATE_LIMIT_TOKEN: '1000' });
    [token] = await apiAuthorizations(server, 1);
  });
  after(() => server.close());

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, { method, headers: { Authorization: token, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  test('a vote waits for the lock with the loop free, and is made once the lock is released', async (t) => {
    if (ctx.store.dialect !== 'sqlite' || !ctx.opened.location) return t.skip('SQLite only: PostgreSQL writers wait for row locks on their own connection');
    const paper = paperIds[1];
    const before = (await ctx.store.papers.get(paper))!.upvotes;
    assert.equal((await send('GET', '/api/daily_papers?limit=1')).status, 200);
    const held = holdLock(ctx.opened.location);
    try {
      let voteSettled = false;
      const vote = send('POST', `/api/papers/${paper}/upvote`).finally(() => (voteSettled = true));
      // Turns of the loop, no clock, until the vote waits for the lock (it was a 100 ms sleep: on a
      // loaded machine the vote could arrive after the read). A vote asleep in SQLite's busy handler
      // never counts as waiting here: it settles (503 after 5 s) first.
      while (statementsWaitingForLock() === 0 && !voteSettled) await nextTurn();
      // The vote is waiting for the lock, which the test holds until the read has answered: the read
      // answers while the vote still waits (for up to LOCK_WAIT_MS, 5 s); a read queued behind the
      // waiting write is answered only after the vote gave up. The read's time is printed, not
      // bounded (it was < 2.5 s, and before that 700 ms: reads of 450 ms were seen on a loaded machine).
      const t0 = performance.now();
      const read = await send('GET', '/api/daily_papers?limit=5');
      await read.arrayBuffer();
      const ms = performance.now() - t0;
      t.diagnostic(`read while a vote waited for the lock: ${ms.toFixed(0)} ms`);
      assert.equal(read.status, 200);
      assert.equal(voteSettled, false, `the read was answered only after the vote that waited for another process's write lock (${ms.toFixed(0)} ms)`);
      held.release();
      const res = await vote;
      t.diagnostic(`vote: ${res.status} after ${(performance.now() - t0).toFixed(0)} ms (lock released once the read answered)`);
      assert.equal(res.status, 200, `the vote answered ${res.status}: ${await res.clone().text()}`);
      assert.equal(((await res.json()) as { upvoted: boolean }).upvoted, true);
    } finally {
      held.release();
    }
    assert.equal((await ctx.store.papers.get(paper))!.upvotes, before + 1, 'the vote was counted once');
  });

  test('a comment while the lock stays held past the wait is a 503 with Retry-After, writes nothing, and goes through when sent again', async (t) => {
    if (ctx.store.dialect !== 'sqlite' || !ctx.opened.location) return t.skip('SQLite only');
    const paper = paperIds[2];
    const held = holdLock(ctx.opened.location);
    let res: Response;
    try {
      const t0 = performance.now();
      res = await send('POST', `/api/papers/${paper}/comments`, { body: 'Held up by an import' });
      assert.ok(performance.now() - t0 >= LOCK_WAIT_MS - 100, 'it waited for the lock first');
    } finally {
      held.release();
    }
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '2');
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'store_busy');
    assert.match(body.error.message, /nothing was changed/);
    const comments = async () => ((await (await send('GET', `/api/papers/${paper}/comments`)).json()) as { comments: unknown[] }).comments.length;
    assert.equal(await comments(), 0, 'nothing was written');
    assert.equal((await ctx.store.papers.get(paper))!.numComments, 0);
    const again = await send('POST', `/api/papers/${paper}/comments`, { body: 'Held up by an import' });
    assert.equal(again.status, 201);
    assert.equal((await ctx.store.papers.get(paper))!.numComments, 1);
    assert.equal(await comments(), 1, 'one comment: the refused one was not kept');
  });
});
