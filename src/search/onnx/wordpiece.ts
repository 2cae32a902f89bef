/**
 * The BERT WordPiece tokenizer, matching Hugging Face's BertTokenizer and the `tokenizers` library's
 * BertNormalizer + BertPreTokenizer + WordPiece: clean the text (drop control characters, map
 * whitespace to a space), put spaces around CJK ideographs, lower-case and strip accents when
 * configured, split on whitespace and punctuation, then greedy longest-match-first word pieces with a
 * `##` continuation prefix; `[CLS] … [SEP]` around the result, truncated to the model's window.
 */
export interface WordPieceConfig {
  vocab: Map<string, number>;
  lowercase: boolean;
  /** null follows `lowercase`, as in both Hugging Face implementations. */
  stripAccents: boolean | null;
  handleChineseChars: boolean;
  unkToken: string;
  clsToken: string;
  sepToken: string;
  padToken: string;
  continuingPrefix: string;
  maxInputCharsPerWord: number;
}

export interface Encoding {
  ids: number[];
  /** The pieces, for tests and debugging. */
  tokens: string[];
}

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || /\p{Zs}/u.test(c);
}

function isControl(c: string): boolean {
  if (c === '\t' || c === '\n' || c === '\r') return false;
  return /[\p{Cc}\p{Cf}]/u.test(c);
}

/** ASCII symbols count as punctuation (BERT's rule), as does every Unicode P* character. */
function isPunctuation(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /\p{P}/u.test(c);
}

/** The CJK Unicode blocks BERT splits into single characters. */
function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** A model directory's tokenizer files, as read (`model-dir.ts`). */
export interface TokenizerFiles {
  tokenizerJson?: unknown;
  vocabTxt?: string;
  tokenizerConfig?: Record<string, unknown>;
}

export class WordPieceTokenizer {
  private readonly stripAccents: boolean;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  private readonly unkId: number;

  constructor(private readonly c: WordPieceConfig) {
    this.stripAccents = c.stripAccents ?? c.lowercase;
    const need = (t: string) => {
      const id = c.vocab.get(t);
      if (id === undefined) throw new Error(`the vocabulary has no ${t} token`);
      return id;
    };
    this.clsId = need(c.clsToken);
    this.sepId = need(c.sepToken);
    this.unkId = need(c.unkToken);
    this.padId = c.vocab.get(c.padToken) ?? 0;
  }

  /** Normalised words and punctuation marks, before word pieces. */
  preTokenize(text: string): string[] {
    let clean = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
      if (isWhitespace(ch)) clean += ' ';
      else if (this.c.handleChineseChars && isChineseChar(cp)) clean += ` ${ch} `;
      else clean += ch;
    }
    if (this.c.lowercase) clean = clean.toLowerCase();
    if (this.stripAccents) clean = clean.normalize('NFD').replace(/\p{Mn}/gu, '');
    const out: string[] = [];
    for (const word of clean.split(' ')) {
      let current = '';
      for (const ch of word) {
        if (isPunctuation(ch)) {
          if (current) out.push(current);
          out.push(ch);
          current = '';
        } else current += ch;
      }
      if (current) out.push(current);
    }
    return out;
  }

  private wordPieces(word: string, ids: number[], tokens: string[]): void {
    const chars = Array.from(word);
    if (chars.length > this.c.maxInputCharsPerWord) {
      ids.push(this.unkId);
      tokens.push(this.c.unkToken);
      return;
    }
    const pieceIds: number[] = [];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      let piece = '';
      while (start < end) {
        piece = chars.slice(start, end).join('');
        if (start > 0) piece = this.c.continuingPrefix + piece;
        found = this.c.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        ids.push(this.unkId);
        tokens.push(this.c.unkToken);
        return;
      }
      pieceIds.push(found);
      pieces.push(piece);
      start = end;
    }
    ids.push(...pieceIds);
    tokens.push(...pieces);
  }

  /**
   * `[CLS] pieces [SEP]`, at most `maxLength` ids: the end of a long text is cut (the text is
   * "title. abstract", so the title is always kept), which is what the model's window allows.
   */
  encode(text: string, maxLength: number): Encoding {
    const ids: number[] = [this.clsId];
    const tokens: string[] = [this.c.clsToken];
    const budget = Math.max(0, maxLength - 2);
    for (const word of this.preTokenize(text)) {
      if (ids.length - 1 >= budget) break;
      this.wordPieces(word, ids, tokens);
    }
    ids.length = Math.min(ids.length, budget + 1);
    tokens.length = ids.length;
    ids.push(this.sepId);
    tokens.push(this.c.sepToken);
    return { ids, tokens };
  }
}

/**
 * A WordPiece tokenizer from a tokenizer.json whose model is WordPiece, or from vocab.txt +
 * tokenizer_config.json (`tokenizer.ts` picks the kind).
 */
export function wordPieceFrom(files: TokenizerFiles): WordPieceTokenizer {
  const tc = files.tokenizerConfig ?? {};
  const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
  const special = {
    unkToken: str(tc.unk_token, '[UNK]'),
    clsToken: str(tc.cls_token, '[CLS]'),
    sepToken: str(tc.sep_token, '[SEP]'),
    padToken: str(tc.pad_token, '[PAD]'),
  };
  if (files.tokenizerJson) {
    const tj = files.tokenizerJson as { model?: Record<string, unknown>; normalizer?: Record<string, unknown> | null };
    const model = tj.model ?? {};
    if (model.type !== 'WordPiece') throw new Error(`tokenizer.json: the ${String(model.type)} model is not WordPiece`);
    const norm = tj.normalizer ?? {};
    if (norm.type !== undefined && norm.type !== 'BertNormalizer') throw new Error(`tokenizer.json: the ${String(norm.type)} normalizer is not supported (only BertNormalizer)`);
    const vocab = new Map(Object.entries((model.vocab ?? {}) as Record<string, number>));
    return new WordPieceTokenizer({
      vocab,
      lowercase: norm.lowercase !== false,
      stripAccents: typeof norm.strip_accents === 'boolean' ? norm.strip_accents : null,
      handleChineseChars: norm.handle_chinese_chars !== false,
      ...special,
      unkToken: str(model.unk_token, special.unkToken),
      continuingPrefix: str(model.continuing_subword_prefix, '##'),
      maxInputCharsPerWord: typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100,
    });
  }
  if (files.vocabTxt === undefined) throw new Error('no tokenizer.json or vocab.txt');
  const vocab = new Map<string, number>();
  files.vocabTxt.split('\n').forEach((line, i) => {
    const t = line.replace(/\r$/, '');
    if (t && !vocab.has(t)) vocab.set(t, i);
  });
  return new WordPieceTokenizer({
    vocab,
    lowercase: tc.do_lower_case !== false,
    stripAccents: typeof tc.strip_accents === 'boolean' ? tc.strip_accents : null,
    handleChineseChars: tc.tokenize_chinese_chars !== false,
    ...special,
    continuingPrefix: '##',
    maxInputCharsPerWord: 100,
  });
}
