import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mock, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { waitFor } from '../helpers/wait.ts';
import { makePaper } from '../helpers/papers.ts';
import { Importer } from '../../src/ingest/importer.ts';
import { InvertedIndexEngine, SCAN_GUARD_MS } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';

/**
 * An import stamps each batch's papers when it writes them. It used to stamp every paper with the
 * time the import started: a server whose keyword index followed the store by `modified_at` during
 * a long import moved its cursor past that stamp (to the highest id of the batches already
 * written) and never saw a later batch's papers with lower ids.
 */
const listing = (id: string, word: string) =>
  JSON.stringify({ id, title: `${word} studies`, authors: ['A. Author'], abstract: `On ${word}.`, categories: ['cs.LG'], listing_date: '2025-03-03' }) + '\n';

forEachStore('import timestamps', (ctx) => {
  test('a keyword index following the store while a long import runs finds every paper of every batch', async () => {
    // The clock is moved by hand (the engine keeps its cursor SCAN_GUARD_MS behind now).
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      // A server's index, built over the papers stored before the import.
      await ctx.store.papers.upsertMany([makePaper({ id: '2512.00001', title: 'Earlier studies of zebras' }), makePaper({ id: '2512.00002', title: 'Earlier studies of yaks' })]);
      mock.timers.tick(SCAN_GUARD_MS + 1000);
      const engine = new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store));
      await engine.rebuild();
      let resume!: () => void;
      const paused = new Promise<void>((r) => (resume = r));
      // Two batches of two, the second with lower ids, and a pause between them.
      async function* lines() {
        yield listing('2601.00003', 'aardvark');
        yield listing('2601.00004', 'bison');
        await paused;
        yield listing('2601.00001', 'cheetah');
        yield listing('2601.00002', 'dingo');
      }
      const importing = new Importer(ctx.store).importStream(Readable.from(lines()), 'long.jsonl', { batchSize: 2 });
      await waitFor(async () => (await ctx.store.papers.get('2601.00004')) !== null, 10_000, 'the first batch');
      // A scan well after the first batch: the cursor moves to its stamp and highest id.
      mock.timers.tick(SCAN_GUARD_MS + 1000);
      await engine.refresh();
      mock.timers.tick(SCAN_GUARD_MS + 1000);
      resume();
      const s = await importing;
      assert.equal(s.inserted, 4);
      mock.timers.tick(SCAN_GUARD_MS + 1000);
      await engine.refresh();
      for (const [word, id] of [['aardvark', '2601.00003'], ['bison', '2601.00004'], ['cheetah', '2601.00001'], ['dingo', '2601.00002']]) {
        const hits = await engine.search(parseQuery(word), { limit: 5, sort: 'relevance' });
        assert.deepEqual(hits.map((h) => h.id), [id], `${word}: the index has the paper of ${id}'s batch`);
      }
      const [first, second] = [await ctx.store.papers.modifiedSince({ modifiedAt: '', id: '' }, 10)].map((rows) => [
        rows.find((p) => p.id === '2601.00003')!.modifiedAt,
        rows.find((p) => p.id === '2601.00001')!.modifiedAt,
      ])[0];
      assert.ok(second > first, `the later batch is stamped later (${first}, ${second})`);
    } finally {
      mock.timers.reset();
    }
  });
});
