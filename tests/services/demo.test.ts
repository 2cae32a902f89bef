import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { DEMO_DAY, DEMO_FILE, DEMO_MATCHES_FILE, loadDemoIfEmpty } from '../../src/services/demo.ts';
import { diceSimilarity, normaliseTitle, trigrams } from '../../src/domain/title-match.ts';

const seed = fs
  .readFileSync(DEMO_FILE, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { id: string; title: string });
const matches = (JSON.parse(fs.readFileSync(DEMO_MATCHES_FILE, 'utf8')) as { matches: Record<string, { arxivId: string; title: string; authors: string[]; categories: string[]; matchedBy: string }> }).matches;

test('titles match across sources when only case, accents, punctuation and spacing differ', () => {
  assert.equal(normaliseTitle('  Attention Is All You Need!  '), 'attention is all you need');
  assert.equal(normaliseTitle('Kolmogorov–Arnold  Networks: KANs'), normaliseTitle('kolmogorov arnold networks kans'));
  assert.equal(normaliseTitle('Déjà vu'), 'deja vu');
  const a = trigrams(normaliseTitle('Guiding Giants: Lightweight Controllers'));
  assert.equal(diceSimilarity(a, a), 1);
  assert.ok(diceSimilarity(a, trigrams(normaliseTitle('Guiding giants lightweight controller'))) > 0.85);
  assert.ok(diceSimilarity(a, trigrams(normaliseTitle('Sparse autoencoders for circuits'))) < 0.3);
  assert.equal(diceSimilarity(new Set(), a), 0);
});

test('the committed matches are small derived facts about seed papers, each a true match', () => {
  assert.ok(Object.keys(matches).length > 0);
  const bySeed = new Map(seed.map((p) => [p.id, p]));
  for (const [seedId, m] of Object.entries(matches)) {
    const p = bySeed.get(seedId);
    assert.ok(p, `${seedId} is a seed paper`);
    assert.match(m.arxivId, /^\d{4}\.\d{4,5}$/);
    assert.ok(m.authors.length > 0 && m.categories.length > 0, `${seedId} has authors and categories`);
    const same = diceSimilarity(trigrams(normaliseTitle(p!.title)), trigrams(normaliseTitle(m.title)));
    assert.ok(m.matchedBy === 'title' ? normaliseTitle(p!.title) === normaliseTitle(m.title) : same >= 0.7, `${seedId} ~ ${m.title}`);
    assert.ok(!('abstract' in m), 'no corpus text is committed');
  }
});

forEachStore('the demo set', (ctx) => {
  test('loads the 69 seed papers in the seed order; those found on arXiv with real ids, authors, categories and links', async () => {
    const summary = await loadDemoIfEmpty(ctx.store);
    assert.equal(summary?.inserted, 69);
    assert.equal(summary?.failed, 0);
    assert.equal(await loadDemoIfEmpty(ctx.store), null, 'only into an empty store');
    const items = await ctx.store.feed.items(DEMO_DAY, DEMO_DAY, { limit: 100 });
    assert.equal(items.length, 69);
    const byPosition = [...items].sort((a, b) => a.entry.position - b.entry.position);
    assert.deepEqual(
      byPosition.map((i) => i.paper.title),
      seed.map((p) => p.title),
      'the feed keeps the seed page order',
    );
    for (const [seedId, m] of Object.entries(matches)) {
      const p = await ctx.store.papers.get(m.arxivId);
      assert.ok(p, `${seedId} is stored as ${m.arxivId}`);
      assert.equal(p!.source, 'arxiv');
      assert.deepEqual(p!.authors, m.authors);
      assert.deepEqual(p!.categories, m.categories);
      assert.equal(p!.links.abs, `https://arxiv.org/abs/${m.arxivId}`);
      assert.equal(await ctx.store.papers.get(`demo:${seedId}`), null, 'not also as a demo paper');
    }
  });
});
