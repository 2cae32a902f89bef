import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loopTurns } from '../helpers/event-loop.ts';

/**
 * "Papers to embed": the embedding job's check (`hasPending`, every minute in each serving
 * process) and its batches. When few papers are pending the anti-join read every paper in one
 * statement — on SQLite 201 ms of the request thread at 74,728 papers (BENCHMARKS "Background jobs",
 * round 20) — so SQLite walks the papers a slice of ids at a time with the event loop free between
 * the slices. The answers must be the unsliced ones.
 */
forEachStore('papers to embed, in slices', (ctx) => {
  const EMB = 'test-emb';
  const id = (i: number) => `2602.${String(i).padStart(5, '0')}`;

  test('slices of any size give the unsliced answer: papers without a vector or with a vector of an older text, in id order, from afterId', async () => {
    await ctx.store.papers.upsertMany(Array.from({ length: 60 }, (_, i) => makePaper({ id: id(i), title: `Paper ${i}` })));
    // Vectors for most; a few then get a new text (their vector is of the old one).
    const embedded = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 7 !== 3);
    const hashes = new Map((await ctx.store.search.papersToEmbed(EMB, 1000)).map((p) => [p.id, p.contentHash]));
    await ctx.store.search.saveEmbeddings(EMB, embedded.map((i) => ({ paperId: id(i), key: i + 1, vector: new Float32Array([1, 0]), contentHash: hashes.get(id(i))! })));
    const changed = [5, 22, 41].map(id);
    await ctx.store.papers.upsertMany((await ctx.store.papers.getMany(changed)).map((p) => ({ ...p, abstract: `${p.abstract} Revised.` })));
    const whole = (await ctx.store.search.papersToEmbed(EMB, 1000, undefined, 1e9)).map((p) => p.id);
    assert.deepEqual(whole, [...new Set([...Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 7 === 3).map(id), ...changed])].sort());
    for (const slice of [1, 2, 7, 59, 60, 61, 2000]) {
      for (const limit of [1, 3, 100]) {
        for (const after of [undefined, id(0), id(22), id(58), id(59)]) {
          const want = (await ctx.store.search.papersToEmbed(EMB, limit, after, 1e9)).map((p) => p.id);
          assert.deepEqual((await ctx.store.search.papersToEmbed(EMB, limit, after, slice)).map((p) => p.id), want, `slice ${slice}, limit ${limit}, after ${after}`);
        }
      }
      assert.equal(await ctx.store.search.countToEmbed(EMB, slice), whole.length, `count, slice ${slice}`);
    }
  });

  test('with textFor: the same papers and hashes, the title and abstract only of those it asks for (a reindex reads only the texts its analysis lacks)', async () => {
    for (const slice of [7, 2000]) {
      const full = await ctx.store.search.papersToEmbed(EMB, 100, undefined, slice);
      assert.ok(full.length > 4, `${full.length} papers pending`);
      const asked: [string, string][] = [];
      const wanted = new Set([full[1].id, full[full.length - 1].id]);
      const lean = await ctx.store.search.papersToEmbed(EMB, 100, undefined, slice, {
        textFor: (paper, hash) => {
          asked.push([paper, hash]);
          return wanted.has(paper);
        },
      });
      // Asked once per listed paper, with the hash it was listed at.
      assert.deepEqual(asked, full.map((p) => [p.id, p.contentHash]));
      assert.deepEqual(lean.map((p) => [p.id, p.contentHash]), full.map((p) => [p.id, p.contentHash]), `slice ${slice}: the same papers at the same hashes`);
      for (const [i, p] of lean.entries()) {
        if (wanted.has(p.id)) assert.deepEqual(p, full[i], `${p.id}: its text, as a full read gives it`);
        else assert.deepEqual([p.title, p.abstract], ['', ''], `${p.id}: no text read`);
      }
    }
  });

  test('with nothing pending the check and the count walk every paper with the event loop free between slices of the default size', async () => {
    // More papers than a default slice, every one with a vector of its text.
    const more = Array.from({ length: 4500 }, (_, i) => makePaper({ id: id(1000 + i), title: `More ${i}` }));
    await ctx.store.papers.upsertMany(more);
    const all = await ctx.store.search.papersToEmbed(EMB, 10_000);
    await ctx.store.search.saveEmbeddings(EMB, all.map((p, i) => ({ paperId: p.id, key: 10_000 + i, vector: new Float32Array([0, 1]), contentHash: p.contentHash })));
    const turns = loopTurns();
    const pending = await ctx.store.search.papersToEmbed(EMB, 1);
    const afterCheck = turns.count;
    assert.equal(await ctx.store.search.countToEmbed(EMB), 0, 'and the count the job takes at its start and end');
    const ticks = turns.stop();
    assert.deepEqual(pending, []);
    if (ctx.kind === 'sqlite') assert.ok(afterCheck >= 2 && ticks - afterCheck >= 2, `the event loop ran between the slices (${afterCheck} turns in the check, ${ticks - afterCheck} in the count)`);
  });
});
