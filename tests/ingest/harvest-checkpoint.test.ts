import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Harvester } from '../../src/ingest/oai/harvester.ts';
import { OaiClient } from '../../src/ingest/oai/client.ts';
import type { Store } from '../../src/store/store.ts';
import { forEachStore } from '../helpers/contract.ts';
import { startOaiServer } from '../helpers/oai-server.ts';

const FEED = ['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG', 'stat.ML'];

/**
 * The store, except that its transactions after the first `commits` fail at the last moment (the
 * page's writes all ran, then the commit never happens: a crash, a lost connection).
 */
function failingAfter(store: Store, commits: number): Store {
  const wrapped = Object.create(store) as Store;
  let left = commits;
  wrapped.transaction = (fn) =>
    store.transaction(async (tx) => {
      const result = await fn(tx);
      if (left-- <= 0) throw new Error('the commit did not happen');
      return result;
    });
  return wrapped;
}

forEachStore("harvest: a page's checkpoint commits with its papers or not at all", (ctx) => {
  let server: Awaited<ReturnType<typeof startOaiServer>>;
  before(async () => {
    server = await startOaiServer();
  });
  after(() => server.close());

  // The timeout turns a checkpoint written beside the transaction on SQLite (it waits for the
  // connection the transaction holds) into a failure instead of a hang.
  test('a page whose transaction fails leaves the checkpoint at the page before; the next run stores it', { timeout: 30_000 }, async () => {
    const client = new OaiClient({ baseUrl: `${server.url}/oai`, delayMs: 0, maxRetries: 0 });
    const opts = { feedCategories: FEED, now: () => new Date('2025-11-23T12:00:00Z') };
    const crashing = new Harvester(failingAfter(ctx.store, 1), client, opts);
    await assert.rejects(crashing.harvest({ from: '2025-11-17', sets: ['cs'] }), /the commit did not happen/);
    assert.equal(await ctx.store.papers.count(), 3, 'page 1 only');
    const state = await ctx.store.harvestState.get('arXiv:cs');
    assert.equal(state?.resumptionToken, 'fixture|3', 'the checkpoint of the stored page, not of the failed one');
    assert.equal(state?.pages, 1);

    const summary = await new Harvester(ctx.store, client, opts).harvest({ from: '2025-11-17', sets: ['cs'] });
    assert.equal(summary.pages, 2, 'resumed at the failed page');
    assert.equal(await ctx.store.papers.count(), 7, 'nothing lost');
    assert.equal((await ctx.store.harvestState.get('arXiv:cs'))?.resumptionToken, null);
  });
});
