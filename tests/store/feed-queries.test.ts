import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

forEachStore('queries behind the API and feeds', (ctx) => {
  test('feed items in newest order keep each day in position order, ignoring upvotes', async () => {
    const [a, b, c] = [makePaper(), makePaper(), makePaper()];
    await ctx.store.papers.upsertMany([a, b, c]);
    await ctx.store.feed.addMany([
      { paperId: a.id, day: '2024-03-01' },
      { paperId: b.id, day: '2024-03-01' },
      { paperId: c.id, day: '2024-03-02' },
    ]);
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 9 }).where('id', '=', b.id).execute();
    const ids = (await ctx.store.feed.itemsNewestFirst('2024-03-01', '2024-03-02')).map((i) => i.paper.id);
    assert.deepEqual(ids, [c.id, a.id, b.id]);
    assert.deepEqual(
      (await ctx.store.feed.items('2024-03-01', '2024-03-02')).map((i) => i.paper.id),
      [b.id, c.id, a.id],
    );
  });

  test('category listing matches whole category names, primary or cross-listed', async () => {
    const lg = makePaper({ categories: ['cs.LG', 'stat.ML'], primaryCategory: 'cs.LG', publishedAt: '2024-05-02' });
    const ml = makePaper({ categories: ['stat.ML'], primaryCategory: 'stat.ML', publishedAt: '2024-05-03' });
    const cl = makePaper({ categories: ['cs.CL'], primaryCategory: 'cs.CL' });
    await ctx.store.papers.upsertMany([lg, ml, cl]);
    assert.deepEqual((await ctx.store.papers.listByCategory('stat.ML', 10)).map((p) => p.id), [ml.id, lg.id]);
    assert.deepEqual(await ctx.store.papers.listByCategory('cs.L', 10), []);
    assert.deepEqual(await ctx.store.papers.listByCategory('stat%', 10), []);
  });

  test('only public collections of unbanned owners are readable, papers newest-added first', async () => {
    const [p1, p2] = [makePaper(), makePaper()];
    await ctx.store.papers.upsertMany([p1, p2]);
    const db = testDb(ctx.store);
    const now = '2025-01-01T00:00:00.000Z';
    const u = await db.insertInto('users').values({ username: 'grace', email: 'g@example.org', password_hash: 'x', created_at: now }).returning('id').executeTakeFirstOrThrow();
    const pub = await db.insertInto('collections').values({ user_id: u.id, name: 'Reading <list>', description: 'mine', public: 1, created_at: now }).returning('id').executeTakeFirstOrThrow();
    const priv = await db.insertInto('collections').values({ user_id: u.id, name: 'secret', public: 0, created_at: now }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('collection_papers').values([
      { collection_id: pub.id, paper_id: p1.id, added_at: '2025-01-02T00:00:00.000Z' },
      { collection_id: pub.id, paper_id: p2.id, added_at: '2025-01-03T00:00:00.000Z' },
    ]).execute();
    const c = await ctx.store.collectionFeeds.getPublic(Number(pub.id));
    assert.deepEqual(c, { id: Number(pub.id), name: 'Reading <list>', description: 'mine', owner: 'grace', createdAt: now });
    assert.equal(await ctx.store.collectionFeeds.getPublic(Number(priv.id)), null);
    assert.equal(await ctx.store.collectionFeeds.getPublic(999999), null);
    assert.deepEqual((await ctx.store.collectionFeeds.papers(Number(pub.id), 10)).map((x) => [x.paper.id, x.addedAt]), [
      [p2.id, '2025-01-03T00:00:00.000Z'],
      [p1.id, '2025-01-02T00:00:00.000Z'],
    ]);
    await db.updateTable('users').set({ banned: 1 }).where('id', '=', u.id).execute();
    assert.equal(await ctx.store.collectionFeeds.getPublic(Number(pub.id)), null);
  });
});
