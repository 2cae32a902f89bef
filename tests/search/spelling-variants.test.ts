import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { americanSpelling, queryTermsWithVariants } from '../../src/search/spelling-variants.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { tokenize } from '../../src/search/tokenize.ts';

test('the -ise and -yse families get their -ize / -yze spelling; other words none', () => {
  assert.equal(americanSpelling('recognising'), 'recognizing');
  assert.equal(americanSpelling('normalised'), 'normalized');
  assert.equal(americanSpelling('specialisation'), 'specialization');
  assert.equal(americanSpelling('tokeniser'), 'tokenizer');
  assert.equal(americanSpelling('analyse'), 'analyze');
  assert.equal(americanSpelling('paralysed'), 'paralyzed');
  // A vowel before "is" is no -ise verb ("noise", "raise"), and words without the endings have none.
  assert.equal(americanSpelling('noise'), null);
  assert.equal(americanSpelling('raised'), null);
  assert.equal(americanSpelling('transformer'), null);
  assert.equal(americanSpelling('is'), null);
});

test('a query word also searches its other spelling only where the corpus uses that one more', () => {
  const df = new Map([
    [tokenize('recognizing')[0], 900],
    [tokenize('recognising')[0], 12],
    [tokenize('supervised')[0], 5000],
  ]);
  const terms = queryTermsWithVariants('recognising faces, supervised', (t) => df.get(t) ?? 0);
  assert.deepEqual(terms, [tokenize('recognising')[0], tokenize('recognizing')[0], tokenize('faces')[0], tokenize('supervised')[0]]);
  // The other spelling is the rare one: the word is searched as written only.
  assert.deepEqual(queryTermsWithVariants('recognizing', (t) => (t === tokenize('recognising')[0] ? 50 : 1)), tokenize('recognizing'));
  assert.deepEqual(queryTermsWithVariants('the of and', () => 1), [], 'stopwords are dropped as by tokenize');
});

forEachStore('keyword search across British and American spelling', (ctx) => {
  let engine: InvertedIndexEngine;
  before(async () => {
    await ctx.store.papers.upsertMany([
      makePaper({ id: '2501.20001', title: 'Recognizing handwritten digits', abstract: 'We recognize digits written by hand with a small network.' }),
      makePaper({ id: '2501.20002', title: 'Optimizing warehouse routes', abstract: 'Routes are optimized for robots that recognize shelves.' }),
      makePaper({ id: '2501.20003', title: 'A study of shelves', abstract: 'Shelves in warehouses and the robots between them.' }),
    ]);
    engine = new InvertedIndexEngine(ctx.store, new StoreKeywordEngine(ctx.store));
    await engine.catchUp();
  });

  test('"recognising" finds the papers that write "recognizing"', async () => {
    const hits = await engine.search(parseQuery('recognising handwriting'), { limit: 10, sort: 'relevance' });
    assert.equal(hits[0]?.id, '2501.20001');
    const optimise = await engine.search(parseQuery('optimising routes'), { limit: 10, sort: 'relevance' });
    assert.equal(optimise[0]?.id, '2501.20002');
  });
});
