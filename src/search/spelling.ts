import { drain } from '../slices.ts';

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
  /**
   * The words (`words[i]`, with `dfs[i]`) and, grouped by length, their positions: those of length
   * L are `order[starts[L]] .. order[starts[L + 1]]`, in the order the words came. Loaded from a
   * keyword index file, `words` is the list decoded from it and `dfs` a view on the file's bytes:
   * nothing per word on the heap but its string. (Before round 25 every word also had an entry
   * object, a slot in a length bucket and a `Map` entry — 52,522 words at 75k papers, held from the
   * keyword index's load on and copied by the young generation's collections during start-up.)
   */
  private constructor(
    private readonly words: readonly string[],
    private readonly dfs: ArrayLike<number>,
    private readonly starts: Uint32Array,
    private readonly order: Uint32Array,
  ) {}

  /** A lexicon of `entries`, at once. */
  static of(entries: Iterable<LexiconEntry>): Lexicon {
    const list = [...entries];
    return drain(Lexicon.build(list.map((e) => e.word), Uint32Array.from(list, (e) => e.df)));
  }

  /**
   * A lexicon over `words` and their document frequencies `dfs` (kept as they are, not copied),
   * pausing (yield) every 16,384 words: a loader runs it a slice at a time (a vocabulary of
   * 100,000+ words at once held the request thread).
   */
  static *build(words: readonly string[], dfs: ArrayLike<number>): Generator<void, Lexicon> {
    if (dfs.length !== words.length) throw new Error('the lexicon has ' + words.length + ' words and ' + dfs.length + ' frequencies');
    let longest = 0;
    for (let i = 0; i < words.length; i++) {
      if (words[i].length > longest) longest = words[i].length;
      if ((i & 16383) === 16383) yield;
    }
    const starts = new Uint32Array(longest + 2);
    for (let i = 0; i < words.length; i++) starts[words[i].length + 1]++;
    for (let len = 1; len < starts.length; len++) starts[len] += starts[len - 1];
    yield;
    const next = starts.slice(0, longest + 1);
    const order = new Uint32Array(words.length);
    for (let i = 0; i < words.length; i++) {
      order[next[words[i].length]++] = i;
      if ((i & 16383) === 16383) yield;
    }
    return new Lexicon(words, dfs, starts, order);
  }

  get size(): number {
    return this.words.length;
  }

  /** The words and their frequencies as they came (for writing the lexicon out). */
  toArrays(): { words: string[]; dfs: Uint32Array } {
    return { words: [...this.words], dfs: Uint32Array.from(this.dfs) };
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
    let best = -1;
    let bestDist = Infinity;
    const { words, dfs, starts, order } = this;
    for (let len = word.length - maxDist; len <= word.length + maxDist; len++) {
      if (len + 1 >= starts.length) break;
      for (let k = starts[len], end = starts[len + 1]; k < end; k++) {
        const i = order[k];
        if (dfs[i] < needDf) continue;
        const w = words[i];
        if (w === word) continue;
        // Typos seldom touch both first letters: a word sharing neither (nor swapping them) is skipped
        // before the distance is computed (a tenth of the work).
        if (w[0] !== word[0] && w[1] !== word[1] && w[0] !== word[1]) continue;
        const limit = Math.min(maxDist, bestDist);
        const d = editDistance(word, w, limit);
        if (d > limit) continue;
        if (d < bestDist || (d === bestDist && best >= 0 && dfs[i] > dfs[best])) {
          best = i;
          bestDist = d;
        }
      }
    }
    return best < 0 ? null : { word: words[best], df: dfs[best] };
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
