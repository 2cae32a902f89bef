import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bertTokenizerJson } from '../../src/search/onnx/bert-builder.ts';
import { tokenizerFrom } from '../../src/search/onnx/tokenizer.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', ',', 'y', "'", 'all', '!', 'how', 'are', 'you', '?', 'un', '##aff', '##able', 'naive', 'cafe', 'unicode', '中', '文', 'Hello', 'x', '##x', 'graph', '##s', '.', 'a'];

function fromJson(lowercase = true) {
  return tokenizerFrom({ tokenizerJson: bertTokenizerJson(VOCAB, lowercase, 512) });
}

describe('WordPiece tokenizer (Hugging Face BertTokenizer behaviour)', () => {
  test("splits on whitespace and punctuation, lower-cases, and maps what the vocabulary lacks to [UNK]", () => {
    // The example from the tokenizers documentation, with bert-base-uncased's answer.
    assert.deepEqual(fromJson().encode("Hello, y'all! How are you 😁 ?", 512).tokens, ['[CLS]', 'hello', ',', 'y', "'", 'all', '!', 'how', 'are', 'you', '[UNK]', '?', '[SEP]']);
  });

  test('greedy longest-match-first word pieces with ## continuations; an unsplittable word is one [UNK]', () => {
    const t = fromJson();
    assert.deepEqual(t.encode('unaffable graphs', 512).tokens, ['[CLS]', 'un', '##aff', '##able', 'graph', '##s', '[SEP]']);
    assert.deepEqual(t.encode('unaffablez', 512).tokens, ['[CLS]', '[UNK]', '[SEP]']);
    assert.deepEqual(t.encode('x'.repeat(100), 512).tokens.length, 102, 'a 100-character word is still split');
    assert.deepEqual(t.encode('x'.repeat(101), 512).tokens, ['[CLS]', '[UNK]', '[SEP]'], 'longer than max_input_chars_per_word');
  });

  test('strips accents with lower-casing, splits CJK ideographs, drops control characters, maps odd whitespace', () => {
    const t = fromJson();
    assert.deepEqual(t.encode('Ünïcödé\u00a0naïve\tcafé', 512).tokens, ['[CLS]', 'unicode', 'naive', 'cafe', '[SEP]']);
    assert.deepEqual(t.encode('中文', 512).tokens, ['[CLS]', '中', '文', '[SEP]']);
    assert.deepEqual(t.encode('hel\u0000lo\u200b', 512).tokens, ['[CLS]', 'hello', '[SEP]']);
  });

  test('a cased model keeps case and accents', () => {
    const t = fromJson(false);
    assert.deepEqual(t.encode('Hello hello café', 512).tokens, ['[CLS]', 'Hello', 'hello', '[UNK]', '[SEP]']);
  });

  test('vocab.txt with tokenizer_config.json gives the same ids as tokenizer.json', () => {
    const txt = tokenizerFrom({ vocabTxt: VOCAB.join('\n') + '\n', tokenizerConfig: { do_lower_case: true } });
    for (const s of ["Hello, y'all!", 'unaffable graphs 中文 café']) assert.deepEqual(txt.encode(s, 512).ids, fromJson().encode(s, 512).ids);
  });

  test('truncates at the window, keeping [CLS] and [SEP] and the start of the text', () => {
    const t = fromJson();
    const e = t.encode('hello how are you '.repeat(50), 8);
    assert.deepEqual(e.tokens, ['[CLS]', 'hello', 'how', 'are', 'you', 'hello', 'how', '[SEP]']);
    // A word split into pieces is cut mid-word, as Hugging Face truncation does.
    assert.deepEqual(t.encode('a unaffable', 4).tokens, ['[CLS]', 'a', 'un', '[SEP]']);
    assert.deepEqual(t.encode('', 8).tokens, ['[CLS]', '[SEP]']);
  });

  test('refuses tokenizers it does not implement, by name', () => {
    assert.throws(() => tokenizerFrom({ tokenizerJson: { model: { type: 'BPE', vocab: {} } } }), /BPE tokenizer is not supported/);
    assert.throws(() => tokenizerFrom({ tokenizerJson: { ...bertTokenizerJson(VOCAB.filter((v) => v !== '[SEP]'), true, 512) } }), /no \[SEP\] token/);
  });
});
