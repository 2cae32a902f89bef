import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvertedIndex, type IndexedDoc } from '../../src/search/inverted-index.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { seededRandom as rng } from '../../src/domain/random.ts';


/** A vocabulary with a Zipf-like frequency: a few very common words, many rare ones (like real abstracts). */
const VOCAB = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
function zipfWord(r: () => number): string {
  return VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.pow(r(), 2.2) * VOCAB.length))];
}
function randomCorpus(n: number, seed: number): IndexedDoc[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `doc${i}`,
    title: Array.from({ length: 3 + Math.floor(r() * 8) }, () => zipfWord(r)).join(' '),
    abstract: Array.from({ length: 20 + Math.floor(r() * 120) }, () => zipfWord(r)).join(' '),
  }));
}

function assertSameTopK(pruned: Array<{ id: string; score: number }>, exhaustive: Array<{ id: string; score: number }>, label: string): void {
  assert.equal(pruned.length, exhaustive.length, `${label}: result count`);
  for (let i = 0; i < pruned.length; i++) {
    assert.ok(Math.abs(pruned[i].score - exhaustive[i].score) < 1e-9, `${label}: score at rank ${i + 1}: ${pruned[i].score} vs ${exhaustive[i].score}`);
  }
  // Ids agree except where scores tie at the cut-off.
  const cut = exhaustive.at(-1)?.score ?? 0;
  const above = (l: typeof pruned) => new Set(l.filter((h) => h.score > cut + 1e-9).map((h) => h.id));
  assert.deepEqual(above(pruned), above(exhaustive), `${label}: ids above the cut-off`);
}

test('pruning scores a fraction of the matching documents yet returns the exhaustive top k (clustered topics, duplicate documents, k up to 125)', () => {
  // Documents in topic runs (as papers of one listing day or field sit together), each 7th a copy
  // of an earlier one so scores tie exactly; words drawn from the run's topic or from everywhere.
  const r = rng(2024);
  const docs: IndexedDoc[] = [];
  for (let i = 0; i < 16000; i++) {
    if (i % 7 === 6) {
      docs.push({ ...docs[Math.floor(r() * i)], id: `doc${i}` });
      continue;
    }
    const topic = Math.floor(i / 1000) * 30;
    const word = () => (r() < 0.6 ? VOCAB[(topic + Math.floor(r() * 30)) % VOCAB.length] : zipfWord(r));
    docs.push({ id: `doc${i}`, title: Array.from({ length: 2 + Math.floor(r() * 6) }, word).join(' '), abstract: Array.from({ length: 10 + Math.floor(r() * 80) }, word).join(' ') });
  }
  const index = InvertedIndex.build(docs);
  const docTerms = docs.map((d) => new Set(tokenize(`${d.title} ${d.abstract}`)));
  const odd = (id: string) => Number(id.slice(3)) % 3 !== 0;
  let candidates = 0;
  let matching = 0;
  for (let q = 0; q < 100; q++) {
    const topic = Math.floor(r() * 16) * 30;
    const terms = tokenize(Array.from({ length: 1 + Math.floor(r() * 20) }, () => (r() < 0.5 ? VOCAB[(topic + Math.floor(r() * 30)) % VOCAB.length] : zipfWord(r))).join(' '));
    for (const k of [1, 5, 25, 125]) {
      assertSameTopK(index.searchTerms(terms, k), index.searchExhaustive(terms, k), `query ${q} k=${k}`);
      if (k > 5) continue;
      candidates += index.lastSearch.candidates;
      matching += docTerms.filter((set) => terms.some((t) => set.has(t))).length;
    }
    assertSameTopK(index.searchTerms(terms, 25, { filter: odd }), index.searchExhaustive(terms, 25, { filter: odd }), `filtered query ${q}`);
  }
  // Without pruning every matching document would be scored (counted for k ≤ 5).
  assert.ok(candidates < 0.75 * matching, `documents scored: ${candidates} of ${matching} matching`);
});

test('pruning is exact where the bounds are tight (every posting of a word has its maximum impact)', () => {
  // Equal-length abstracts, no title, each word at most once: a word's every posting has the same
  // impact, so a document's score is exactly the sum of its words' bounds and a bound that prunes
  // even slightly too eagerly loses documents just above the k-th score.
  const r = rng(77);
  const words = VOCAB.slice(0, 60);
  // Several 4,096-document windows, so that later windows run with a full heap and non-essential lists.
  const docs: IndexedDoc[] = Array.from({ length: 24000 }, (_, i) => {
    const chosen = new Set<string>();
    while (chosen.size < 10) chosen.add(words[Math.min(words.length - 1, Math.floor(Math.pow(r(), 1.5) * words.length))]);
    return { id: `doc${i}`, title: '', abstract: [...chosen].join(' ') };
  });
  const index = InvertedIndex.build(docs);
  for (let q = 0; q < 150; q++) {
    const terms = tokenize(Array.from({ length: 2 + Math.floor(r() * 14) }, () => words[Math.floor(r() * words.length)]).join(' '));
    for (const k of [3, 20]) assertSameTopK(index.searchTerms(terms, k), index.searchExhaustive(terms, k), `query ${q} k=${k}`);
  }
});

test('MaxScore pruning returns exactly the exhaustive BM25F top k on a random corpus', () => {
  const docs = randomCorpus(3000, 7);
  const index = InvertedIndex.build(docs, { titleWeight: 3, abstractWeight: 1 });
  const r = rng(99);
  for (let q = 0; q < 300; q++) {
    const terms = Array.from({ length: 1 + Math.floor(r() * (q % 5 === 0 ? 40 : 12)) }, () => zipfWord(r));
    if (r() < 0.1) terms.push(terms[0]); // a repeated word counts twice
    for (const k of [1, 10, 100]) {
      const analysed = tokenize(terms.join(' '));
      assertSameTopK(index.searchTerms(analysed, k), index.searchExhaustive(analysed, k), `query ${q} (${terms.join(' ')}) k=${k}`);
    }
  }
});

test('pruned search honours filters, removals and documents added since the build', () => {
  const docs = randomCorpus(1500, 11);
  const index = InvertedIndex.build(docs);
  const r = rng(5);
  const even = (id: string) => Number(id.slice(3)) % 2 === 0;
  for (let i = 0; i < 40; i++) index.remove(`doc${Math.floor(r() * docs.length)}`);
  index.upsert({ id: 'new1', title: `${VOCAB[399]} ${VOCAB[398]}`, abstract: `${VOCAB[399]} ${VOCAB[1]} ${VOCAB[2]}` });
  index.upsert({ id: 'doc4', title: `${VOCAB[397]}`, abstract: 'replaced text' });
  for (let q = 0; q < 100; q++) {
    const terms = tokenize(Array.from({ length: 1 + Math.floor(r() * 8) }, () => zipfWord(r)).join(' '));
    assertSameTopK(index.searchTerms(terms, 10, { filter: even }), index.searchExhaustive(terms, 10, { filter: even }), `filtered query ${q}`);
    const hits = index.searchTerms(terms, 50);
    assertSameTopK(hits, index.searchExhaustive(terms, 50), `query ${q} after changes`);
  }
  assert.equal(index.search(VOCAB[399], 5)[0]?.id, 'new1', 'an added document is found');
  assert.equal(index.search(VOCAB[397], 5)[0]?.id, 'doc4', 'a replaced document is found by its new text');
  assert.equal(index.search('replaced', 5).length, 1);
  assert.equal(index.remove('new1'), true);
  assert.ok(!index.search(VOCAB[399], 100).some((h) => h.id === 'new1'), 'a removed document is gone');
});

test('title words weigh more than abstract words when the title weight is higher; stems match', () => {
  const docs: IndexedDoc[] = [
    { id: 'a', title: 'Pruning large language models', abstract: 'We study compression of networks.' },
    { id: 'b', title: 'A study of compression', abstract: 'We prune language models and describe pruning of large models.' },
    { id: 'c', title: 'Unrelated', abstract: 'Graph neural networks for molecules.' },
  ];
  const titleFirst = InvertedIndex.build(docs, { titleWeight: 10, abstractWeight: 1 });
  assert.equal(titleFirst.search('pruning large language models', 3)[0].id, 'a');
  assert.deepEqual(titleFirst.search('pruned', 3).map((h) => h.id).sort(), ['a', 'b'], 'porter stems: pruned ~ pruning ~ prune');
  assert.deepEqual(titleFirst.search('the of and', 3), [], 'only stopwords: nothing to rank');
  assert.deepEqual(titleFirst.search('', 3), []);
  assert.deepEqual(titleFirst.search('molecules', 0), []);
  assert.throws(() => InvertedIndex.build([docs[0], docs[0]]), /duplicate/);
});

test('PDF text: a low-weight field of its own — found by it, ranked below a title, the other fields untouched; pruning stays exact', () => {
  const r = rng(31);
  // Half the documents carry a long PDF text drawn from the same vocabulary (first pages repeat much).
  const docs = randomCorpus(2000, 13).map((d, i) => (i % 2 ? { ...d, pdfText: Array.from({ length: 300 + Math.floor(r() * 900) }, () => zipfWord(r)).join(' ') } : d));
  const index = InvertedIndex.build(docs);
  const plain = InvertedIndex.build(docs.map(({ pdfText: _drop, ...d }) => d));
  for (let q = 0; q < 150; q++) {
    const terms = tokenize(Array.from({ length: 1 + Math.floor(r() * 10) }, () => zipfWord(r)).join(' '));
    assertSameTopK(index.searchTerms(terms, 20), index.searchExhaustive(terms, 20), `query ${q} with PDF text`);
  }
  for (const w of VOCAB.slice(0, 50)) {
    const [t] = tokenize(w);
    assert.equal(index.docFrequency(t), plain.docFrequency(t), `${w}: the PDF text leaves title/abstract statistics alone`);
  }

  const small = InvertedIndex.build([
    { id: 'title', title: 'Echidna spines', abstract: 'Spines of a monotreme.' },
    { id: 'pdf', title: 'Marsupial gait', abstract: 'How marsupials move.', pdfText: `${'echidna '.repeat(40)}quill` },
    { id: 'other', title: 'Koala diets', abstract: 'Eucalyptus.', pdfText: 'Koala diets. Eucalyptus leaves.' },
  ]);
  assert.deepEqual(small.search('echidna', 5).map((h) => h.id), ['title', 'pdf'], 'forty mentions in the PDF text rank below one in a title');
  assert.deepEqual(small.search('quill', 5).map((h) => h.id), ['pdf']);
  assert.equal(small.countMatches(tokenize('echidna')).total, 2);
  // Added after the build (the enrichment arriving): the same order, from the delta.
  small.upsert({ id: 'late', title: 'Platypus bills', abstract: 'Electroreception.', pdfText: 'We compare the platypus with the echidna.' });
  assert.deepEqual(small.search('echidna', 5).map((h) => h.id).slice(0, 1), ['title']);
  assert.ok(small.search('echidna', 5).some((h) => h.id === 'late'), 'found by the PDF text it arrived with');
  small.upsert({ id: 'late', title: 'Platypus bills', abstract: 'Electroreception.' });
  assert.ok(!small.search('echidna', 5).some((h) => h.id === 'late'), 'gone with its PDF text');
});

test('weighted query terms: a word at a fraction of its weight adds that fraction of its score, pruned and exhaustive agree, and a weight of 0 or less is no term', () => {
  const docs = randomCorpus(3000, 77);
  docs.push({ id: 'only-rare', title: 'zzrare', abstract: 'nothing else here' });
  const index = InvertedIndex.build(docs);
  const r = rng(5);
  for (let q = 0; q < 40; q++) {
    const words = Array.from({ length: 2 + Math.floor(r() * 10) }, () => zipfWord(r));
    const weights = new Map(tokenize(words.join(' ')).map((t) => [t, 0.05 + r() * 1.5]));
    for (const k of [1, 10, 50]) assertSameTopK(index.searchTerms(weights, k), index.searchExhaustive(weights, k), `weighted query ${q} k=${k}`);
  }
  // A list of terms counts each occurrence: the same as a map of counts.
  const [a, b] = tokenize(`${VOCAB[3]} ${VOCAB[40]}`);
  assert.deepEqual(index.searchTerms([a, a, b], 20), index.searchTerms(new Map([[a, 2], [b, 1]]), 20));
  // A fraction of the weight scales the document's score by that fraction.
  const full = index.searchTerms(['zzrare'], 1);
  const third = index.searchTerms(new Map([['zzrare', 1 / 3]]), 1);
  assert.equal(full[0].id, 'only-rare');
  assert.equal(third[0].id, 'only-rare');
  assert.ok(Math.abs(third[0].score - full[0].score / 3) < 1e-9, `${third[0].score} vs ${full[0].score} / 3`);
  assert.deepEqual(index.searchTerms(new Map([['zzrare', 0], [a, -1]]), 5), []);
  assert.deepEqual(index.searchExhaustive(new Map([['zzrare', 0], [a, -1]]), 5), []);
  assert.deepEqual(index.searchTerms(new Map(), 5), []);
});

test('a weighted query scores documents added since the build (the delta) like the main segment, and leaves out words weighted 0 or less', () => {
  const index = InvertedIndex.build(randomCorpus(500, 3));
  index.upsert({ id: 'late', title: 'zzlate arrival', abstract: 'zzlate words' });
  const full = index.searchTerms(['zzlate'], 3);
  const half = index.searchTerms(new Map([['zzlate', 0.5]]), 3);
  assert.equal(half[0].id, 'late');
  assert.ok(Math.abs(half[0].score - full[0].score / 2) < 1e-9);
  const [common] = tokenize(VOCAB[0]);
  // A negative weight on a word the document also has must not pull it out of the results.
  index.upsert({ id: 'late2', title: `zzlate ${VOCAB[0]}`, abstract: '' });
  assert.deepEqual(index.searchTerms(new Map([['zzlate', 1], [common, -5]]), 10).map((h) => h.id).sort(), ['late', 'late2']);
});
