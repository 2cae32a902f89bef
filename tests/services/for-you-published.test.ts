import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forYouFeaturesCodec, FOR_YOU_FEATURES_FORMAT, FOR_YOU_FEATURES_NAME } from '../../src/discovery/for-you-features-file.ts';
import { PublishedIndex } from '../../src/search/published-index.ts';
import { ForYouService } from '../../src/services/for-you.ts';
import type { Store } from '../../src/store/store.ts';
import { forEachStore } from '../helpers/contract.ts';
import { NEWEST, TOPIC_CATEGORY, makeUser, seedWorld, type World } from '../helpers/discovery-world.ts';
import { makePaper } from '../helpers/papers.ts';
import { indexFileDamages } from '../helpers/damaged-index-file.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-foryou-published-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = () => path.join(root, `server-${++dirs}`);
const OPTS = { recentDays: 14, indexDays: 180 };

/** One "server": its own For-you service and index directory (a local cache, or the shared directory). */
function server(store: Store, via: 'dir' | 'store', dir = newDir(), opts = OPTS) {
  const files = new PublishedIndex(store, { dir, via }, forYouFeaturesCodec);
  return { forYou: new ForYouService(store, opts, { files, pollMs: 0 }), files, dir };
}

forEachStore('published For-you features', (ctx) => {
  let world: World;
  const readers: number[] = [];
  before(async () => {
    world = await seedWorld(ctx.store);
    // Readers of every kind of example: upvotes, a collection, a category, an author, a paper interest.
    const upvoter = await makeUser(ctx.store);
    for (const id of world.old.graphs.slice(0, 4)) await ctx.store.upvotes.add(upvoter.id, id);
    await ctx.store.discovery.markNotInterested(upvoter.id, world.recent.graphs[0]);
    const collector = await makeUser(ctx.store);
    const col = await ctx.store.collections.create({ userId: collector.id, name: 'Audio', description: null, isPublic: false });
    for (const id of world.old.speech.slice(0, 3)) await ctx.store.collections.addPaper(col.id, id);
    const byCategory = await makeUser(ctx.store);
    await ctx.store.discovery.addInterest(byCategory.id, 'category', TOPIC_CATEGORY.galaxies);
    const byAuthor = await makeUser(ctx.store);
    await ctx.store.discovery.addInterest(byAuthor.id, 'author', 'robots author 1');
    await ctx.store.discovery.addInterest(byAuthor.id, 'paper', world.old.speech[2]);
    readers.push(upvoter.id, collector.id, byCategory.id, byAuthor.id);
  });
  // One reader after the other: papers outside the window are vectorised on demand, with the
  // document frequencies as they are then, so concurrent requests on PostgreSQL would add them in any order.
  const picksOf = async (s: ForYouService) => {
    const out = [];
    for (const u of readers) out.push(await s.picksFor(u, 10));
    return out;
  };

  test('the first server builds and publishes; a second one loads that file and recommends exactly the same, with the same scores and reasons', async () => {
    const a = server(ctx.store, 'store');
    await a.forYou.warm();
    assert.equal(a.forYou.lastLoad.source, 'build');
    assert.equal(a.forYou.servedVersion, 1);
    const v = await ctx.store.searchIndexFiles.latest(FOR_YOU_FEATURES_NAME);
    assert.equal(v?.format, FOR_YOU_FEATURES_FORMAT);
    assert.equal(v?.papers, 72);
    assert.ok(v?.stored, 'the bytes are in the store for servers without a shared disk');
    assert.deepEqual(v?.cursor, { modifiedAt: NEWEST, id: String(await ctx.store.feed.countItems(NEWEST, NEWEST)) });

    // No shared disk: b has an empty directory and fetches the bytes from the store.
    const b = server(ctx.store, 'store');
    assert.equal(await b.forYou.warm(), 72);
    assert.equal(b.forYou.lastLoad.source, 'file');
    assert.equal(b.forYou.servedVersion, 1);
    assert.ok(fs.existsSync(b.files.fileFor(v!)), 'downloaded into its own directory');
    // And a server without persistence, building as before: the baseline the file must match.
    const built = new ForYouService(ctx.store, OPTS);
    const expected = await picksOf(built);
    assert.ok(expected.every((r) => r.picks.length > 0), 'every reader gets picks');
    assert.deepEqual(await picksOf(b.forYou), expected);
    assert.deepEqual(await picksOf(a.forYou), expected);
    assert.deepEqual(await b.forYou.popularCategories(), await built.popularCategories());
  });

  test('feed items that arrive after the file are added in memory, at start and after (the delta)', async () => {
    const fresh = makePaper({ title: 'Dark matter halo lensing of galaxy clusters', abstract: 'Cosmological galaxy cluster halo dark matter lensing survey.', categories: ['astro-ph.CO'], publishedAt: NEWEST });
    await ctx.store.papers.upsertMany([fresh]);
    await ctx.store.feed.addMany([{ paperId: fresh.id, day: NEWEST }]);
    const c = server(ctx.store, 'store');
    await c.forYou.warm();
    assert.equal(c.forYou.lastLoad.source, 'file');
    assert.equal(c.forYou.lastLoad.delta, 1, 'the new paper, beside the file');
    const picks = (await c.forYou.picksFor(readers[2], 10)).picks.map((p) => p.paper.id);
    assert.ok(picks.includes(fresh.id), 'a new galaxy paper is picked for the galaxy reader');
    const later = makePaper({ title: 'Galaxy halo survey two', abstract: 'Galaxy cluster lensing.', categories: ['astro-ph.CO'], publishedAt: NEWEST });
    await ctx.store.papers.upsertMany([later]);
    await ctx.store.feed.addMany([{ paperId: later.id, day: NEWEST }]);
    assert.equal(await c.forYou.warm(), 74);
  });

  test('a new version published by another process (reindex, the worker) replaces the served one without a restart', async () => {
    const serving = server(ctx.store, 'store');
    await serving.forYou.warm();
    const before = serving.forYou.servedVersion!;
    const publisher = server(ctx.store, 'store');
    const v = await publisher.forYou.publish();
    assert.equal(v, before + 1);
    assert.ok(await serving.forYou.pollVersion(), 'picked up');
    assert.equal(serving.forYou.servedVersion, before + 1);
    assert.deepEqual(await picksOf(serving.forYou), await picksOf(publisher.forYou));
    assert.equal(await serving.forYou.pollVersion(), false, 'nothing newer');
    // Older versions are pruned: the current and the previous one stay.
    assert.equal(await ctx.store.searchIndexFiles.chunk(FOR_YOU_FEATURES_NAME, before - 1, 0), null);
  });

  test('the worker merge rebuilds only when the delta is worn', async () => {
    const w = server(ctx.store, 'store');
    const latest = (await ctx.store.searchIndexFiles.latest(FOR_YOU_FEATURES_NAME))!.version;
    assert.equal(await w.forYou.mergeDue(), false);
    assert.equal(await w.forYou.mergeIfWorn(), null, 'a fresh version is left alone');
    const many = Array.from({ length: 1001 }, (_, i) => makePaper({ id: `2507.${String(i).padStart(5, '0')}`, title: `Wombat burrow ${i}`, abstract: 'Burrows.', publishedAt: NEWEST }));
    await ctx.store.papers.upsertMany(many);
    await ctx.store.feed.addMany(many.map((p) => ({ paperId: p.id, day: NEWEST })));
    assert.equal(await w.forYou.mergeDue(), true);
    assert.equal(await w.forYou.mergeIfWorn(), latest + 1);
    const reader = server(ctx.store, 'store');
    await reader.forYou.warm();
    assert.equal(reader.forYou.lastLoad.source, 'file');
    assert.equal(reader.forYou.lastLoad.delta, 0, 'the merge folded the new papers into the file');
    assert.equal(reader.forYou.lastLoad.papers, 1075);
  });

  for (const [problem, damage] of indexFileDamages(FOR_YOU_FEATURES_FORMAT, { flipAt: (n) => n >> 1, cut: 100 })) {
    test(`a shared-directory file that fails its ${problem} check is rebuilt and republished, never served`, async () => {
      const shared = newDir();
      const first = server(ctx.store, 'dir', shared);
      const v = (await first.forYou.publish())!;
      const expected = await picksOf(first.forYou);
      damage(first.files.fileFor((await ctx.store.searchIndexFiles.latest(FOR_YOU_FEATURES_NAME))!));
      const next = server(ctx.store, 'dir', shared);
      await next.forYou.warm();
      assert.equal(next.forYou.lastLoad.rejected, problem);
      assert.equal(next.forYou.lastLoad.source, 'build');
      assert.equal(next.forYou.servedVersion, v + 1, 'a sound version replaces it');
      assert.deepEqual(await picksOf(next.forYou), expected);
      const again = server(ctx.store, 'dir', shared);
      await again.forYou.warm();
      assert.equal(again.forYou.lastLoad.source, 'file', 'the republished file loads');
      assert.deepEqual(await picksOf(again.forYou), expected);
    });
  }

  test('a corrupt local copy of a stored version is fetched again from the store', async () => {
    const a = server(ctx.store, 'store');
    const v = (await a.forYou.publish())!;
    const file = a.files.fileFor((await ctx.store.searchIndexFiles.latest(FOR_YOU_FEATURES_NAME))!);
    const b = fs.readFileSync(file);
    b[b.length - 8] ^= 0xff;
    fs.writeFileSync(file, b);
    const again = server(ctx.store, 'store', a.dir);
    await again.forYou.warm();
    assert.equal(again.forYou.lastLoad.source, 'file');
    assert.equal(again.forYou.servedVersion, v, 'the same version, from sound bytes');
    assert.deepEqual(await picksOf(again.forYou), await picksOf(a.forYou));
  });

  test('a file built for another FOR_YOU_INDEX_DAYS is not served: rebuilt for this window', async () => {
    const shared = newDir();
    const v = (await server(ctx.store, 'dir', shared).forYou.publish())!;
    const other = server(ctx.store, 'dir', shared, { ...OPTS, indexDays: 30 });
    await other.forYou.warm();
    assert.equal(other.forYou.lastLoad.rejected, 'header');
    assert.equal(other.forYou.lastLoad.source, 'build');
    assert.equal(other.forYou.servedVersion, v + 1);
    assert.deepEqual(await picksOf(other.forYou), await picksOf(new ForYouService(ctx.store, { ...OPTS, indexDays: 30 })));
  });
});
