import type { Encoding } from './wordpiece.ts';

/**
 * A sentencepiece unigram tokenizer: the text is NFKC-normalised, a `▁` marks the start of the text
 * and replaces every space, and the pieces are the most probable segmentation (Viterbi over the
 * pieces' log-probability scores). A character no piece starts with becomes the unknown id, and a
 * run of unknown characters one unknown token. No [CLS]/[SEP]: a sentencepiece model has none.
 *
 * It follows the tokenizer the Universal Sentence Encoder (lite) was published with in TF.js, so
 * that our ids equal the reference's (`tests/search/use-lite.test.ts` checks them): only the ASCII
 * space becomes `▁` (other whitespace stays a character, unknown unless a piece has it); the
 * reserved control pieces (`<s>`, `</s>`, …) are never matched in text; of two segmentations with
 * the same score, the one whose last piece starts later wins; and a position no segmentation
 * reaches (a character only longer pieces start with, the text ending mid-piece) is stepped over as
 * one unknown character.
 */
export const WORD_BOUNDARY = '\u2581';

export interface UnigramConfig {
  /** [piece, log-probability score] by id. */
  pieces: [string, number][];
  unkId: number;
  /** Ids that are never matched in text (control symbols). */
  reserved: Set<number>;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  id: number; // -1 where no piece ends
}

export class UnigramTokenizer {
  /** Padding is masked out by the attention mask; any valid id will do. */
  readonly padId: number;
  readonly unkId: number;
  private readonly root: TrieNode = { next: new Map(), id: -1 };
  private readonly scores: Float64Array;
  private readonly pieces: string[];
  /** Whether every `▁` starts a piece (true of USE-lite's pieces): then words are segmented one by one. */
  private readonly wordwise: boolean;

  constructor(c: UnigramConfig) {
    this.unkId = c.unkId;
    this.padId = c.unkId;
    this.pieces = c.pieces.map((p) => p[0]);
    this.scores = Float64Array.from(c.pieces, (p) => p[1]);
    this.wordwise = c.pieces.every(([piece], id) => c.reserved.has(id) || piece.indexOf(WORD_BOUNDARY, 1) < 0);
    c.pieces.forEach(([piece], id) => {
      if (c.reserved.has(id) || !piece) return;
      let node = this.root;
      for (const ch of piece) {
        let child = node.next.get(ch);
        if (!child) node.next.set(ch, (child = { next: new Map(), id: -1 }));
        node = child;
      }
      node.id = id;
    });
  }

  /** The text as the pieces see it: NFKC, `▁` at the start and for every space. */
  static normalize(text: string): string {
    const nfkc = text.normalize('NFKC');
    return nfkc ? WORD_BOUNDARY + nfkc.replaceAll(' ', WORD_BOUNDARY) : '';
  }

  /**
   * Ids of the first `maxLength` pieces. When no piece has a `▁` inside it, every `▁` is a boundary
   * of every segmentation and each word can be segmented alone: words after the window are not read.
   */
  encode(text: string, maxLength = Infinity): Encoding {
    const normalized = UnigramTokenizer.normalize(text);
    const ids: number[] = [];
    let start = 0;
    let score = 0;
    while (start < normalized.length && ids.length <= maxLength) {
      let end = this.wordwise ? normalized.indexOf(WORD_BOUNDARY, start + 1) : -1;
      if (end < 0) end = normalized.length;
      score = this.segment([...normalized.slice(start, end)], score, ids);
      start = end;
    }
    const merged: number[] = [];
    for (const id of ids) if (!(id === this.unkId && merged.at(-1) === this.unkId)) merged.push(id);
    const kept = merged.slice(0, maxLength);
    return { ids: kept, tokens: kept.map((id) => this.pieces[id]) };
  }

  /**
   * Viterbi over one word's characters, starting from the score of the text before it (so the sums
   * are those of a pass over the whole text, bit for bit); appends the pieces' ids to `out` and
   * returns the score at the word's end.
   */
  private segment(chars: string[], before: number, out: number[]): number {
    const n = chars.length;
    // best[e]: score of the best segmentation up to chars[e]; 0 stands for "none yet", as in the
    // reference (scores are negative, so only an unreached position scores 0).
    const best = new Float64Array(n + 1);
    best[0] = before;
    const last = new Int32Array(n + 1).fill(this.unkId);
    // Where the best last piece starts; an unreached position is one unknown character.
    const from = Int32Array.from({ length: n + 1 }, (_, e) => e - 1);
    // Candidates ending at e, in order of their start: the reference relaxes ends in order and,
    // for each end, starts in increasing order, keeping the later of equal scores.
    const ending: { start: number; id: number; score: number }[][] = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node: TrieNode | undefined = this.root;
      let found = false;
      for (let j = i; j < n && node; j++) {
        node = node.next.get(chars[j]);
        if (node && node.id >= 0) {
          ending[j + 1].push({ start: i, id: node.id, score: this.scores[node.id] });
          found = true;
        }
      }
      if (!found) ending[i + 1].push({ start: i, id: this.unkId, score: 0 });
    }
    for (let e = 1; e <= n; e++) {
      for (const c of ending[e]) {
        const score = c.score + best[c.start];
        if (best[e] === 0 || score >= best[e]) {
          best[e] = score;
          last[e] = c.id;
          from[e] = c.start;
        }
      }
    }
    const word: number[] = [];
    for (let at = n; at > 0; at = from[at]) word.push(last[at]);
    for (let k = word.length - 1; k >= 0; k--) out.push(word[k]);
    return best[n];
  }
}

/**
 * The tokenizer.json of a sentencepiece Unigram model, in the layout of Hugging Face's `tokenizers`
 * (NFKC normaliser, Metaspace `▁` pre-tokenizer, `model.vocab` = [piece, score] by id); the special
 * added tokens are the reserved pieces.
 */
export function unigramTokenizerJson(pieces: [string, number][], unkId: number, reserved: number[]): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: reserved.map((id) => ({ id, content: pieces[id][0], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'NFKC' },
    pre_tokenizer: { type: 'Metaspace', replacement: WORD_BOUNDARY, prepend_scheme: 'always', split: false },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: WORD_BOUNDARY, prepend_scheme: 'always', split: false },
    model: { type: 'Unigram', unk_id: unkId, vocab: pieces, byte_fallback: false },
  };
}

export function unigramFromJson(json: unknown): UnigramTokenizer {
  const tj = json as { model?: { vocab?: unknown; unk_id?: unknown }; normalizer?: { type?: unknown } | null; added_tokens?: { id?: unknown; special?: unknown }[] };
  const vocab = tj.model?.vocab;
  const valid = Array.isArray(vocab) && vocab.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number' && Number.isFinite(p[1]));
  if (!valid || !vocab.length) throw new Error('tokenizer.json: a Unigram model needs model.vocab, a list of [piece, score]');
  const unkId = tj.model?.unk_id;
  if (typeof unkId !== 'number' || !Number.isInteger(unkId) || unkId < 0 || unkId >= vocab.length) throw new Error('tokenizer.json: model.unk_id is not an id of model.vocab');
  if (tj.normalizer && tj.normalizer.type !== 'NFKC') throw new Error(`tokenizer.json: the ${String(tj.normalizer.type)} normalizer is not supported with Unigram (only NFKC)`);
  const reserved = new Set((tj.added_tokens ?? []).filter((t) => t.special === true && typeof t.id === 'number').map((t) => t.id as number));
  return new UnigramTokenizer({ pieces: vocab as [string, number][], unkId, reserved });
}
