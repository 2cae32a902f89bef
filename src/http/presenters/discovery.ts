import type { Follow, Interest } from '../../domain/discovery.ts';
import type { ForYouResult } from '../../services/for-you.ts';
import type { FollowingNews } from '../../services/following.ts';
import { presentPaper } from './paper.ts';

export const presentFollow = (f: Follow) => ({ id: f.id, kind: f.kind, value: f.value, createdAt: f.createdAt });
export const presentInterest = (i: Interest) => ({ id: i.id, kind: i.kind, value: i.value, createdAt: i.createdAt });

export function presentForYou(r: ForYouResult) {
  return {
    items: r.picks.map((p) => ({ paper: presentPaper(p.paper), score: p.score, reason: p.reason, because: p.because })),
    coldStart: r.coldStart,
    positives: r.positives,
    negatives: r.negatives,
  };
}

export function presentFollowing(n: FollowingNews) {
  return {
    since: n.since,
    follows: n.follows.map(presentFollow),
    items: n.items.map((i) => ({ paper: presentPaper(i.item.paper), day: i.item.entry.day, matched: i.matched.map(presentFollow) })),
  };
}
