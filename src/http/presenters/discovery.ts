import type { Follow, Interest } from '../../domain/discovery.ts';
import type { ForYouResult } from '../../services/for-you.ts';
import type { FollowingNews } from '../../services/following.ts';
import { presentPaper, type Enriched } from './paper.ts';

export const presentFollow = (f: Follow) => ({ id: f.id, kind: f.kind, value: f.value, createdAt: f.createdAt });
export const presentInterest = (i: Interest) => ({ id: i.id, kind: i.kind, value: i.value, createdAt: i.createdAt });

/** `enriched`: the picks' enrichments, read in one query (`listEnrichments`). */
export function presentForYou(r: ForYouResult, enriched?: (id: string) => Enriched) {
  return {
    items: r.picks.map((p) => ({ paper: presentPaper(p.paper, enriched?.(p.paper.id)), score: p.score, reason: p.reason, because: p.because })),
    coldStart: r.coldStart,
    positives: r.positives,
    negatives: r.negatives,
  };
}

export function presentFollowing(n: FollowingNews, enriched?: (id: string) => Enriched) {
  return {
    since: n.since,
    follows: n.follows.map(presentFollow),
    items: n.items.map((i) => ({ paper: presentPaper(i.item.paper, enriched?.(i.item.paper.id)), day: i.item.entry.day, matched: i.matched.map(presentFollow) })),
  };
}
