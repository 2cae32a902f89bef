import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loopTurns } from '../helpers/event-loop.ts';

/**
 * "Papers modified since": what a keyword index beside the store catches up with at every start.
 * On SQLite it reads the whole table (no index on modified_at), so it goes in rowid slices with
 * the event loop free between them; the answer must be the unsliced one.
 */
forEachStore('papers modified since, in slices', (ctx) => {
  const at = (i: number) => `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`;

  test('the slices hold exactly the papers modifiedSince returns, and a timer runs between them', async () => {
    // 23 papers, modified at 10 different times (ids and times not in the same order).
    for (let i = 0; i < 23; i++) await ctx.store.papers.upsertMany([makePaper({ id: `2601.${String(100 - i).padStart(5, '0')}` })], at(i % 10));
    const after = { modifiedAt: at(4), id: '2601.00090' };
    const expected = (await ctx.store.papers.modifiedSince(after, 1000)).map((p) => p.id).sort();
    assert.ok(expected.length > 5 && expected.length < 23, `a proper subset: ${expected.length}`);
    const turns = loopTurns();
    const got: string[] = [];
    let slices = 0;
    for await (const slice of ctx.store.papers.modifiedSinceSliced(after, 4)) {
      slices++;
      for (const p of slice) {
        got.push(p.id);
        assert.ok(p.modifiedAt > after.modifiedAt || (p.modifiedAt === after.modifiedAt && p.id > after.id));
      }
    }
    const ticks = turns.stop();
    assert.deepEqual(got.sort(), expected);
    assert.ok(slices >= 2, `several slices: ${slices}`);
    if (ctx.kind === 'sqlite') assert.ok(ticks >= 5, `the event loop ran between the slices (${ticks} turns)`);
  });

  test('the capped count is the same in slices, and stops at the cap', async () => {
    const after = { modifiedAt: at(4), id: '2601.00090' };
    const all = (await ctx.store.papers.modifiedSince(after, 1000)).length;
    assert.equal(await ctx.store.papers.countModifiedSince(after, 1000, 3), all);
    assert.equal(await ctx.store.papers.countModifiedSince(after, 1000), all);
    assert.equal(await ctx.store.papers.countModifiedSince(after, 2, 3), 2);
    assert.equal(await ctx.store.papers.countModifiedSince({ modifiedAt: at(99), id: '' }, 10, 3), 0);
  });

  test('the count walks slices of a few thousand rows by default, with the event loop free between them', async () => {
    await ctx.store.papers.upsertMany(Array.from({ length: 4500 }, (_, i) => makePaper({ id: `2602.${String(i).padStart(5, '0')}` })), at(1));
    const turns = loopTurns();
    const n = await ctx.store.papers.countModifiedSince({ modifiedAt: at(0), id: '' }, 10_000);
    const ticks = turns.stop();
    assert.ok(n >= 4500);
    if (ctx.kind === 'sqlite') assert.ok(ticks >= 2, `the event loop ran between the slices (${ticks} turns)`);
  });
});
