import type { FeedItem } from './paper.ts';
import { matchesCategories } from './subscription.ts';

/**
 * Choosing what goes in a digest: pure functions, no I/O. The service loads the period's feed, ranks
 * it with the site's trending function, matches each reader's follows and asks the For-you model;
 * these put the sections together so that no paper appears twice.
 *
 * Sections, in order of precedence (a paper goes in the first that has it):
 *   1. From what you follow — every new paper of the period matching the reader's follows (up to
 *      `MAX_FOLLOWING`; the rest are counted and linked to the Following page);
 *   2. Top papers — the period's trending papers in the reader's categories (`DIGEST_SIZE`);
 *   3. For you — up to `MAX_FOR_YOU_PICKS` of the For-you model's picks, never one already sent.
 */
export const MAX_FOR_YOU_PICKS = 5;
export const MAX_FOLLOWING = 20;

/**
 * The top `size` of an already ranked list that pass the subscriber's categories, skipping `exclude`
 * (papers the digest shows in an earlier section).
 */
export function selectTrending(ranked: readonly FeedItem[], categories: readonly string[], size: number, exclude: ReadonlySet<string> = new Set()): FeedItem[] {
  const out: FeedItem[] = [];
  for (const item of ranked) {
    if (out.length >= size) break;
    if (!exclude.has(item.paper.id) && matchesCategories(item.paper.categories, categories)) out.push(item);
  }
  return out;
}

/**
 * The For-you model's picks for the digest: its best ones in its order, as the For-you page shows
 * them, up to `max`, skipping `exclude` and any pick that shares nothing with the example its
 * reason names (the reason would then explain nothing). The model's scores are not a probability
 * to cut at: on real data even a reader's best candidates score below zero.
 */
export function selectForYou<T extends { paper: { id: string }; similarity: number }>(picks: readonly T[], exclude: ReadonlySet<string>, max = MAX_FOR_YOU_PICKS): T[] {
  return picks.filter((p) => p.similarity > 0 && !exclude.has(p.paper.id)).slice(0, max);
}
