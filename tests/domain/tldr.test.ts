import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capText, modelVersion, parseTldr, tldrMessages } from '../../src/domain/tldr.ts';

test('parseTldr accepts a JSON object (also in a ```json fence), cleans and caps keywords', () => {
  const r = parseTldr('```json\n{"tldr": "One.\\u0007 Two.", "keywords": ["a", "A", "", "b", 3, "c", "d", "e", "f", "g", "h", "i"]}\n```');
  assert.deepEqual(r, { ok: true, tldr: 'One. Two.', keywords: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] });
});

test('parseTldr refuses garbage: not JSON, not an object, empty, too long, no tldr', () => {
  for (const [content, reason] of [
    [undefined, /empty/],
    ['', /empty/],
    ['Here you go: the paper is about cats.', /not JSON/],
    ['[1, 2]', /not a JSON object/],
    ['{"keywords": ["a"]}', /no "tldr"/],
    ['{"tldr": " "}', /empty TL;DR/],
    [JSON.stringify({ tldr: 'x '.repeat(400) }), /too long/],
  ] as const) {
    const r = parseTldr(content);
    assert.equal(r.ok, false, String(content));
    assert.match(r.ok ? '' : r.reason, reason);
  }
});

test('the prompt caps the abstract at a word boundary', () => {
  const long = 'word '.repeat(5000);
  const user = tldrMessages('T', long, 1000)[1].content;
  assert.ok(user.length <= 1000 + 40, `${user.length}`);
  assert.ok(user.endsWith(' …'));
  assert.equal(capText('short', 100), 'short');
});

test('modelVersion differs per model and is a positive integer', () => {
  const a = modelVersion('gpt-4o-mini');
  assert.ok(Number.isInteger(a) && a > 0);
  assert.notEqual(a, modelVersion('llama-3.1-8b'));
  assert.equal(a, modelVersion('gpt-4o-mini'));
});
