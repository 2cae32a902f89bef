import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loopTurns } from '../helpers/event-loop.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';

/**
 * The keyword index's catch-up with papers changed since (each minute, and before a search or a
 * similar-papers list): a harvest's papers are neighbours by rowid, so one slice of the store's
 * scan held them all, and analysing 300 of them held a SQLite serving process's request thread
 * 173 ms at once (BENCHMARKS "Background jobs", round 20). The loop is handed back every few papers.
 */
forEachStore('keyword catch-up in turns of the event loop', (ctx) => {
  const papers = Array.from({ length: 120 }, (_, i) => makePaper({ id: `2603.${String(i).padStart(5, '0')}`, title: `Harvested paper ${i} on tilings`, abstract: `Quasicrystal tilings and their spectra, part ${i}.` }));
  let services: ReturnType<typeof createServices>;

  before(async () => {
    await ctx.store.papers.upsertMany(papers);
    services = createServices({ config: loadConfig({}, { db: ':memory:' }), logger: createLogger('silent'), store: ctx.store });
    await services.searchIndex.reindex();
  });

  test('a catch-up of 120 changed papers runs in several turns, and finds the new words', async () => {
    await ctx.store.papers.upsertMany(papers.map((p) => ({ ...p, abstract: `${p.abstract} Revised with zeppelins.` })));
    const turns = loopTurns();
    await services.searchIndex.keywordCatchUpBounded();
    const ticks = turns.stop();
    const found = await services.search.search({ q: 'zeppelins', limit: 5 });
    assert.equal(found.results.length, 5, 'the changed papers are in the index');
    if (ctx.kind === 'sqlite') assert.ok(ticks >= 4, `the event loop ran during the catch-up (${ticks} turns)`);
  });
});
