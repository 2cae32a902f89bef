import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

forEachStore('FeedRepository', (ctx) => {
  test('papers go on their day in order, once, and empty days are skipped', async () => {
    const [a, b, c, d] = [makePaper(), makePaper(), makePaper(), makePaper()];
    await ctx.store.papers.upsertMany([a, b, c, d]);
    const added = await ctx.store.feed.addMany([
      { paperId: a.id, day: '2025-08-01' },
      { paperId: b.id, day: '2025-08-01', submittedBy: 'ada' },
      { paperId: c.id, day: '2025-08-04' },
    ]);
    assert.equal(added, 3);
    // Already on the feed: stays on its first day.
    assert.equal(await ctx.store.feed.addMany([{ paperId: a.id, day: '2025-08-04' }]), 0);
    assert.equal(await ctx.store.feed.addMany([{ paperId: d.id, day: '2025-08-01' }]), 1);

    const day = await ctx.store.feed.items('2025-08-01', '2025-08-01');
    assert.deepEqual(
      day.map((i) => [i.paper.id, i.entry.position]),
      [
        [a.id, 1],
        [b.id, 2],
        [d.id, 3],
      ],
    );
    assert.equal(day[1].entry.submittedBy, 'ada');
    assert.equal(await ctx.store.feed.newestDay(), '2025-08-04');
    assert.equal(await ctx.store.feed.adjacentDay('2025-08-04', 'before'), '2025-08-01');
    assert.equal(await ctx.store.feed.adjacentDay('2025-08-01', 'after'), '2025-08-04');
    assert.equal(await ctx.store.feed.adjacentDay('2025-08-04', 'after'), null);
    assert.equal(await ctx.store.feed.countDays(), 2);
    assert.equal(await ctx.store.feed.countItems('2025-08-01', '2025-08-31'), 4);
    assert.deepEqual(
      (await ctx.store.feed.items('2025-08-01', '2025-08-31', { submittedBy: 'ada' })).map((i) => i.paper.id),
      [b.id],
    );
  });

  test('a more upvoted paper comes first', async () => {
    const [a, b] = [makePaper(), makePaper()];
    await ctx.store.papers.upsertMany([a, b]);
    await ctx.store.feed.addMany([
      { paperId: a.id, day: '2025-09-01' },
      { paperId: b.id, day: '2025-09-01' },
    ]);
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 5 }).where('id', '=', b.id).execute();
    const day = await ctx.store.feed.items('2025-09-01', '2025-09-01');
    assert.deepEqual(
      day.map((i) => i.paper.id),
      [b.id, a.id],
    );
  });

  test('a visible paper and its feed entry in one read (the paper page): the entry as entryFor reads it, none off the feed, null when hidden', async () => {
    const [on, off, hidden] = [makePaper(), makePaper(), makePaper()];
    await ctx.store.papers.upsertMany([on, off, hidden]);
    await ctx.store.feed.addMany([{ paperId: hidden.id, day: '2001-01-01' }, { paperId: on.id, day: '2001-01-01', submittedBy: 'ada' }]);
    const both = await ctx.store.papers.visibleWithEntry(on.id);
    assert.deepEqual(both?.paper, await ctx.store.papers.visible(on.id));
    assert.deepEqual(both?.entry, await ctx.store.feed.entryFor(on.id));
    assert.deepEqual(both?.entry, { day: '2001-01-01', paperId: on.id, position: 2, submittedBy: 'ada' });
    const alone = await ctx.store.papers.visibleWithEntry(off.id);
    assert.deepEqual(alone, { paper: await ctx.store.papers.visible(off.id), entry: null });
    await ctx.store.papers.setHidden(hidden.id, true);
    assert.equal(await ctx.store.papers.visibleWithEntry(hidden.id), null, 'the visible-paper rule applies');
    assert.equal(await ctx.store.papers.visibleWithEntry('2599.99999'), null);
  });
});

forEachStore('RunRepository', (ctx) => {
  test('records a run from start to finish', async () => {
    const id = await ctx.store.runs.start('import');
    assert.equal((await ctx.store.runs.last('import'))?.status, 'running');
    await ctx.store.runs.finish(id, 'succeeded', { inserted: 3 });
    const run = await ctx.store.runs.last('import', 'succeeded');
    assert.equal(run?.id, id);
    assert.deepEqual(run?.stats, { inserted: 3 });
    assert.ok(run?.finishedAt);
  });
});
