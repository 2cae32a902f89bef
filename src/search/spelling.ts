/**
 * "Did you mean": corrections for query words from the corpus's own vocabulary. A `Lexicon` holds
 * the words of the indexed papers that are common enough to suggest (each with its term's document
 * frequency), bucketed by length; a rare or unknown query word is compared with the words at most
 * two letters longer or shorter by a bounded edit distance (Damerau: a swap of two neighbours is
 * one edit, so `transfromer` is one edit from `transformer`).
 */
export interface LexiconEntry {
  word: string;
  df: number;
}

/** Words shorter than this are not corrected (too many neighbours at distance 1). */
const MIN_WORD = 4;

export class Lexicon {
  private readonly byLength = new Map<number, LexiconEntry[]>();
  private readonly dfOf = new Map<string, number>();

  constructor(entries: Iterable<LexiconEntry>) {
    for (const e of entries) this.add(e);
  }

  /** One more word (a loader adds them a slice at a time: a vocabulary of 100,000+ words at once held the request thread). */
  add(e: LexiconEntry): void {
    this.dfOf.set(e.word, e.df);
    let bucket = this.byLength.get(e.word.length);
    if (!bucket) this.byLength.set(e.word.length, (bucket = []));
    bucket.push(e);
  }

  get size(): number {
    return this.dfOf.size;
  }

  /**
   * The best correction of `word` (lower case), or null: among lexicon words within 1 edit (2 for
   * words of 7+ letters), the closest, then the most frequent — and only one clearly more frequent
   * than the word itself (`df`: how many papers have it now, 0 when unknown).
   */
  correct(word: string, df: number): LexiconEntry | null {
    if (word.length < MIN_WORD || /\d/.test(word)) return null;
    const maxDist = word.length >= 7 ? 2 : 1;
    const needDf = Math.max(2, df * 5);
    let best: LexiconEntry | null = null;
    let bestDist = Infinity;
    for (let len = word.length - maxDist; len <= word.length + maxDist; len++) {
      for (const e of this.byLength.get(len) ?? []) {
        if (e.df < needDf || e.word === word) continue;
        // Typos seldom touch both first letters: a word sharing neither (nor swapping them) is skipped
        // before the distance is computed (a tenth of the work).
        if (e.word[0] !== word[0] && e.word[1] !== word[1] && e.word[0] !== word[1]) continue;
        const limit = Math.min(maxDist, bestDist);
        const d = editDistance(word, e.word, limit);
        if (d > limit) continue;
        if (d < bestDist || (d === bestDist && best && e.df > best.df)) {
          best = e;
          bestDist = d;
        }
      }
    }
    return best;
  }
}

/**
 * Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), stopping early:
 * returns `limit + 1` as soon as the distance must exceed `limit`.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}
