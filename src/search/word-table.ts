/**
 * Word → number, looked up by a span of a text and its hash (`scanWordSpans`) so that a word
 * already seen costs no string: an open-addressing table of hashes and entry numbers over the
 * words themselves. A Map of strings cost a slice, a hash and a probe of a 126k-entry table per
 * word: half of counting a text's features for the offline embedder, and most of the in-memory
 * keyword index's build (which analyses each distinct word once and looks every other one up).
 * Entries keep the order they were added in (`size`, `wordAt`, `valueAt`), as a Map's do.
 */
export class WordTable {
  static readonly MISSING = -0x7fffffff;
  /** Entry number + 1 per slot (0: empty), and the hash of the word there. */
  private slots = new Int32Array(1 << 16);
  private hashes = new Int32Array(1 << 16);
  private words: string[] = [];
  private values: number[] = [];

  /** `limit`: entries kept before the table starts over (a stream of garbage words must not grow it forever). */
  constructor(private readonly limit = Infinity) {}

  get size(): number {
    return this.words.length;
  }

  wordAt(entry: number): string {
    return this.words[entry];
  }

  valueAt(entry: number): number {
    return this.values[entry];
  }

  /** The value of the word `lower[start..end)` (whose `scanWordSpans` hash is `hash`), or `MISSING`. */
  get(lower: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i];
      if (e === 0) return WordTable.MISSING;
      if (this.hashes[i] === hash) {
        const w = this.words[e - 1];
        if (w.length === len && sameChars(w, lower, start, len)) return this.values[e - 1];
      }
    }
  }

  /** Adds a word `get` did not find. */
  set(lower: string, start: number, end: number, hash: number, value: number): void {
    if (this.words.length >= this.limit) this.clear(this.slots.length);
    this.words.push(lower.slice(start, end));
    this.values.push(value);
    if (this.words.length * 2 > this.slots.length) this.clear(this.slots.length * 2, true);
    else this.place(hash, this.words.length);
  }

  private place(hash: number, entry: number): void {
    const mask = this.slots.length - 1;
    let i = hash & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = entry;
    this.hashes[i] = hash;
  }

  /** New slots of `size`; the entries re-placed when `keep`, else dropped. */
  private clear(size: number, keep = false): void {
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    if (!keep) {
      this.words = [];
      this.values = [];
      return;
    }
    for (let e = 0; e < this.words.length; e++) this.place(wordHash(this.words[e]), e + 1);
  }
}

/**
 * Whether `w` is `lower[start..start+len)` (`w.length` is `len`): char codes compared in a loop the
 * compiler inlines. `lower.startsWith(w, start)` was a call into a builtin for every word looked
 * up, a fifth of the embedder's feature counting and a third of training's word analysis
 * (profiled, round 21); words are short, so the loop ends in a few steps.
 */
function sameChars(w: string, lower: string, start: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (w.charCodeAt(k) !== lower.charCodeAt(start + k)) return false;
  return true;
}

/** The hash `scanWordSpans` gives a word (FNV-1a over its char codes). */
export function wordHash(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
  return hash;
}
