import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestPeriod, duePeriods, isIsoDay } from '../../src/domain/digest-period.ts';
import { selectForYou, selectTrending } from '../../src/domain/digest.ts';
import { followReason, followedItems, type Follow } from '../../src/domain/discovery.ts';
import { rankTrending } from '../../src/domain/trending.ts';
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

test('trending: the trending score ranks the period, categories filter (an archive matches its subjects), earlier sections are skipped', () => {
  const old = item({ categories: ['cs.LG'] }, '2025-07-29', 30);
  const fresh = item({ categories: ['math.AG'] }, '2025-08-04', 10);
  const freshCs = item({ categories: ['cs.CL'] }, '2025-08-04', 3);
  const ranked = rankTrending([old, fresh, freshCs], (i) => ({ upvotes: i.paper.upvotes, numComments: i.paper.numComments, since: i.entry.day }), new Date('2025-08-05T00:00:00Z'));
  assert.deepEqual(ranked.map((i) => i.paper.id), [fresh, freshCs, old].map((i) => i.paper.id), 'age decays upvotes');
  assert.deepEqual(selectTrending(ranked, ['cs'], 10).map((i) => i.paper.id), [freshCs.paper.id, old.paper.id]);
  assert.deepEqual(selectTrending(ranked, [], 1).map((i) => i.paper.id), [fresh.paper.id]);
  assert.deepEqual(selectTrending(ranked, [], 2, new Set([fresh.paper.id])).map((i) => i.paper.id), [freshCs.paper.id, old.paper.id], 'a paper shown earlier is skipped, the next fills its place');
  assert.equal(matchesCategories(['cs.LG'], ['c']), false);
  assert.equal(normalizeEmail('  Ada@Example.TEST '), 'ada@example.test');
});

test("For-you picks in a digest: the model's order, none excluded, none unlike its reason, at most five", () => {
  const pick = (id: string, similarity: number) => ({ paper: { id }, score: -1, similarity, reason: `like ${id}` });
  const picks = [pick('a', 0.3), pick('b', 0.1), pick('c', 0.5), pick('d', 0.02), pick('e', 0.2), pick('f', 0.2), pick('g', 0.1)];
  assert.deepEqual(selectForYou(picks, new Set()).map((p) => p.paper.id), ['a', 'b', 'c', 'd', 'e'], 'negative scores are the norm, not a cut-off');
  assert.deepEqual(selectForYou(picks, new Set(['a', 'c'])).map((p) => p.paper.id), ['b', 'd', 'e', 'f', 'g']);
  assert.deepEqual(selectForYou([pick('x', 0), pick('y', 0.4)], new Set()).map((p) => p.paper.id), ['y'], 'a pick sharing nothing with its example is left out');
});

test('following: matching papers newest day first, each with its reason in words', () => {
  const f = (id: number, kind: Follow['kind'], value: string): Follow => ({ id, userId: 1, kind, value, createdAt: '2025-08-01' });
  const byJane = item({ title: 'Sparse attention', authors: ['Jané Doe', 'Bob'] }, '2025-08-01');
  const diffusion = item({ title: 'Diffusion for proteins', abstract: 'Score-based diffusion models design proteins.', categories: ['q-bio.BM'] }, '2025-08-04');
  const both = item({ title: 'Diffusion in vision', abstract: 'Diffusion models.', authors: ['jane doe'], categories: ['cs.CV'] }, '2025-08-02');
  const other = item({ title: 'Galaxies', authors: ['Someone'], categories: ['astro-ph.GA'] }, '2025-08-04');
  const follows = [f(1, 'author', 'Jane Doe'), f(2, 'search', 'diffusion models'), f(3, 'category', 'cs.CV')];
  const news = followedItems([byJane, diffusion, both, other], follows);
  assert.deepEqual(news.map((n) => n.item.paper.id), [diffusion, both, byJane].map((i) => i.paper.id));
  assert.equal(followReason(byJane.paper, news[2].matched), 'by Jané Doe, whom you follow', 'the name as the paper spells it');
  assert.equal(followReason(diffusion.paper, news[0].matched), 'matches your saved search “diffusion models”');
  assert.equal(followReason(both.paper, news[1].matched), 'by jane doe, whom you follow; matches your saved search “diffusion models”; in cs.CV, which you follow');
  assert.deepEqual(followedItems([byJane], []), []);
});

test('mail HTML escapes every value; only nested templates pass through', () => {
  const evil = '<img src=x onerror="alert(1)">&';
  assert.equal(html`<p title="${evil}">${evil}${html`<b>${'<'}</b>`}</p>`.value, `<p title="${escapeHtml(evil)}">${escapeHtml(evil)}<b>&lt;</b></p>`);
  const r = new DigestRenderer().render({
    period: digestPeriod('daily', '2025-08-01')!,
    following: [],
    trending: [{ id: '1', title: '<script>x</script>', authors: ['A "Quote"', 'B', 'C', 'D', 'E'], sentence: 'S & T.', upvotes: 1, url: 'http://p.test/papers/1?a=1&b=2' }],
    forYou: [],
    siteUrl: 'http://p.test',
    unsubscribeUrl: 'http://p.test/unsubscribe?id=1&sig=abc',
  });
  assert.equal(r.subject, 'Trending papers · Friday, 1 August 2025');
  assert.ok(!r.html.includes('<script>'));
  assert.ok(r.html.includes('&lt;script&gt;x&lt;/script&gt;'));
  assert.ok(r.html.includes('href="http://p.test/papers/1?a=1&amp;b=2"'));
  assert.match(r.text, /A "Quote", B, C et al\. \(5 authors\) · ▲ 1 upvote\n/);
  assert.ok(!r.text.includes('For you'), 'no For-you section without picks');
  assert.ok(!r.text.includes('From what you follow'), 'no following section without follows');

  // Sections in order, reasons escaped in HTML and plain in text; a capped following section links the rest.
  const e = (id: string, title: string, reason?: string) => ({ id, title, authors: ['A'], sentence: 'S.', upvotes: 0, url: `http://p.test/papers/${id}`, reason });
  const full = new DigestRenderer().render({
    period: digestPeriod('weekly', '2025-08-04')!,
    following: [e('f1', 'Followed one', 'matches your saved search “<i>x</i> & y”')],
    moreFollowing: 3,
    trending: [e('t1', 'Trending one')],
    forYou: [e('p1', 'Picked one', 'like “<b>Old</b>”, which you upvoted')],
    siteUrl: 'http://p.test',
    unsubscribeUrl: 'http://p.test/unsubscribe?id=1&sig=abc',
  });
  assert.match(full.text, /From what you follow\n-+\n\n1\. Followed one\n[\s\S]*\n   Why: matches your saved search “<i>x<\/i> & y”\n[\s\S]*3 more new papers from what you follow: http:\/\/p\.test\/following\n[\s\S]*Top papers\n-+\n\n1\. Trending one\n[\s\S]*For you\n-+\n\n1\. Picked one\n[\s\S]*Why: like “<b>Old<\/b>”, which you upvoted/);
  assert.ok(!/Trending one\n[^\n]*\n[^\n]*\n[^\n]*\n   Why/.test(full.text), 'trending papers carry no reason');
  assert.ok(full.html.includes('Why: matches your saved search “&lt;i&gt;x&lt;/i&gt; &amp; y”'));
  assert.ok(full.html.includes('Why: like “&lt;b&gt;Old&lt;/b&gt;”, which you upvoted'));
  assert.ok(!full.html.includes('<b>Old</b>') && !full.html.includes('<i>x</i>'));
  assert.ok(full.html.indexOf('From what you follow') < full.html.indexOf('Top papers') && full.html.indexOf('Top papers') < full.html.indexOf('>For you<'));
  assert.match(full.html, /<a class="pb-link" href="http:\/\/p\.test\/following"[^>]*>3 more new papers from what you follow<\/a>/);
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
