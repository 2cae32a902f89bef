import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import type { ReceivedMail, SmtpSink } from '../helpers/smtp.ts';
import { activeSubscriber, startMailApp } from '../helpers/mail-fixtures.ts';
import { makeUser, seedWorld, type World } from '../helpers/discovery-world.ts';
import { makePaper } from '../helpers/papers.ts';
import type { Services } from '../../src/services/index.ts';
import type { RunningServer } from '../../src/http/server.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';
import { testDb } from '../helpers/stores.ts';

// The weekly digest of Monday 2025-07-07 covers the feed days 2025-07-01 to 2025-07-07; the world's
// newest feed day is 2025-07-10, so the digest's For-you window must end at the period, not the feed.
const WEEK = digestPeriod('weekly', '2025-07-07')!;
const NOW = new Date('2025-07-07T08:00:00Z');

interface Section {
  titles: string[];
  /** The "Why:" line of each entry, or null. */
  reasons: (string | null)[];
}

/** The plain-text part's sections: heading, dashes, then numbered entries. */
function sectionsOf(text: string): Map<string, Section> {
  const out = new Map<string, Section>();
  const parts = text.split(/\n(From what you follow|Top papers|For you)\n-+\n/);
  for (let i = 1; i < parts.length; i += 2) {
    const entries = parts[i + 1].split(/\n(?=\d+\. )/).filter((e) => /^\d+\. /.test(e.trim()));
    out.set(parts[i], {
      titles: entries.map((e) => /^\d+\. (.*)$/m.exec(e.trim())![1]),
      reasons: entries.map((e) => /^ {3}Why: (.*)$/m.exec(e)?.[1] ?? null),
    });
  }
  return out;
}

forEachStore('digest sections: following, For you, trending', (ctx) => {
  let smtp: SmtpSink;
  let services: Services;
  let server: RunningServer;
  let close: () => Promise<void>;
  let world: World;

  before(async () => {
    world = await seedWorld(ctx.store);
    ({ smtp, services, server, close } = await startMailApp(ctx.store));
  });
  after(() => close());

  /** Builds the week's digests (for subscribers who have none yet), sends them, and returns this address's one mail. */
  async function digestFor(email: string): Promise<{ mail: ReceivedMail; sections: Map<string, Section> }> {
    await services.digests.build(WEEK, { now: NOW });
    const stats = await services.outbox.sendDue({ now: () => NOW });
    assert.equal(stats.failed, 0);
    const mails = smtp.to(email);
    assert.equal(mails.length, 1, `one digest to ${email}`);
    return { mail: mails[0], sections: sectionsOf(mails[0].text) };
  }

  test('following an author and a saved search brings their new papers into the next digest, each with its reason', async () => {
    const [protein, oldProtein] = [
      makePaper({ title: 'Protein backbones by diffusion', abstract: 'A diffusion model generates protein backbones.', authors: ['Rosalind F'], categories: ['q-bio.BM'], primaryCategory: 'q-bio.BM' }),
      makePaper({ title: 'Older protein diffusion work', abstract: 'Diffusion for protein design, before the week.', authors: ['Rosalind F'], categories: ['q-bio.BM'], primaryCategory: 'q-bio.BM' }),
    ];
    await ctx.store.papers.upsertMany([protein, oldProtein]);
    await ctx.store.feed.addMany([
      { paperId: protein.id, day: '2025-07-03' },
      { paperId: oldProtein.id, day: '2025-06-16' },
    ]);
    const u = await makeUser(ctx.store);
    await services.following.follow(u.id, 'author', 'MARIE SKŁODOWSKA'); // case folded
    await services.following.follow(u.id, 'search', 'protein diffusion');
    // Trending limited to astro-ph: the followed papers can only come from the following section.
    await activeSubscriber(ctx.store, 'follower@example.test', { frequency: 'weekly', userId: u.id, categories: ['astro-ph'] });

    const { mail, sections } = await digestFor('follower@example.test');
    const following = sections.get('From what you follow');
    assert.ok(following, `a following section in:\n${mail.text}`);
    const byAuthor = world.recent.speech.slice(-2);
    // The author's two recent papers (2025-07-01 and 2025-07-04) and the week's protein paper, newest day first.
    assert.deepEqual(following.titles, [world.titles.get(byAuthor[1]), protein.title, world.titles.get(byAuthor[0])]);
    assert.deepEqual(following.reasons, ['by Marie Skłodowska, whom you follow', 'matches your saved search “protein diffusion”', 'by Marie Skłodowska, whom you follow']);
    assert.ok(!mail.text.includes(oldProtein.title), 'a match from before the period is not new');
    assert.ok(mail.html.includes('Why: by Marie Skłodowska, whom you follow'));
    assert.ok(mail.html.includes('Why: matches your saved search “protein diffusion”'));
    assert.ok(mail.html.indexOf('From what you follow') < mail.html.indexOf('Top papers'));
    // Trending still there, in the subscriber's categories only.
    const top = sections.get('Top papers')!;
    assert.ok(top.titles.length > 0);
    for (const t of top.titles) assert.ok(world.recent.galaxies.some((id) => world.titles.get(id) === t), `${t} is an astro-ph paper`);
    const [row] = await ctx.store.outbox.list({ period: WEEK.key, subscriptionId: (await ctx.store.subscriptions.findByEmail('follower@example.test'))!.id });
    assert.ok(row.paperIds.includes(protein.id) && byAuthor.every((id) => row.paperIds.includes(id)));
  });

  test('a paper already in the following section is repeated neither in For you nor in trending', async () => {
    const u = await makeUser(ctx.store);
    for (const id of world.old.speech.slice(0, 4)) await ctx.store.upvotes.add(u.id, id);
    await services.following.follow(u.id, 'author', 'Marie Skłodowska');
    const followedIds = world.recent.speech.slice(-2);
    // The followed author's papers are the week's most upvoted (trending's top) and speech papers (For you's topic).
    for (const id of followedIds) await testDb(ctx.store).updateTable('papers').set({ upvotes: 500 }).where('id', '=', id).execute();
    const ranked = await services.forYou.picksFor(u.id, 10, { until: WEEK.to });
    assert.ok(
      ranked.picks.some((p) => followedIds.includes(p.paper.id) && p.score > 0),
      'without the following section, For you would pick a followed paper',
    );
    await activeSubscriber(ctx.store, 'overlap@example.test', { frequency: 'weekly', userId: u.id });

    const { mail, sections } = await digestFor('overlap@example.test');
    const following = sections.get('From what you follow')!;
    const top = sections.get('Top papers')!;
    const forYou = sections.get('For you')!;
    assert.ok(following && top && forYou, `all three sections in:\n${mail.text}`);
    for (const id of followedIds) assert.ok(following.titles.includes(world.titles.get(id)!));
    const all = [...following.titles, ...top.titles, ...forYou.titles];
    assert.equal(new Set(all).size, all.length, `no title twice: ${all.join(' | ')}`);
    for (const id of followedIds) {
      const t = world.titles.get(id)!;
      assert.equal(mail.text.split(t).length - 1, 1, `${t} once in the text part`);
      assert.equal(mail.html.split(`. ${t}</a>`).length - 1, 1, `${t} listed once in the HTML part`);
    }
    const [row] = await ctx.store.outbox.list({ period: WEEK.key, subscriptionId: (await ctx.store.subscriptions.findByEmail('overlap@example.test'))!.id });
    assert.equal(new Set(row.paperIds).size, row.paperIds.length);
  });

  test('a reader with upvotes gets For-you picks of their topic, each with the upvote that explains it', async () => {
    const u = await makeUser(ctx.store);
    const liked = world.old.graphs.slice(0, 4);
    for (const id of liked) await ctx.store.upvotes.add(u.id, id);
    await activeSubscriber(ctx.store, 'upvoter@example.test', { frequency: 'weekly', userId: u.id, categories: ['astro-ph'] });

    const { mail, sections } = await digestFor('upvoter@example.test');
    const forYou = sections.get('For you');
    assert.ok(forYou, `a For-you section in:\n${mail.text}`);
    assert.equal(forYou.titles.length, 5);
    // The window ends with the period (07-07): the four recent graphs papers before it lead, and the
    // two of 07-08 and 07-10, though on the feed, are not picked.
    const window: string[] = [];
    const later: string[] = [];
    for (const id of world.recent.graphs) ((await ctx.store.feed.entryFor(id))!.day <= WEEK.to ? window : later).push(world.titles.get(id)!);
    assert.equal(window.length, 4);
    assert.deepEqual(forYou.titles.slice(0, 4).sort(), window.sort());
    assert.ok(!later.some((t) => mail.text.includes(t)), 'nothing after the period');
    const likedTitles = liked.map((id) => world.titles.get(id)!);
    for (const [i, t] of forYou.titles.slice(0, 4).entries()) {
      const because = /^like “(.*)”, which you upvoted$/.exec(forYou.reasons[i] ?? '');
      assert.ok(because && likedTitles.includes(because[1]), `the reason for ${t} names an upvote: ${forYou.reasons[i]}`);
      assert.ok(mail.html.includes(`Why: like “${because[1]}”, which you upvoted`));
    }
    assert.ok(!forYou.titles.some((t) => likedTitles.includes(t)), 'never a paper the reader upvoted');
    assert.equal(sections.get('From what you follow'), undefined, 'no follows, no following section');

    // Personal picks off: the same reader's model is not asked.
    const v = await makeUser(ctx.store);
    for (const id of liked) await ctx.store.upvotes.add(v.id, id);
    await activeSubscriber(ctx.store, 'nopicks@example.test', { frequency: 'weekly', userId: v.id, categories: ['astro-ph'], personalPicks: false });
    const off = await digestFor('nopicks@example.test');
    assert.equal(off.sections.get('For you'), undefined);
    assert.ok(off.sections.get('Top papers')!.titles.length > 0);
  });

  test('an email-only subscriber still gets the trending digest, and one-click unsubscribe works', async () => {
    // An account with the same address follows an author: its follows are not mailed to an
    // address the account never linked (account addresses are not verified; the subscription's is).
    const u = await ctx.store.users.create({ username: `same${process.pid}`, email: 'plain@example.test', passwordHash: 'x' });
    await services.following.follow(u.id, 'author', 'Marie Skłodowska');
    for (const id of world.old.graphs.slice(0, 4)) await ctx.store.upvotes.add(u.id, id);
    const subId = await activeSubscriber(ctx.store, 'plain@example.test', { frequency: 'weekly', userId: null });

    const { mail, sections } = await digestFor('plain@example.test');
    assert.deepEqual([...sections.keys()], ['Top papers']);
    const top = sections.get('Top papers')!;
    assert.equal(top.titles.length, 10, 'DIGEST_SIZE trending papers');
    assert.ok(top.reasons.every((r) => r === null), 'trending papers carry no reason');
    assert.match(mail.subject, /week to Monday, 7 July 2025/);
    assert.equal(mail.messageId, `<digest.weekly.2025-07-07.${subId}@paperboy.test>`);

    // Trending is the API's sort=trending list (the same function) over the period, as of its end.
    const api = await services.dailyPapers.list({
      period: { kind: 'day', label: WEEK.key, from: WEEK.from, to: WEEK.to },
      sort: 'trending',
      page: 0,
      limit: 10,
      now: new Date(`2025-07-08T00:00:00Z`),
    });
    assert.deepEqual(top.titles, api.items.map((i) => i.paper.title));
    assert.equal(top.titles[0], world.titles.get(world.recent.speech.at(-1)!), 'the 500-vote paper of 07-04 leads');

    assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    const url = mail.headers.get('list-unsubscribe')!.slice(1, -1).replace('http://paperboy.test', server.url);
    const post = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(post.status, 200);
    assert.equal((await ctx.store.subscriptions.get(subId))!.status, 'unsubscribed');
  });
});
