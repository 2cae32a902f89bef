import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQuery, normaliseDate, QUERY_LIMITS } from '../../src/search/query.ts';
import { fts5Expression } from '../../src/store/search.ts';
import { highlightRanges, markHtml, queryStems, segments, snippet } from '../../src/search/highlight.ts';
import { fuse } from '../../src/search/fusion.ts';

describe('parseQuery', () => {
  test('words, phrases, exclusions, fields', () => {
    const q = parseQuery('Diffusion models "image editing" -video -"text to speech" author:"Geoffrey Hinton" category:cs.CV from:2024 to:2024-06 sort:date');
    assert.deepEqual(q.terms, ['diffusion', 'models']);
    assert.deepEqual(q.phrases, [['image', 'editing']]);
    assert.deepEqual(q.excluded, [['video'], ['text', 'to', 'speech']]);
    assert.deepEqual(q.authors, [['geoffrey', 'hinton']]);
    assert.deepEqual(q.categories, ['cs.CV']);
    assert.equal(q.from, '2024-01-01');
    assert.equal(q.to, '2024-06-30');
    assert.equal(q.sort, 'date');
    assert.deepEqual(q.warnings, []);
  });

  test('stopwords are dropped unless the query is only stopwords', () => {
    assert.deepEqual(parseQuery('the attention of the transformer').terms, ['attention', 'transformer']);
    assert.deepEqual(parseQuery('the of and').terms, ['the', 'of', 'and']);
  });

  test('an arXiv id or URL is a jump to that paper', () => {
    assert.equal(parseQuery('2401.01234').paperId, '2401.01234');
    assert.equal(parseQuery(' https://arxiv.org/abs/2401.01234v3 ').paperId, '2401.01234');
    assert.equal(parseQuery('arxiv.org/pdf/hep-th/9901001v2').paperId, 'hep-th/9901001');
    assert.equal(parseQuery('arXiv:2401.01234').paperId, '2401.01234');
    assert.equal(parseQuery('2401.01234 transformers').paperId, undefined);
  });

  test('FTS syntax, unbalanced quotes, emoji and control characters become plain words or nothing', () => {
    const q = parseQuery('" * : ^ NEAR AND OR ( ) col:val^2 NEAR(a b) 😀');
    for (const t of [...q.terms, ...q.phrases.flat()]) assert.match(t, /^[\p{L}\p{N}]+$/u);
    assert.deepEqual(parseQuery('"unclosed phrase here').phrases, [['unclosed', 'phrase', 'here']]);
    assert.deepEqual(parseQuery('😀🚀').terms, []);
    assert.deepEqual(parseQuery('naïve Ünïcödé ﬁne').terms, ['naïve', 'ünïcödé', 'fine']);
    assert.deepEqual(parseQuery('x\u0000y\u001fz').terms, ['x', 'y', 'z']);
    assert.deepEqual(parseQuery(undefined).terms, []);
    assert.deepEqual(parseQuery('   ').terms, []);
    assert.deepEqual(parseQuery('-').terms, []);
    assert.deepEqual(parseQuery('author: category:').terms, ['author', 'category']);
  });

  test('huge queries are cut to bounded work', () => {
    const q = parseQuery(Array.from({ length: 3000 }, (_, i) => `w${i} "p${i} q${i}" -x${i} author:a${i} category:c${i}`).join(' '));
    assert.ok(q.raw.length <= QUERY_LIMITS.chars);
    assert.ok(q.terms.length <= QUERY_LIMITS.terms && q.phrases.length <= QUERY_LIMITS.phrases && q.excluded.length <= QUERY_LIMITS.excluded);
    assert.ok(q.authors.length <= QUERY_LIMITS.authors && q.categories.length <= QUERY_LIMITS.categories);
    assert.ok(q.warnings.length > 0);
  });

  test('bad field values are ignored with a warning', () => {
    const q = parseQuery('from:yesterday to:2024-13 sort:best category:"cs LG" graphs');
    assert.deepEqual(q.terms, ['graphs']);
    assert.equal(q.from, undefined);
    assert.equal(q.to, undefined);
    assert.equal(q.sort, undefined);
    assert.deepEqual(q.categories, []);
    assert.equal(q.warnings.length, 4);
  });

  test('dates', () => {
    assert.equal(normaliseDate('2024-02', 'to'), '2024-02-29');
    assert.equal(normaliseDate('2023-02-29', 'from'), null);
    assert.equal(normaliseDate('2024', 'from'), '2024-01-01');
  });
});

describe('FTS5 expression', () => {
  test('terms are ORed and quoted; phrases and authors required; exclusions NOT', () => {
    assert.equal(fts5Expression(parseQuery('NEAR AND OR')), '"near"');
    assert.equal(fts5Expression(parseQuery('NEAR(x y) col:z')), '"near" OR "x" OR "y" OR "col" OR "z"');
    assert.equal(fts5Expression(parseQuery('graph "neural network" -survey author:kipf')), '(("neural network") AND (authors : "kipf") AND ("graph" OR "neural network")) NOT "survey"');
    assert.equal(fts5Expression(parseQuery('-only')), null);
  });
});

describe('highlights', () => {
  test('marks query words and their inflections, escapes everything else', () => {
    const q = parseQuery('network learn');
    const title = 'Learning <b>Networks</b> & "networked" things';
    const html = markHtml(segments(title, highlightRanges(title, queryStems(q))));
    assert.equal(html, '<mark>Learning</mark> &lt;b&gt;<mark>Networks</mark>&lt;/b&gt; &amp; &quot;<mark>networked</mark>&quot; things');
  });

  test('a snippet is a window around the matches', () => {
    const text = `${'filler words here. '.repeat(40)}The key result is about transformers. ${'more filler text. '.repeat(40)}`;
    const segs = snippet(text, highlightRanges(text, queryStems(parseQuery('transformers'))), 200);
    const joined = segs.map((s) => s.text).join('');
    assert.ok(joined.length <= 210);
    assert.ok(joined.startsWith('… ') && joined.endsWith(' …'));
    assert.ok(segs.some((s) => s.match && s.text === 'transformers'));
  });
});

describe('fuse', () => {
  test('weighted RRF: a keyword list alone keeps its order; agreement lifts a paper', () => {
    const kw = [{ id: 'a', score: 3 }, { id: 'b', score: 2 }, { id: 'c', score: 1 }];
    assert.deepEqual(fuse(kw, []).map((h) => h.id), ['a', 'b', 'c']);
    const fused = fuse(kw, [{ id: 'c', score: 0.9 }, { id: 'd', score: 0.8 }], { keyword: 1, vector: 1, k: 1, candidates: 10, minSimilarity: 0 });
    assert.equal(fused[0].id, 'c');
    assert.deepEqual(fuse(kw, [{ id: 'z', score: 0.1 }], { keyword: 1, vector: 1, k: 60, candidates: 10, minSimilarity: 0.2 }).map((h) => h.id), ['a', 'b', 'c']);
  });
});
