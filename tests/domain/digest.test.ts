import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestPeriod, duePeriods, isIsoDay } from '../../src/domain/digest-period.ts';
import { TermIndex, rankPeriod, selectPersonalPicks, selectTrending, terms } from '../../src/domain/digest.ts';
import { matchesCategories, normalizeEmail } from '../../src/domain/subscription.ts';
import { html, escapeHtml } from '../../src/mail/html.ts';
import { DigestRenderer } from '../../src/mail/templates/digest.ts';
import { LinkSigner } from '../../src/mail/signing.ts';
import type { FeedItem } from '../../src/domain/paper.ts';
import { makePaper } from '../helpers/papers.ts';

test('daily digests go out on weekdays (Monday covers the weekend), weekly ones on Mondays for seven days', () => {
  assert.deepEqual(digestPeriod('daily', '2025-08-04'), { frequency: 'daily', date: '2025-08-04', from: '2025-08-02', to: '2025-08-04', key: 'daily:2025-08-04' });
  assert.deepEqual(digestPeriod('daily', '2025-08-05'), { frequency: 'daily', date: '2025-08-05', from: '2025-08-05', to: '2025-08-05', key: 'daily:2025-08-05' });
  assert.equal(digestPeriod('daily', '2025-08-02'), null);
  assert.equal(digestPeriod('daily', '2025-08-03'), null);
  assert.equal(digestPeriod('weekly', '2025-08-05'), null);
  assert.deepEqual(digestPeriod('weekly', '2025-08-04'), { frequency: 'weekly', date: '2025-08-04', from: '2025-07-29', to: '2025-08-04', key: 'weekly:2025-08-04' });
  assert.deepEqual(duePeriods('2025-08-04').map((p) => p.key), ['daily:2025-08-04', 'weekly:2025-08-04']);
  assert.deepEqual(duePeriods('2025-08-09'), []);
  assert.equal(isIsoDay('2025-02-30'), false);
  assert.equal(isIsoDay('2025-02-28'), true);
});

function item(over: Parameters<typeof makePaper>[0], day: string, upvotes = 0, numComments = 0): FeedItem {
  const p = makePaper({ ...over, primaryCategory: over?.categories?.[0] ?? 'cs.LG' });
  return { entry: { day, paperId: p.id, position: 1, submittedBy: null }, paper: { ...p, upvotes, numComments, hidden: false } };
}

test('trending: the trending score ranks the period, categories filter (an archive matches its subjects)', () => {
  const old = item({ categories: ['cs.LG'] }, '2025-07-29', 30);
  const fresh = item({ categories: ['math.AG'] }, '2025-08-04', 10);
  const freshCs = item({ categories: ['cs.CL'] }, '2025-08-04', 3);
  const ranked = rankPeriod([old, fresh, freshCs], '2025-08-04');
  assert.deepEqual(ranked.map((i) => i.paper.id), [fresh, freshCs, old].map((i) => i.paper.id), 'age decays upvotes');
  assert.deepEqual(selectTrending(ranked, ['cs'], 10).map((i) => i.paper.id), [freshCs.paper.id, old.paper.id]);
  assert.deepEqual(selectTrending(ranked, [], 1).map((i) => i.paper.id), [fresh.paper.id]);
  assert.equal(matchesCategories(['cs.LG'], ['c']), false);
  assert.equal(normalizeEmail('  Ada@Example.TEST '), 'ada@example.test');
});

test('personal picks: most similar by term overlap, never already sent, in the digest, or liked', () => {
  const docs = [
    { id: 'a', title: 'Protein folding with diffusion models', abstract: 'Diffusion models fold proteins from sequences.' },
    { id: 'b', title: 'Diffusion models for protein design', abstract: 'We design proteins with diffusion.' },
    { id: 'c', title: 'Protein structure from sequence', abstract: 'Folding proteins accurately from sequence alone.' },
    { id: 'd', title: 'Stock prices and volatility', abstract: 'Markets move.' },
  ];
  const index = new TermIndex(docs);
  const liked = [{ id: 'x', title: 'Protein diffusion', abstract: 'Diffusion for protein folding.' }];
  const picks = selectPersonalPicks(index, liked, { alreadySent: new Set(), inDigest: [] });
  assert.deepEqual(picks.slice(0, 3).sort(), ['a', 'b', 'c']);
  assert.ok(!picks.includes('d'), 'no overlap, no pick');
  assert.equal(picks[0], 'a');
  assert.deepEqual(selectPersonalPicks(index, liked, { alreadySent: new Set(['a']), inDigest: ['b'] }), ['c']);
  assert.deepEqual(selectPersonalPicks(index, [], { alreadySent: new Set(), inDigest: [] }), []);
  assert.deepEqual(selectPersonalPicks(index, liked, { alreadySent: new Set(), inDigest: [] }, 1), ['a']);
  assert.deepEqual(terms('The Graph-Neural networks, and $\\alpha$'), ['graph-neural', 'networks', 'alpha']);
});

test('mail HTML escapes every value; only nested templates pass through', () => {
  const evil = '<img src=x onerror="alert(1)">&';
  assert.equal(html`<p title="${evil}">${evil}${html`<b>${'<'}</b>`}</p>`.value, `<p title="${escapeHtml(evil)}">${escapeHtml(evil)}<b>&lt;</b></p>`);
  const r = new DigestRenderer().render({
    period: digestPeriod('daily', '2025-08-01')!,
    trending: [{ id: '1', title: '<script>x</script>', authors: ['A "Quote"', 'B', 'C', 'D', 'E'], sentence: 'S & T.', upvotes: 1, url: 'http://p.test/papers/1?a=1&b=2' }],
    picks: [],
    siteUrl: 'http://p.test',
    unsubscribeUrl: 'http://p.test/unsubscribe?id=1&sig=abc',
  });
  assert.equal(r.subject, 'Trending papers · Friday, 1 August 2025');
  assert.ok(!r.html.includes('<script>'));
  assert.ok(r.html.includes('&lt;script&gt;x&lt;/script&gt;'));
  assert.ok(r.html.includes('href="http://p.test/papers/1?a=1&amp;b=2"'));
  assert.match(r.text, /A "Quote", B, C et al\. \(5 authors\) · ▲ 1 upvote\n/);
  assert.ok(!r.text.includes('Picked for you'), 'no picks section without picks');
});

test('signed links: bound to purpose and parts, tampering fails', () => {
  const s = new LinkSigner('k'.repeat(32));
  const sig = s.sign('unsubscribe', 7, 'a@b.test');
  assert.equal(s.verify(sig, 'unsubscribe', 7, 'a@b.test'), true);
  assert.equal(s.verify(sig, 'confirm', 7, 'a@b.test'), false);
  assert.equal(s.verify(sig, 'unsubscribe', 8, 'a@b.test'), false);
  assert.equal(s.verify(sig.slice(1), 'unsubscribe', 7, 'a@b.test'), false);
  assert.equal(new LinkSigner('other'.repeat(8)).verify(sig, 'unsubscribe', 7, 'a@b.test'), false);
});
