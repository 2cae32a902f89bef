import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import type { SmtpSink } from '../helpers/smtp.ts';
import { activeSubscriber, startMailApp } from '../helpers/mail-fixtures.ts';
import { makeUser, seedWorld } from '../helpers/discovery-world.ts';
import { makePaper } from '../helpers/papers.ts';
import type { Services } from '../../src/services/index.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';

const WEEK = digestPeriod('weekly', '2025-07-07')!;
const NOW = new Date('2025-07-07T08:00:00Z');

forEachStore('the digest: papers from a followed organisation, with their reason', (ctx) => {
  let smtp: SmtpSink;
  let services: Services;
  let close: () => Promise<void>;

  before(async () => {
    await seedWorld(ctx.store);
    ({ smtp, services, close } = await startMailApp(ctx.store));
  });
  after(() => close());

  test("following an organisation brings its week's papers into the digest's following section", async () => {
    const fromLab = makePaper({ title: 'Detector calibration at the lab', authors: ['Fabiola G'], categories: ['hep-ex'], primaryCategory: 'hep-ex' });
    const older = makePaper({ title: 'An older lab paper', authors: ['Fabiola G'], categories: ['hep-ex'], primaryCategory: 'hep-ex' });
    await ctx.store.papers.upsertMany([fromLab, older]);
    await ctx.store.feed.addMany([
      { paperId: fromLab.id, day: '2025-07-03' },
      { paperId: older.id, day: '2025-06-16' },
    ]);
    await ctx.store.organisations.setHarvested([
      { paperId: fromLab.id, affiliations: [{ author: 'Fabiola G', name: 'CERN', slug: 'cern' }] },
      { paperId: older.id, affiliations: [{ author: 'Fabiola G', name: 'CERN', slug: 'cern' }] },
    ]);
    const u = await makeUser(ctx.store, 'physicist');
    await services.following.follow(u.id, 'org', 'cern');
    // Trending limited to astro-ph: the lab's paper can only come from the following section.
    await activeSubscriber(ctx.store, 'lab-follower@example.test', { frequency: 'weekly', userId: u.id, categories: ['astro-ph'] });
    await services.digests.build(WEEK, { now: NOW });
    assert.equal((await services.outbox.sendDue({ now: () => NOW })).failed, 0);
    const [mail] = smtp.to('lab-follower@example.test');
    assert.ok(mail, 'one digest');
    const section = mail.text.split(/\nFrom what you follow\n-+\n/)[1]?.split(/\n(?:Top papers|For you)\n-+\n/)[0] ?? '';
    assert.match(section, /1\. Detector calibration at the lab/);
    assert.match(section, /Why: from CERN, which you follow/);
    assert.ok(!mail.text.includes(older.title), 'before the period: not new');
    assert.ok(mail.html.includes('Why: from CERN, which you follow'));
  });
});
