import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedItem, itemExtras, newestDate } from '../../src/domain/feed-document.ts';
import { NO_ENRICHMENT, type PaperEnrichment } from '../../src/domain/enrichment.ts';
import type { PaperWithStats } from '../../src/domain/paper.ts';
import { makePaper } from '../helpers/papers.ts';

/** A feed item's `updated` is when what it shows last changed; the feed's Last-Modified is the newest of them. */
const withStats = (over: Parameters<typeof makePaper>[0] = {}): PaperWithStats => ({ ...makePaper(over), upvotes: 0, numComments: 0, hidden: false });
const SITE = 'https://papers.example.org';

test('an item is updated when it entered the feed, or later by a new version or an enrichment shown', () => {
  const plain = feedItem(withStats({ publishedAt: '2025-03-01' }), '2025-03-04', SITE, '/papers/x');
  assert.equal(plain.date, '2025-03-04T00:00:00.000Z');
  assert.equal(plain.updated, plain.date);

  const revised = feedItem(withStats({ publishedAt: '2025-03-01', updatedAt: '2025-03-09' }), '2025-03-04', SITE, '/papers/x');
  assert.equal(revised.date, '2025-03-04T00:00:00.000Z', 'still listed on its day');
  assert.equal(revised.updated, '2025-03-09T00:00:00.000Z', 'a later version changed its title or abstract');

  const keyed: PaperEnrichment = { ...NO_ENRICHMENT, keyphrases: ['muons'], writtenAt: { summary: null, keyphrases: '2025-03-12T10:00:00.000Z', thumbnail: null } };
  const enriched = feedItem(withStats({ publishedAt: '2025-03-01' }), '2025-03-04', SITE, '/papers/x', itemExtras(keyed, SITE));
  assert.equal(enriched.updated, '2025-03-12T10:00:00.000Z');
  assert.equal(newestDate([plain, enriched, revised]), '2025-03-12T10:00:00.000Z');
});

test('only what the item shows counts: key phrases hidden behind a TL;DR do not move it', () => {
  const e: PaperEnrichment = {
    ...NO_ENRICHMENT,
    summary: { text: 'In brief.', keywords: [], model: 'm' },
    keyphrases: ['muons'],
    writtenAt: { summary: '2025-03-05T00:00:00.000Z', keyphrases: '2025-03-20T00:00:00.000Z', thumbnail: null },
  };
  const extras = itemExtras(e, SITE)!;
  assert.deepEqual(extras.keywords, [], 'a TL;DR replaces the keywords');
  assert.equal(extras.changedAt, '2025-03-05T00:00:00.000Z');
});
