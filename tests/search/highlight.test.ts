import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlightRanges, lightStem, queryStems, type HighlightRange } from '../../src/search/highlight.ts';
import { parseQuery } from '../../src/search/query.ts';
import { seededRandom } from '../../src/domain/random.ts';

/** Every word normalised and stemmed, none passed over: what `highlightRanges` must agree with. */
function exhaustiveRanges(text: string, stems: Set<string>): HighlightRange[] {
  if (!stems.size || !text) return [];
  const out: HighlightRange[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (stems.has(lightStem(m[0].normalize('NFKC')))) out.push({ start: m.index!, end: m.index! + m[0].length });
  }
  return out;
}

// Stems of every shape: short words (kept whole), suffixes that leave two or three letters ("abeing"
// → "ab"), capitals, digits, accents (composed and combining), ligatures, full-width and Greek letters.
const ROOTS = ['network', 'learn', 'relation', 'abe', 'ab', 'a', 'x', 'gan', 'café', 'cafe', 'naïve', 'naive', 'ﬁeld', 'field', 'ﬂow', 'flow', 'Ｎetwork', 'αβγ', 'über', 'uber', '3d', 'l2', 'e\u0301tude', 'étude', 'ISING', 'Ising', 'ize', 'ies', 'ed', 'be'];
const SUFFIXES = ['', 's', 'es', 'ed', 'ing', 'ly', 'ation', 'ations', 'ization', 'ities', 'ies', 'e', 'ingly', 'ness', 'ational'];

function word(r: () => number): string {
  const w = ROOTS[Math.floor(r() * ROOTS.length)] + SUFFIXES[Math.floor(r() * SUFFIXES.length)];
  return r() < 0.2 ? w.toUpperCase() : r() < 0.2 ? w[0].toUpperCase() + w.slice(1) : w;
}

test('highlighting passes over words by their first letters and marks exactly what stemming every word marks', () => {
  const r = seededRandom(19);
  let marked = 0;
  for (let i = 0; i < 2000; i++) {
    const text = Array.from({ length: 5 + Math.floor(r() * 60) }, () => word(r)).join(r() < 0.5 ? ' ' : ', ');
    const q = parseQuery(Array.from({ length: 1 + Math.floor(r() * 4) }, () => word(r)).join(' '));
    const stems = queryStems(q);
    const want = exhaustiveRanges(text, stems);
    assert.deepEqual(highlightRanges(text, stems), want, `${JSON.stringify(q.terms)} in ${JSON.stringify(text)}`);
    marked += want.length;
  }
  // The comparison means something only if many words were marked (and many were not).
  assert.ok(marked > 2000, `only ${marked} words marked`);
});

test('highlighting marks a word whose first letters are accented or a ligature, and one-letter words', () => {
  const stems = queryStems(parseQuery('cafe field x etude'));
  const text = 'Café ﬁelds, X é\u0301tude ÉTUDES and a cafe.';
  const got = highlightRanges(text, stems).map((x) => text.slice(x.start, x.end));
  assert.deepEqual(got, exhaustiveRanges(text, stems).map((x) => text.slice(x.start, x.end)));
  assert.ok(got.includes('Café') && got.includes('ﬁelds') && got.includes('ÉTUDES') && got.includes('X'), JSON.stringify(got));
});
