import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { ServiceError } from '../../src/services/errors.ts';
import { forEachStore } from '../helpers/contract.ts';
import { NEWEST, OLD_DAYS, RECENT_DAYS, TOPIC_CATEGORY, makeUser, seedWorld, type World } from '../helpers/discovery-world.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

forEachStore('For you and following (services)', (ctx) => {
  let s: Services;
  let world: World;
  before(async () => {
    world = await seedWorld(ctx.store);
    s = createServices({ config: loadConfig({}), logger: silentLogger, store: ctx.store });
  });
  const topicsOf = (ids: string[]) => ids.map((id) => world.topicOf.get(id));

  test('a reader with a few upvotes gets recent papers of their topic, each explained by one of the upvotes', async () => {
    const u = await makeUser(ctx.store);
    const liked = world.old.graphs.slice(0, 4);
    for (const id of liked) await ctx.store.upvotes.add(u.id, id);
    const r = await s.forYou.picksFor(u.id, 6);
    assert.equal(r.coldStart, false);
    assert.equal(r.positives, 4);
    assert.ok(r.negatives > 30, `background negatives sampled from the older papers: ${r.negatives}`);
    assert.equal(r.picks.length, 6);
    assert.deepEqual(topicsOf(r.picks.map((p) => p.paper.id)), Array(6).fill('graphs'));
    for (const p of r.picks) {
      assert.ok(world.recent.graphs.includes(p.paper.id), 'picks come from the recent window');
      assert.ok(liked.includes(p.because.paperId));
      assert.equal(p.because.source, 'upvote');
      assert.equal(p.reason, `like “${world.titles.get(p.because.paperId)}”, which you upvoted`);
    }
  });

  test('papers saved in a collection count, and the reason names the collection; upvoted papers are never picked', async () => {
    const u = await makeUser(ctx.store);
    const col = await ctx.store.collections.create({ userId: u.id, name: 'Audio reading group', description: null, isPublic: false });
    for (const id of world.old.speech.slice(0, 3)) await ctx.store.collections.addPaper(col.id, id);
    await ctx.store.upvotes.add(u.id, world.recent.speech[0]);
    const r = await s.forYou.picksFor(u.id, 5);
    assert.deepEqual(topicsOf(r.picks.map((p) => p.paper.id)), Array(5).fill('speech'));
    assert.ok(!r.picks.some((p) => p.paper.id === world.recent.speech[0]));
    assert.ok(r.picks.some((p) => p.because.source === 'collection' && p.reason.endsWith('which you saved in “Audio reading group”')));
  });

  test('"not interested" removes a paper from the picks (and counts against its kind); taking it back returns it', async () => {
    const u = await makeUser(ctx.store);
    for (const id of world.old.robots.slice(0, 4)) await ctx.store.upvotes.add(u.id, id);
    const first = await s.forYou.picksFor(u.id, 20);
    const top = first.picks[0].paper.id;
    assert.deepEqual(await s.forYou.markNotInterested(u.id, top), { paperId: top, notInterested: true });
    await s.forYou.markNotInterested(u.id, top); // twice is fine
    const after = await s.forYou.picksFor(u.id, 20);
    assert.ok(!after.picks.some((p) => p.paper.id === top));
    assert.equal(after.negatives, first.negatives + 1);
    await s.forYou.unmarkNotInterested(u.id, top);
    assert.ok((await s.forYou.picksFor(u.id, 20)).picks.some((p) => p.paper.id === top));
    await assert.rejects(s.forYou.markNotInterested(u.id, '2599.99999'), (e: ServiceError) => e.status === 404);
    await assert.rejects(s.forYou.markNotInterested(u.id, 'not an id'), (e: ServiceError) => e.status === 404);
  });

  test('cold start: no examples means the picker; a category, an author or a paper picked brings matching picks', async () => {
    const u = await makeUser(ctx.store);
    assert.deepEqual(await s.forYou.picksFor(u.id, 5), { picks: [], coldStart: true, positives: 0, negatives: 0 });

    const cat = await s.forYou.addInterest(u.id, 'category', ` ${TOPIC_CATEGORY.galaxies} `);
    assert.equal(cat.value, 'astro-ph.CO');
    const r = await s.forYou.picksFor(u.id, 5);
    assert.equal(r.coldStart, false);
    assert.deepEqual(topicsOf(r.picks.map((p) => p.paper.id)), Array(5).fill('galaxies'));
    assert.match(r.picks[0].reason, /close to your interest in astro-ph\.CO/);

    await s.forYou.removeInterest(u.id, cat.id);
    await s.forYou.addInterest(u.id, 'author', 'robots author 1');
    const byAuthor = await s.forYou.picksFor(u.id, 4);
    assert.deepEqual(topicsOf(byAuthor.picks.map((p) => p.paper.id)), Array(4).fill('robots'));
    assert.match(byAuthor.picks[0].reason, /robots author 1, whom you follow/);

    const v = await makeUser(ctx.store);
    await s.forYou.addInterest(v.id, 'paper', `${world.old.speech[2]}v2`);
    const byPaper = await s.forYou.picksFor(v.id, 3);
    assert.deepEqual(topicsOf(byPaper.picks.map((p) => p.paper.id)), Array(3).fill('speech'));
    assert.equal(byPaper.picks[0].reason, `like “${world.titles.get(world.old.speech[2])}”, which you picked`);
    assert.deepEqual((await s.forYou.interests(v.id)).map((i) => [i.kind, i.value]), [['paper', world.old.speech[2]]]);

    await assert.rejects(s.forYou.addInterest(v.id, 'category', 'not a category!'), (e: ServiceError) => e.status === 400);
    await assert.rejects(s.forYou.addInterest(v.id, 'author', '   '), (e: ServiceError) => e.status === 400);
    await assert.rejects(s.forYou.addInterest(v.id, 'paper', '2599.99999'), (e: ServiceError) => e.status === 404);
    await assert.rejects(s.forYou.removeInterest(v.id, cat.id), (e: ServiceError) => e.status === 404, "another reader's interest");
    const cats = await s.forYou.popularCategories();
    assert.deepEqual(cats.map((c) => c.category).sort(), Object.values(TOPIC_CATEGORY).sort());
  });

  test('new papers reach the index; hidden papers are never picked', async () => {
    const u = await makeUser(ctx.store);
    for (const id of world.old.galaxies.slice(0, 4)) await ctx.store.upvotes.add(u.id, id);
    assert.ok((await s.forYou.warm()) >= 72, 'the index holds the feed');
    const before = await s.forYou.picksFor(u.id, 30);
    const fresh = makePaper({ title: 'Dark matter halo lensing of galaxy clusters in a redshift survey', abstract: 'Cosmological galaxy cluster halo dark matter stellar lensing telescope survey.', categories: ['astro-ph.CO'], publishedAt: NEWEST });
    await ctx.store.papers.upsertMany([fresh]);
    await ctx.store.feed.addMany([{ paperId: fresh.id, day: NEWEST }]);
    const after = await s.forYou.picksFor(u.id, 30);
    assert.ok(!before.picks.some((p) => p.paper.id === fresh.id));
    const at = after.picks.findIndex((p) => p.paper.id === fresh.id);
    const firstOther = after.picks.findIndex((p) => world.topicOf.get(p.paper.id) !== 'galaxies' && p.paper.id !== fresh.id);
    assert.ok(at >= 0 && at < firstOther, `the new galaxy paper (rank ${at}) comes before every paper of another topic (${firstOther})`);
    await ctx.store.papers.setHidden(fresh.id, true);
    assert.ok(!(await s.forYou.picksFor(u.id, 30)).picks.some((p) => p.paper.id === fresh.id));
  });

  test('following an author or a saved search brings their new papers, with what matched', async () => {
    const u = await makeUser(ctx.store);
    assert.deepEqual((await s.following.newFor(u.id, RECENT_DAYS[0])).items, []);
    const author = await s.following.follow(u.id, 'author', world.followedAuthor.toUpperCase());
    const search = await s.following.follow(u.id, 'search', 'robot policy -galaxy');
    assert.deepEqual((await s.following.follow(u.id, 'author', world.followedAuthor.toUpperCase())).id, author.id, 'following twice is one follow');
    const news = await s.following.newFor(u.id, RECENT_DAYS[0]);
    const byAuthor = news.items.filter((i) => i.matched.some((f) => f.id === author.id)).map((i) => i.item.paper.id);
    assert.equal(byAuthor.length, 2);
    assert.ok(byAuthor.every((id) => world.recent.speech.includes(id)));
    const bySearch = news.items.filter((i) => i.matched.some((f) => f.id === search.id));
    assert.ok(bySearch.length > 0);
    for (const i of bySearch) assert.match(`${i.item.paper.title} ${i.item.paper.abstract}`.toLowerCase(), /robot.*policy|policy.*robot/s);
    // Newest day first, and only papers since the day asked for.
    const days = news.items.map((i) => i.item.entry.day);
    assert.deepEqual(days, days.slice().sort().reverse());
    assert.ok(days.every((d) => d >= RECENT_DAYS[0]));
    assert.ok((await s.following.newFor(u.id, OLD_DAYS[0])).items.length > news.items.length, 'older matches appear with an earlier `since`');
    assert.deepEqual((await s.following.newFor(u.id, '2025-08-01')).items, []);

    await s.following.unfollow(u.id, author.id);
    assert.ok(!(await s.following.newFor(u.id, RECENT_DAYS[0])).items.some((i) => i.matched.some((f) => f.kind === 'author')));
    await assert.rejects(s.following.unfollow(u.id, author.id), (e: ServiceError) => e.status === 404);
    await assert.rejects(s.following.follow(u.id, 'category', 'cs CV'), (e: ServiceError) => e.status === 400);
    await assert.rejects(s.following.follow(u.id, 'search', '-only -exclusions'), (e: ServiceError) => e.status === 400);
    const cat = await s.following.follow(u.id, 'category', 'eess');
    assert.ok((await s.following.newFor(u.id, RECENT_DAYS[0])).items.some((i) => i.matched.some((f) => f.id === cat.id)));
    assert.deepEqual((await s.following.list(u.id)).map((f) => f.kind), ['category', 'search']);
  });

  test('trending: the feed of the sliding window ranked by the shared score, as of a fixed clock', async () => {
    const [a, b, c] = world.recent.robots;
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 40 }).where('id', '=', a).execute();
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 5, num_comments: 30 }).where('id', '=', b).execute();
    await testDb(ctx.store).updateTable('papers').set({ upvotes: 500 }).where('id', '=', world.old.robots[3]).execute();
    const now = new Date(`${NEWEST}T12:00:00Z`);
    const r = await s.trending.items({ now, limit: 200 });
    assert.deepEqual(r.asOf, now);
    assert.ok(!r.items.some((i) => i.paper.id === world.old.robots[3]), 'outside the window');
    assert.ok(r.items.every((i) => i.entry.day >= '2025-07-04'));
    const ids = r.items.map((i) => i.paper.id);
    assert.ok(ids.indexOf(a) < ids.indexOf(c) || !ids.includes(c));
    // A later clock: the stopped feed is scored as of the end of its newest day.
    const later = await s.trending.items({ now: new Date('2026-01-01T00:00:00Z'), limit: 3 });
    assert.deepEqual(later.asOf, new Date('2025-07-11T00:00:00Z'));
    assert.equal(later.items.length, 3);
    // As of the end of an earlier day, only that window's papers.
    const past = await s.trending.items({ now, until: '2025-06-16', limit: 100 });
    assert.ok(past.items.length > 0 && past.items.every((i) => i.entry.day <= '2025-06-16' && i.entry.day >= '2025-06-10'));
    assert.equal(past.items[0].paper.id, world.old.robots[3]);
    void b;
  });
});
