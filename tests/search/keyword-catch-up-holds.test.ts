import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { holdsUnder } from '../helpers/event-loop.ts';
import { seededRandom } from '../../src/domain/random.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';

/**
 * A harvest's 300 changed papers, caught up by a serving process (before a search or the
 * similar-lists job's first list, issue 19): on SQLite the full-text rows were written in one
 * transaction (~150 ms of the request thread at the real corpus' lengths) and then the 300 papers
 * analysed into the in-memory index at once (~170 ms; BENCHMARKS "Background jobs", round 21).
 * Both now hand the loop back every few papers.
 */
forEachStore('a harvest-sized keyword catch-up holds the request thread only briefly', (ctx) => {
  const rnd = seededRandom(2102);
  const vocabulary = Array.from({ length: 5000 }, (_, i) => `term${i.toString(36)}ing`);
  // Abstracts as long as the corpus' (~1,000–1,500 characters): the analysis is per word.
  const abstract = () => Array.from({ length: 180 }, () => vocabulary[Math.floor(rnd() * vocabulary.length)]).join(' ');
  const papers = Array.from({ length: 300 }, (_, i) => makePaper({ id: `2604.${String(i).padStart(5, '0')}`, title: `Harvested paper ${i}`, abstract: abstract() }));
  let services: ReturnType<typeof createServices>;

  before(async () => {
    await ctx.store.papers.upsertMany(papers);
    services = createServices({ config: loadConfig({}, { db: ':memory:' }), logger: createLogger('silent'), store: ctx.store });
    await services.searchIndex.reindex();
  });

  test('catching up 300 changed papers: every stretch under 30 ms of CPU, and the new words are found', async () => {
    let round = 0;
    // The engine's own catch-up, to its end (a search waits for it at most a second, then it goes on).
    const holds = await holdsUnder(30, () => services.searchIndex.engine.catchUp(), {
      // Each try: the 300 papers get a new text, as a harvest in another process would write it.
      setup: () => ctx.store.papers.upsertMany(papers.map((p) => ({ ...p, abstract: `${abstract()} zeppelin${'abcdef'[++round]}x` }))),
    });
    const found = await services.search.search({ q: `zeppelin${'abcdef'[round]}x`, limit: 5 });
    assert.equal(found.results.length, 5, 'the changed papers are in the index');
    assert.ok(Math.min(...holds) < 30, `the catch-up held the event loop ${holds.map((h) => h.toFixed(1)).join(', ')} ms of CPU at once`);
  });
});
