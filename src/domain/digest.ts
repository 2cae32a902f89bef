import type { FeedItem } from './paper.ts';
import { rankTrending } from './trending.ts';
import { matchesCategories } from './subscription.ts';

/**
 * Choosing what goes in a digest: pure functions, no I/O. The service loads the period's feed,
 * the subscriber's liked papers and what was already sent; these pick.
 */
export const MAX_PERSONAL_PICKS = 5;

/** The period's feed items in trending order, scored as of the end of the digest's day. */
export function rankPeriod(items: FeedItem[], date: string): FeedItem[] {
  const now = new Date(`${date}T23:59:59Z`);
  return rankTrending(items, (i) => ({ upvotes: i.paper.upvotes, numComments: i.paper.numComments, since: i.entry.day }), now);
}

/** The top `size` of an already ranked list that pass the subscriber's categories. */
export function selectTrending(ranked: FeedItem[], categories: readonly string[], size: number): FeedItem[] {
  const out: FeedItem[] = [];
  for (const item of ranked) {
    if (out.length >= size) break;
    if (matchesCategories(item.paper.categories, categories)) out.push(item);
  }
  return out;
}

const STOPWORDS = new Set(
  ('the and for with that this from are was were been have has had not but its our their these those such than then into onto over under ' +
    'between which while where when what who whom how also can may might will would should could each other more most some any all both ' +
    'one two three using use used based via new show shows shown propose proposed approach method methods paper results result study work ' +
    'present presents provide provides well however thus here there they them only very much many first second large small high low')
    .split(' '),
);

/** Lower-case word terms of a text, stopwords and very short words dropped; LaTeX commands count as words. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[a-z][a-z0-9-]{2,}/g)) {
    const t = m[0].replace(/-+$/, '');
    if (t.length >= 3 && !STOPWORDS.has(t)) out.push(t);
  }
  return out;
}

export interface IndexedDoc {
  id: string;
  title: string;
  abstract: string;
}

const docText = (d: { title: string; abstract: string }) => `${d.title} ${d.title} ${d.abstract}`;

/**
 * A small TF-IDF index over the candidate papers, built once per run and queried once per
 * subscriber: a subscriber's profile is the sum of the normalised vectors of the papers they
 * liked, cut to its strongest terms, and a candidate's score is its dot product with the profile
 * (cosine-like term overlap). Walking posting lists keeps each query far below one pass over
 * every candidate.
 */
export class TermIndex {
  private readonly ids: string[] = [];
  private readonly postings = new Map<string, { doc: number; w: number }[]>();
  private readonly idf = new Map<string, number>();

  constructor(docs: readonly IndexedDoc[]) {
    const tfs: Map<string, number>[] = [];
    const df = new Map<string, number>();
    for (const d of docs) {
      const tf = new Map<string, number>();
      for (const t of terms(docText(d))) tf.set(t, (tf.get(t) ?? 0) + 1);
      tfs.push(tf);
      this.ids.push(d.id);
      for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const n = docs.length;
    for (const [t, f] of df) this.idf.set(t, Math.log(1 + n / f));
    tfs.forEach((tf, doc) => {
      const vec = this.weigh(tf);
      for (const [t, w] of vec) {
        let list = this.postings.get(t);
        if (!list) this.postings.set(t, (list = []));
        list.push({ doc, w });
      }
    });
  }

  get size(): number {
    return this.ids.length;
  }

  /** TF-IDF weights (log tf), L2-normalised; terms unknown to the index are dropped. */
  private weigh(tf: Map<string, number>): Map<string, number> {
    const vec = new Map<string, number>();
    let norm = 0;
    for (const [t, f] of tf) {
      const idf = this.idf.get(t);
      if (idf === undefined) continue;
      const w = (1 + Math.log(f)) * idf;
      vec.set(t, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [t, w] of vec) vec.set(t, w / norm);
    return vec;
  }

  private readonly vectors = new Map<string, Map<string, number>>();

  /** A liked paper's vector, computed once per index: many readers like the same papers. */
  private vectorOf(d: IndexedDoc): Map<string, number> {
    let v = this.vectors.get(d.id);
    if (!v) {
      const tf = new Map<string, number>();
      for (const t of terms(docText(d))) tf.set(t, (tf.get(t) ?? 0) + 1);
      this.vectors.set(d.id, (v = this.weigh(tf)));
    }
    return v;
  }

  /** The profile of a reader who liked these papers: their summed vectors, strongest `maxTerms` terms. */
  profile(liked: readonly IndexedDoc[], maxTerms = 24): Map<string, number> {
    const sum = new Map<string, number>();
    for (const d of liked) {
      for (const [t, w] of this.vectorOf(d)) sum.set(t, (sum.get(t) ?? 0) + w);
    }
    return new Map([...sum].sort((a, b) => b[1] - a[1]).slice(0, maxTerms));
  }

  /** The `k` candidates most like the profile, best first, skipping `exclude`; ties by index order. */
  similar(profile: Map<string, number>, exclude: ReadonlySet<string>, k: number): string[] {
    if (!profile.size || k <= 0) return [];
    const scores = new Map<number, number>();
    for (const [t, pw] of profile) {
      for (const { doc, w } of this.postings.get(t) ?? []) scores.set(doc, (scores.get(doc) ?? 0) + pw * w);
    }
    // Keep the best k in a small sorted array: one pass instead of sorting every scored document.
    const top: [number, number][] = [];
    const better = (a: [number, number], b: [number, number]) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
    for (const entry of scores) {
      if (entry[1] <= 0 || (top.length === k && !better(entry, top[k - 1])) || exclude.has(this.ids[entry[0]])) continue;
      let i = top.length < k ? top.length : k - 1;
      top[i] = entry;
      while (i > 0 && better(top[i], top[i - 1])) {
        [top[i], top[i - 1]] = [top[i - 1], top[i]];
        i--;
      }
    }
    return top.map(([doc]) => this.ids[doc]);
  }
}

/**
 * Up to `max` personal picks: the candidates most like what the reader upvoted or collected, never
 * one already sent to them, one in this digest's trending list, or one they liked themselves.
 */
export function selectPersonalPicks(
  index: TermIndex,
  liked: readonly IndexedDoc[],
  exclude: { alreadySent: ReadonlySet<string>; inDigest: readonly string[] },
  max = MAX_PERSONAL_PICKS,
): string[] {
  if (!liked.length) return [];
  const skip = new Set<string>([...exclude.alreadySent, ...exclude.inDigest, ...liked.map((d) => d.id)]);
  return index.similar(index.profile(liked), skip, max);
}
