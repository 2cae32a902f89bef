import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

forEachStore('PaperRepository', (ctx) => {
  test('inserts, then reports the same paper unchanged', async () => {
    const p = makePaper({ title: 'Attention is all you need', authors: ['A. Vaswani', 'N. Shazeer'] });
    assert.deepEqual(await ctx.store.papers.upsertMany([p]), ['inserted']);
    assert.deepEqual(await ctx.store.papers.upsertMany([p]), ['unchanged']);
    const got = await ctx.store.papers.get(p.id);
    assert.ok(got);
    assert.equal(got.title, 'Attention is all you need');
    assert.deepEqual(got.authors, ['A. Vaswani', 'N. Shazeer']);
    assert.equal(got.upvotes, 0);
    assert.equal(got.links.abs, `https://arxiv.org/abs/${p.id}`);
  });

  test('a newer version updates; an older one does not overwrite it', async () => {
    const v1 = makePaper({ version: 1, title: 'First title' });
    await ctx.store.papers.upsertMany([v1]);
    const v2 = { ...v1, version: 2, title: 'Second title' };
    assert.deepEqual(await ctx.store.papers.upsertMany([v2]), ['updated']);
    assert.deepEqual(await ctx.store.papers.upsertMany([{ ...v1, title: 'Stale title' }]), ['unchanged']);
    assert.equal((await ctx.store.papers.get(v1.id))?.title, 'Second title');
    assert.equal((await ctx.store.papers.get(v1.id))?.version, 2);
  });

  test('the same paper twice in one batch is stored once, with the last line', async () => {
    const a = makePaper({ title: 'Draft' });
    const outcomes = await ctx.store.papers.upsertMany([a, { ...a, title: 'Final' }]);
    assert.deepEqual(outcomes, ['inserted', 'updated']);
    assert.equal((await ctx.store.papers.get(a.id))?.title, 'Final');
  });

  test('getMany keeps the asked order and skips unknown ids', async () => {
    const [a, b] = [makePaper(), makePaper()];
    await ctx.store.papers.upsertMany([a, b]);
    const got = await ctx.store.papers.getMany([b.id, '9999.99999', a.id]);
    assert.deepEqual(
      got.map((p) => p.id),
      [b.id, a.id],
    );
  });

  test('a batch larger than one statement is stored whole, and counted', async () => {
    const before = await ctx.store.papers.count();
    const many = Array.from({ length: 1203 }, () => makePaper());
    const outcomes = await ctx.store.papers.upsertMany(many);
    assert.equal(outcomes.filter((o) => o === 'inserted').length, 1203);
    assert.equal(await ctx.store.papers.count(), before + 1203);
  });

  test('listNewest pages by keyset without gaps or repeats', async () => {
    const all: string[] = [];
    let after: { publishedAt: string | null; id: string } | undefined;
    for (;;) {
      const page = await ctx.store.papers.listNewest(400, after);
      if (!page.length) break;
      all.push(...page.map((p) => p.id));
      const last = page[page.length - 1];
      after = { publishedAt: last.publishedAt, id: last.id };
    }
    assert.equal(all.length, await ctx.store.papers.count());
    assert.equal(new Set(all).size, all.length);
  });

  test('textsById pages every visible paper by primary key, without gaps or repeats, leaving hidden and withdrawn ones out', async () => {
    // Many papers on one day: the case a newest-first keyset re-walked for every page.
    await ctx.store.papers.upsertMany(Array.from({ length: 30 }, (_, i) => makePaper({ title: `Same day ${i}`, publishedAt: '2030-01-01' })));
    const [hidden, withdrawn] = [makePaper({ title: 'Hidden one' }), makePaper({ title: 'Withdrawn one' })];
    await ctx.store.papers.upsertMany([hidden, withdrawn]);
    await ctx.store.papers.setHidden(hidden.id, true);
    await ctx.store.papers.markDeleted(withdrawn.id);
    const got: { id: string; title: string; abstract: string }[] = [];
    for (let after = ''; ; ) {
      const page = await ctx.store.papers.textsById(7, after);
      got.push(...page);
      if (page.length < 7) break;
      after = page[page.length - 1].id;
    }
    const ids = got.map((p) => p.id);
    assert.deepEqual(ids, [...ids].sort(), 'in id order');
    assert.equal(new Set(ids).size, ids.length, 'no repeats');
    assert.ok(!ids.includes(hidden.id) && !ids.includes(withdrawn.id), 'hidden and withdrawn papers are left out');
    let visible = 0;
    for (let after: { publishedAt: string | null; id: string } | undefined; ; ) {
      const page = await ctx.store.papers.listNewest(500, after);
      if (!page.length) break;
      visible += page.length;
      after = { publishedAt: page[page.length - 1].publishedAt, id: page[page.length - 1].id };
    }
    assert.equal(ids.length, visible, 'every visible paper once');
    const one = got.find((p) => p.title === 'Same day 3');
    assert.equal(one?.abstract, (await ctx.store.papers.get(one!.id))?.abstract);
  });

  test('indexTextsById pages what the keyword index holds of every visible paper, with its kept PDF text joined in', async () => {
    const withPdf = makePaper({ title: 'Has a PDF', categories: ['cs.LG', 'Stat.ML'], publishedAt: '2031-02-03' });
    const without = makePaper({ title: 'Has none' });
    const [hidden, withdrawn] = [makePaper({ title: 'Hidden two' }), makePaper({ title: 'Withdrawn two' })];
    await ctx.store.papers.upsertMany([withPdf, without, hidden, withdrawn]);
    await ctx.store.enrichment.savePdf(withPdf.id, { text: 'first pages of the paper', pages: 2, thumbnails: [] });
    await ctx.store.enrichment.savePdf(hidden.id, { text: 'hidden text', pages: 1, thumbnails: [] });
    await ctx.store.papers.setHidden(hidden.id, true);
    await ctx.store.papers.markDeleted(withdrawn.id);
    const got = [];
    for (let after = ''; ; ) {
      const page = await ctx.store.papers.indexTextsById(3, after);
      got.push(...page);
      if (page.length < 3) break;
      after = page[page.length - 1].id;
    }
    const ids = got.map((p) => p.id);
    assert.deepEqual(ids, [...ids].sort(), 'in id order');
    assert.equal(new Set(ids).size, ids.length, 'no repeats');
    assert.ok(!ids.includes(hidden.id) && !ids.includes(withdrawn.id), 'hidden and withdrawn papers are left out');
    const texts: string[] = [];
    for (let after = ''; ; ) {
      const page = await ctx.store.papers.textsById(500, after);
      texts.push(...page.map((p) => p.id));
      if (page.length < 500) break;
      after = page[page.length - 1].id;
    }
    assert.deepEqual(ids, texts, 'the same papers as textsById');
    const { contentHash, ...text } = got.find((p) => p.id === withPdf.id)!;
    assert.deepEqual(text, { id: withPdf.id, title: 'Has a PDF', abstract: withPdf.abstract, categories: ['cs.LG', 'Stat.ML'], publishedAt: withPdf.publishedAt, pdfText: 'first pages of the paper' });
    // The hash the import stored: a reindex embeds from the keyword build's analysis only while it matches.
    const stored = await testDb(ctx.store).selectFrom('papers').select('content_hash').where('id', '=', withPdf.id).executeTakeFirstOrThrow();
    assert.equal(contentHash, stored.content_hash);
    assert.ok(contentHash.length > 0);
    assert.equal(got.find((p) => p.id === without.id)?.pdfText, null);
  });

  test('markDeleted keeps the paper but flags it', async () => {
    const p = makePaper();
    await ctx.store.papers.upsertMany([p]);
    assert.equal(await ctx.store.papers.markDeleted(p.id), true);
    assert.equal((await ctx.store.papers.get(p.id))?.deleted, true);
    assert.equal(await ctx.store.papers.markDeleted('0000.00000'), false);
  });

  test('a failed transaction stores nothing of its batch', async () => {
    const p = makePaper();
    await assert.rejects(
      ctx.store.transaction(async (tx) => {
        await tx.papers.upsertMany([p]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await ctx.store.papers.get(p.id), null);
  });
});

forEachStore('PaperRepository statistics', (ctx) => {
  test('refreshing the planner statistics after a bulk load works on each store', async () => {
    await ctx.store.papers.upsertMany(Array.from({ length: 50 }, () => makePaper()));
    await ctx.store.papers.refreshStatistics();
    assert.equal(await ctx.store.papers.count(), 50);
  });

  test('hasAtLeast(n) agrees with count() >= n at the edges (hidden papers are stored rows too)', async () => {
    const n = await ctx.store.papers.count();
    await ctx.store.papers.markDeleted((await ctx.store.papers.textsById(1, ''))[0].id);
    for (const k of [0, 1, n - 1, n, n + 1]) assert.equal(await ctx.store.papers.hasAtLeast(k), n >= k, `at least ${k} of ${n}`);
  });
});

forEachStore('PaperRepository bulk imports', (ctx) => {
  test('during a bulk import SQLite checkpoints its log less often; the setting is restored, also after a failure', async () => {
    const raw = ctx.store.bulk?.raw;
    const checkpointEvery = () => raw?.pragma('wal_autocheckpoint', { simple: true });
    const before = checkpointEvery();
    const inside = await ctx.store.papers.duringBulkImport(async () => {
      await ctx.store.papers.upsertMany([makePaper({ id: '2501.07001' })]);
      return checkpointEvery();
    });
    if (raw) assert.equal(inside, 65536);
    assert.equal(checkpointEvery(), before);
    await assert.rejects(ctx.store.papers.duringBulkImport(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(checkpointEvery(), before);
    assert.ok(await ctx.store.papers.get('2501.07001'), 'what the import wrote stays');
  });
});
