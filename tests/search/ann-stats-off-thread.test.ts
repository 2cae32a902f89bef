import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type SQLite from 'better-sqlite3';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { SearchIndexService } from '../../src/services/search-index.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { unitVector } from '../helpers/vectors.ts';

/**
 * Issue 19, round 27: a server's ANN preparation counted the space's stored vectors (`select
 * count(*), max(embedded_at)` over its 74,728 rows at 75k papers: 4–11 ms) on the request thread, in
 * the same turn as the end of the stored model's open (round 26); the similar-lists job counts them
 * before each run too. A serving SQLite process runs that statement in its checkpoint thread, on the
 * thread's own connection. Told apart without a clock: the statements this thread's SQLite driver
 * runs are recorded (better-sqlite3's module is this thread's own; the checkpoint thread loads
 * another copy), and none of them may be the count.
 */
const E = 'stats-thread-embedder';
const D = 16;
const N = 3_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-ann-stats-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The SQL of every statement this thread's SQLite driver runs while `task` runs (as bench/startup/trace.mjs records them). */
async function statementsOnThisThread(raw: SQLite.Database, task: () => Promise<unknown>): Promise<string[]> {
  const proto = Object.getPrototypeOf(raw.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
  const seen: string[] = [];
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  for (const m of ['all', 'get', 'run', 'iterate']) {
    const f = proto[m];
    originals.set(m, f);
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      seen.push(this.source);
      return f.apply(this, args);
    };
  }
  try {
    await task();
  } finally {
    for (const [m, f] of originals) proto[m] = f;
  }
  return seen;
}

const countsVectors = (s: string) => /count\s*\(/i.test(s) && /paper_embeddings/i.test(s);

async function fill(opened: OpenedStore): Promise<string> {
  const ids = Array.from({ length: N }, (_, i) => `2406.${String(i).padStart(5, '0')}`);
  await opened.store.papers.upsertMany(ids.map((id) => makePaper({ id })));
  await opened.store.search.saveEmbeddings(
    E,
    ids.map((paperId, i) => ({ paperId, key: i + 1, vector: unitVector(i, D), contentHash: 'h' })),
    '2026-03-01T00:00:00.000Z',
  );
  // Another space's vectors are not counted.
  await opened.store.search.saveEmbeddings('other-embedder', ids.slice(0, 10).map((paperId, i) => ({ paperId, key: i + 1, vector: unitVector(i, 4), contentHash: 'h' })), '2026-04-01T00:00:00.000Z');
  return '2026-03-01T00:00:00.000Z';
}

test('a serving SQLite store counts a space’s vectors in its checkpoint thread, never on the request thread', async () => {
  // As `serve` opens it.
  const opened = await openStore(path.join(dir, 'serving.db'), { checkpointThread: true });
  try {
    const newest = await fill(opened);
    const raw = opened.store.bulk!.raw;
    let stats: { count: number; newest: string | null } | undefined;
    const run = await statementsOnThisThread(raw, async () => {
      stats = await opened.store.search.embeddingStats(E);
    });
    assert.deepEqual(stats, { count: N, newest });
    assert.deepEqual(run.filter(countsVectors), [], `the count ran on the request thread: ${run.join(' | ')}`);
    assert.deepEqual(await opened.store.search.embeddingStats('no-such-embedder'), { count: 0, newest: null });

    // The ANN preparation of a server (no saved graph: built from the stored vectors, a page at a
    // time, here) reads the vectors on this thread, but counts them in the checkpoint thread.
    const svc = new SearchIndexService(opened.store, { engine: new StoreKeywordEngine(opened.store), embedder: async () => null, annRefreshMs: 60_000 });
    let size = 0;
    const prepared = await statementsOnThisThread(raw, async () => {
      size = (await svc.vectorIndex({ embedderId: E, dimensions: D })).size;
    });
    assert.equal(size, N);
    assert.ok(prepared.some((s) => /paper_embeddings/i.test(s)), 'the vectors themselves are read here');
    assert.deepEqual(prepared.filter(countsVectors), [], `the ANN preparation counted on the request thread: ${prepared.filter(countsVectors).join(' | ')}`);
    await svc.close();

    // Inside a transaction the count sees the transaction's own writes: it runs on its connection.
    const rolledBack = new Error('rolled back');
    await assert.rejects(
      opened.store.transaction(async (s) => {
        await s.search.deleteEmbeddings(E);
        assert.deepEqual(await s.search.embeddingStats(E), { count: 0, newest: null });
        throw rolledBack;
      }),
      rolledBack,
    );
    // A thread that is gone leaves the count to this connection.
    await opened.checkpoints!.close();
    assert.deepEqual(await opened.store.search.embeddingStats(E), { count: N, newest });
  } finally {
    await opened.close();
  }
});

test('a store without the thread (a command, an in-memory database) counts on its own connection', async () => {
  for (const location of [path.join(dir, 'command.db'), ':memory:']) {
    const opened = await openStore(location);
    try {
      const newest = await fill(opened);
      assert.deepEqual(await opened.store.search.embeddingStats(E), { count: N, newest }, location);
    } finally {
      await opened.close();
    }
  }
});

forEachStore('embedding statistics', (ctx) => {
  test('the count and the newest time of a space’s vectors, whatever other spaces hold', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `2407.${String(i).padStart(5, '0')}`);
    await ctx.store.papers.upsertMany(ids.map((id) => makePaper({ id })));
    await ctx.store.search.saveEmbeddings(E, ids.map((paperId, i) => ({ paperId, key: i + 1, vector: unitVector(i, D), contentHash: 'h' })), '2026-06-01T00:00:00.000Z');
    await ctx.store.search.saveEmbeddings('other-embedder', ids.slice(0, 5).map((paperId, i) => ({ paperId, key: i + 1, vector: unitVector(i, 4), contentHash: 'h' })), '2026-07-01T00:00:00.000Z');
    assert.deepEqual(await ctx.store.search.embeddingStats(E), { count: 25, newest: '2026-06-01T00:00:00.000Z' });
    assert.deepEqual(await ctx.store.search.embeddingStats('no-such-embedder'), { count: 0, newest: null });
  });
});
