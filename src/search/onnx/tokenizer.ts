import { unigramFromJson } from './unigram.ts';
import { wordPieceFrom, type Encoding, type TokenizerFiles } from './wordpiece.ts';

/** What the encoder needs of a tokenizer: ids cut at the window, and an id to pad batches with. */
export interface TextTokenizer {
  readonly padId: number;
  encode(text: string, maxLength: number): Encoding;
}

/**
 * A model directory's tokenizer, by the kind its tokenizer.json names (preferred) — WordPiece (BERT
 * models, `wordpiece.ts`) or a sentencepiece Unigram model (`unigram.ts`, USE lite) — or WordPiece
 * from vocab.txt + tokenizer_config.json.
 */
export function tokenizerFrom(files: TokenizerFiles): TextTokenizer {
  const type = (files.tokenizerJson as { model?: { type?: unknown } } | undefined)?.model?.type;
  if (files.tokenizerJson && type === 'Unigram') return unigramFromJson(files.tokenizerJson);
  if (files.tokenizerJson && type !== 'WordPiece') throw new Error(`tokenizer.json: the ${String(type)} tokenizer is not supported (only WordPiece, as BERT models use, and sentencepiece Unigram)`);
  return wordPieceFrom(files);
}
