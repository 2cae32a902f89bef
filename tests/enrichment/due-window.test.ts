import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

/**
 * The enrichment job's check (`hasDue`, every two minutes) asks the store for papers due in the
 * look-back window. On SQLite that query runs on the serving process's event loop, so it must read
 * the window through indexes, not test every paper (it held the loop for 1.2 s of CPU per check at
 * 75k papers with nothing due, round 19).
 */

// The SQL texts better-sqlite3 compiles, to ask SQLite how it plans the due query.
const compiled: string[] = [];
const prepare = SQLite.prototype.prepare;
SQLite.prototype.prepare = function (this: SQLite.Database, source: string) {
  compiled.push(source);
  return prepare.call(this, source);
} as typeof SQLite.prototype.prepare;

const due = (since: string) => ({ step: 'w-step', version: 1, now: '2026-01-01T00:00:00.000Z', since, limit: 10 });

forEachStore('enrichment: the look-back window', (ctx) => {
  before(async () => {
    await ctx.store.papers.upsertMany([
      makePaper({ id: '2601.00001', publishedAt: '2025-12-20' }),
      makePaper({ id: '2601.00002', publishedAt: '2025-06-01' }),
      makePaper({ id: '2601.00003', publishedAt: '2025-06-02' }),
      makePaper({ id: '2601.00004', publishedAt: '2025-12-21' }),
    ]);
    await ctx.store.papers.setHidden('2601.00004', true);
    // An old paper put on a recent day's feed is in the window; one on an old day's feed is not.
    await ctx.store.feed.addMany([{ paperId: '2601.00002', day: '2025-12-22' }, { paperId: '2601.00003', day: '2025-06-02' }]);
  });

  test('papers published or on the feed since the day are due, newest first; older and hidden ones are not', async () => {
    const rows = await ctx.store.enrichment.due(due('2025-12-15'));
    assert.deepEqual(rows.map((r) => r.paperId), ['2601.00001', '2601.00002']);
    assert.deepEqual((await ctx.store.enrichment.due(due('2025-12-21'))).map((r) => r.paperId), ['2601.00002'], 'on the feed on the 22nd');
    assert.deepEqual(await ctx.store.enrichment.due(due('2025-12-23')), []);
    await ctx.store.enrichment.record('2601.00001', 'w-step', { status: 'done', attempts: 1, reason: null, nextAt: null, version: 1 });
    assert.deepEqual((await ctx.store.enrichment.due(due('2025-12-15'))).map((r) => r.paperId), ['2601.00002'], 'done once');
  });

  if (ctx.kind === 'sqlite') {
    test('SQLite reads the window through indexes, not the whole papers or feed table', async () => {
      await ctx.store.enrichment.due(due('2025-12-15'));
      const text = compiled.find((s) => /enrichment_state/.test(s) && /feed_entries/.test(s));
      assert.ok(text, 'the due query was compiled');
      // Planned with bound parameters, as it runs: SQLite plans some literals differently.
      const params = (text.match(/\?/g) ?? []).map((_, i) => (i === 0 ? 'w-step' : '2025-12-15'));
      const plan = await testDb(ctx.store).executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${text}`, params));
      const details = plan.rows.map((r) => r.detail);
      const scans = details.filter((d) => /^SCAN (p|w|f)\b/.test(d));
      assert.deepEqual(scans, [], `no table scan in the plan:\n${details.join('\n')}`);
    });
  }
});
