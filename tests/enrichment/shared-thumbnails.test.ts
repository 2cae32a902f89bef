import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator } from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { thumbnailHash } from '../../src/services/enrichment/pdf-step.ts';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';
import { communityCleanupJob } from '../../src/jobs/community-cleanup-job.ts';
import { HousekeepingService } from '../../src/services/housekeeping.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Two papers whose first pages render to the same bytes (withdrawn-paper placeholders, a paper
 * posted twice) each have their thumbnails: the bytes are stored once per hash, the link per paper
 * (migration 1600). Before, the hash was the key of the paper's row and the second paper got none.
 */
const image = (label: string) => {
  const card = new TextEncoder().encode(`card ${label}`);
  const page = new TextEncoder().encode(`page ${label}`);
  return {
    hashes: { card: thumbnailHash(card), page: thumbnailHash(page) },
    thumbnails: [
      { size: 'card' as const, hash: thumbnailHash(card), mime: 'image/webp', width: 320, height: 414, data: card },
      { size: 'page' as const, hash: thumbnailHash(page), mime: 'image/webp', width: 900, height: 1165, data: page },
    ],
  };
};
const blobCount = async (store: Store) => Number((await testDb(store).selectFrom('thumbnail_blobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

forEachStore('papers with an identical first page each have the thumbnail', (ctx) => {
  test('both papers show it; the bytes are stored once; hiding or re-rendering one leaves the other its image', async () => {
    const [a, b] = [makePaper({ title: 'Withdrawn A' }), makePaper({ title: 'Withdrawn B' })];
    await ctx.store.papers.upsertMany([a, b]);
    const placeholder = image('This paper has been withdrawn');
    await ctx.store.enrichment.savePdf(a.id, { text: 'withdrawn', pages: 1, thumbnails: placeholder.thumbnails });
    await ctx.store.enrichment.savePdf(b.id, { text: 'withdrawn', pages: 1, thumbnails: placeholder.thumbnails });
    const found = await ctx.store.enrichment.forPapers([a.id, b.id]);
    for (const p of [a, b]) assert.deepEqual(found.get(p.id)?.thumbnails && { card: found.get(p.id)!.thumbnails!.card.hash, page: found.get(p.id)!.thumbnails!.page.hash }, placeholder.hashes, `${p.title} has the thumbnail`);
    assert.equal(await blobCount(ctx.store), 2, 'the card and page bytes once each');

    // The first paper hidden: the image is still served, for the second.
    await ctx.store.papers.setHidden(a.id, true);
    assert.ok(await ctx.store.enrichment.thumbnailData(placeholder.hashes.card), 'served for the visible paper');
    await ctx.store.papers.setHidden(a.id, false);

    // The first paper re-rendered (a new version): the second keeps the placeholder's bytes.
    const real = image('A real first page');
    await ctx.store.enrichment.savePdf(a.id, { text: 'real', pages: 1, thumbnails: real.thumbnails });
    assert.equal((await ctx.store.enrichment.forPapers([a.id])).get(a.id)!.thumbnails!.card.hash, real.hashes.card);
    assert.equal((await ctx.store.enrichment.forPapers([b.id])).get(b.id)!.thumbnails!.card.hash, placeholder.hashes.card);
    const bytes = await ctx.store.enrichment.thumbnailData(placeholder.hashes.card);
    assert.equal(Buffer.from(bytes!.data).toString(), 'card This paper has been withdrawn');
    assert.equal(await blobCount(ctx.store), 4);

    // The second re-rendered as well: nobody shows the placeholder, its bytes go.
    await ctx.store.enrichment.savePdf(b.id, { text: 'real', pages: 1, thumbnails: image('B real').thumbnails });
    assert.equal(await ctx.store.enrichment.thumbnailData(placeholder.hashes.card), null);
    assert.equal(await blobCount(ctx.store), 4, 'A real (2) and B real (2); the placeholder is gone');
    // Re-rendered to the same image: nothing is lost.
    await ctx.store.enrichment.savePdf(b.id, { text: 'real', pages: 1, thumbnails: image('B real').thumbnails });
    assert.ok((await ctx.store.enrichment.forPapers([b.id])).get(b.id)!.thumbnails);
    assert.equal(await blobCount(ctx.store), 4);
  });
});

forEachStore('the thumbnails of papers deleted outright', (ctx) => {
  test('the hourly housekeeping drops image bytes no paper links to, and keeps the bytes another paper still shows', async () => {
    const [a, b, c] = [makePaper({ title: 'Withdrawn A' }), makePaper({ title: 'Withdrawn B' }), makePaper({ title: 'Own image C' })];
    await ctx.store.papers.upsertMany([a, b, c]);
    const placeholder = image('placeholder for deletion');
    const own = image('C alone');
    await ctx.store.enrichment.savePdf(a.id, { text: 'withdrawn', pages: 1, thumbnails: placeholder.thumbnails });
    await ctx.store.enrichment.savePdf(b.id, { text: 'withdrawn', pages: 1, thumbnails: placeholder.thumbnails });
    await ctx.store.enrichment.savePdf(c.id, { text: 'own', pages: 1, thumbnails: own.thumbnails });
    const before = await blobCount(ctx.store);
    const housekeeping = communityCleanupJob(new HousekeepingService(ctx.store));
    assert.equal((await housekeeping.run(new AbortController().signal)).unlinkedThumbnails, 0, 'nothing to sweep while every image is shown');

    // No code path deletes papers: an operator does, in the database. Their links go with them (cascade), the bytes stayed.
    await testDb(ctx.store).deleteFrom('papers').where('id', 'in', [a.id, c.id]).execute();
    assert.equal(await blobCount(ctx.store), before, 'the bytes outlive the papers until the sweep');
    assert.equal((await housekeeping.run(new AbortController().signal)).unlinkedThumbnails, 2, "C's card and page");
    assert.equal(await blobCount(ctx.store), before - 2);
    const kept = await ctx.store.enrichment.thumbnailData(placeholder.hashes.card);
    assert.equal(Buffer.from(kept!.data).toString(), 'card placeholder for deletion', 'B still shows the shared image');

    await testDb(ctx.store).deleteFrom('papers').where('id', '=', b.id).execute();
    assert.equal((await housekeeping.run(new AbortController().signal)).unlinkedThumbnails, 2);
    assert.equal(await blobCount(ctx.store), before - 4);
  });
});

forEachStore('migration 1600: thumbnails split into per-paper links and shared bytes', (ctx) => {
  test("existing thumbnails keep working; a paper the old key robbed of its thumbnail has its PDF step due again", async () => {
    const db = testDb(ctx.store);
    const back = await new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, allowUnorderedMigrations: true }).migrateTo('1220_paper_enrichments');
    assert.equal(back.error, undefined, String(back.error));
    const [kept, robbed, textOnly] = [makePaper(), makePaper(), makePaper()];
    await ctx.store.papers.upsertMany([kept, robbed, textOnly]);
    const at = '2026-01-01T00:00:00.000Z';
    const old = image('old');
    // As the old `savePdf` left them: the second paper's rows lost to the first's hash.
    for (const t of old.thumbnails) await db.insertInto('paper_thumbnails').values({ hash: t.hash, paper_id: kept.id, size: t.size, mime: t.mime, width: t.width, height: t.height, data: t.data, created_at: at } as never).execute();
    for (const p of [kept, robbed]) await db.insertInto('paper_pdf_text').values({ paper_id: p.id, text: 'same', pages: 1, created_at: at }).execute();
    for (const p of [kept, robbed, textOnly]) await db.insertInto('enrichment_state').values({ paper_id: p.id, step: 'pdf', status: 'done', attempts: 1, reason: null, next_at: null, version: 1, updated_at: at }).execute();
    await migrateToLatest(db);

    const t = (await ctx.store.enrichment.forPapers([kept.id])).get(kept.id)?.thumbnails;
    assert.deepEqual(t && [t.card.hash, t.card.width, t.card.height, t.page.hash], [old.hashes.card, 320, 414, old.hashes.page]);
    assert.equal(Buffer.from((await ctx.store.enrichment.thumbnailData(old.hashes.page))!.data).toString(), 'page old');
    const due = await db.selectFrom('enrichment_state').select('paper_id').where('step', '=', 'pdf').execute();
    assert.deepEqual(due.map((r) => r.paper_id).sort(), [kept.id, textOnly.id].sort(), 'the robbed paper (text kept, no thumbnail) is due again');
    // Now the robbed paper gets the same image as its own.
    await ctx.store.enrichment.savePdf(robbed.id, { text: 'same', pages: 1, thumbnails: old.thumbnails });
    assert.equal((await ctx.store.enrichment.forPapers([robbed.id])).get(robbed.id)?.thumbnails?.card.hash, old.hashes.card);
  });
});
