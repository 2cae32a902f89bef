import type { Store } from '../../src/store/store.ts';
import { thumbnailHash } from '../../src/services/enrichment/pdf-step.ts';

/**
 * Gives a paper both thumbnails as the PDF step stores them (card 320×414, page 900×1165 WebP),
 * with stand-in bytes unique to the paper; returns their hashes.
 */
export async function seedThumbnails(store: Store, paperId: string): Promise<{ card: string; page: string }> {
  const card = new TextEncoder().encode(`card ${paperId}`);
  const page = new TextEncoder().encode(`page ${paperId}`);
  const hashes = { card: thumbnailHash(card), page: thumbnailHash(page) };
  await store.enrichment.savePdf(paperId, {
    text: '',
    pages: 1,
    thumbnails: [
      { size: 'card', hash: hashes.card, mime: 'image/webp', width: 320, height: 414, data: card },
      { size: 'page', hash: hashes.page, mime: 'image/webp', width: 900, height: 1165, data: page },
    ],
  });
  return hashes;
}
