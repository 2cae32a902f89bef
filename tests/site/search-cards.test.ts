import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { editDistance, Lexicon } from '../../src/search/spelling.ts';

const LONG = 'Background words that pad the abstract so that a snippet must cut it. '.repeat(12);

/**
 * Search results as compact cards over real HTTP on SQLite and PostgreSQL, with both keyword
 * engines: a snippet (not the whole abstract), the number of matches, "did you mean" from the
 * corpus's vocabulary, the author an `author:` filter matched, suggestions that name the paper's
 * page, and one sort vocabulary (`newest` read as `date`) on the site and the API.
 */
for (const engine of ['memory', 'store'] as const) {
  forEachStore(`search cards (${engine} engine)`, (ctx) => {
    let app: TestApp;
    const transformers = Array.from({ length: 12 }, (_, i) =>
      makePaper({ title: `A transformer for task ${i}`, abstract: `${LONG} The transformer model is trained on task ${i}. ${LONG}`, publishedAt: `2025-03-${String(10 + i).padStart(2, '0')}` }),
    );
    const many = makePaper({
      title: 'Deep belief nets revisited',
      abstract: 'We revisit deep belief nets with a transformer.',
      authors: ['Ann One', 'Bob Two', 'Cy Three', 'Dee Four', 'Geoffrey Hinton', 'Eve Five'],
    });
    const typo = makePaper({ title: 'A transfromer typo paper', abstract: 'Someone spelt transfromer wrongly here.' });
    before(async () => {
      app = await startTestApp(ctx.store, { SEARCH_EMBEDDER: 'none', SEARCH_KEYWORD_ENGINE: engine });
      await ctx.store.papers.upsertMany([...transformers, many, typo]);
      await app.services.searchIndex.catchUp();
    });
    after(() => app.close());

    const get = async (path: string) => (await new Client(app.url).get(path)).text;

    test('results are compact cards: a highlighted snippet, not the whole abstract, and the count of matches', async () => {
      const html = await get('/search?q=transformer');
      assert.match(html, /<p class="result-count" role="status">13 papers match, best first<\/p>/);
      assert.match(html, /<p class="snippet">[^<]*<mark>transformer<\/mark>/);
      assert.doesNotMatch(html, /class="abstract"/);
      const longest = Math.max(...[...html.matchAll(/<p class="snippet">([\s\S]*?)<\/p>/g)].map((m) => m[1].replace(/<[^>]+>/g, '').length));
      assert.ok(longest < LONG.length, `a snippet (${longest} chars) is shorter than the abstract`);
      // Filters are counted too: in a date range, and with no words at all.
      assert.match(await get('/search?q=transformer&from=2025-03-15&to=2025-03-16'), /2 papers match/);
      assert.match(await get('/search?category=cs.LG&from=2025-03-10&to=2025-03-12'), /3 papers match, best first/);
      // Phrases and author filters (the store's side) are counted as well.
      assert.match(await get('/search?q=%22belief+nets%22'), /1 paper match/);
    });

    test('result pages by offset: 60 matches are pages of 25, 25 and 10, each paper on one page; page 6 exists', async () => {
      const reefs = Array.from({ length: 60 }, (_, i) => makePaper({ id: `2405.${String(i + 1).padStart(5, '0')}`, title: `Reef ${engine} census ${i}`, abstract: 'Fish counts.' }));
      await ctx.store.papers.upsertMany(reefs);
      await app.services.searchIndex.catchUp();
      const idsOn = (html: string) => [...new Set([...html.matchAll(/2405\.\d{5}/g)].map((m) => m[0]))];
      const pages = await Promise.all([1, 2, 3].map((n) => get(`/search?q=reef+${engine}&page=${n}`)));
      assert.deepEqual(pages.map((h) => idsOn(h).length), [25, 25, 10]);
      assert.equal(new Set(pages.flatMap(idsOn)).size, 60, 'no paper on two pages, none left out');
      assert.match(pages[0], /href="\/search\?q=reef\+\w+&amp;page=2">Next →/);
      assert.match(pages[2], /<span>Last page<\/span>/);
      const deep = Array.from({ length: 140 }, (_, i) => makePaper({ id: `2406.${String(i + 1).padStart(5, '0')}`, title: `Kelp ${engine} plot ${i}` }));
      await ctx.store.papers.upsertMany(deep);
      await app.services.searchIndex.catchUp();
      const sixth = await get(`/search?q=kelp+${engine}&page=6`);
      assert.match(sixth, /— page 6/, 'deeper than the 120 results the site used to stop at');
      assert.equal([...new Set([...sixth.matchAll(/2406\.\d{5}/g)].map((m) => m[0]))].length, 140 - 5 * 25);
    });

    test('"did you mean" corrects a rare word from the corpus, keeping the rest of the query', async () => {
      const html = await get('/search?q=transfromer+task&sort=upvotes');
      if (engine === 'store') {
        assert.doesNotMatch(html, /Did you mean/, 'the store engine keeps no vocabulary in memory');
        return;
      }
      assert.match(html, /Did you mean <a href="\/search\?q=transformer\+task&amp;sort=upvotes" rel="nofollow"><strong>transformer task<\/strong><\/a>\?/);
      assert.doesNotMatch(await get('/search?q=transformer'), /Did you mean/, 'a common word is left alone');
      assert.doesNotMatch(await get('/search?q=zqxwvy'), /Did you mean/, 'nothing close: no suggestion');
    });

    test('author:hinton shows the matching author instead of hiding them behind "et al."', async () => {
      const html = await get('/search?q=author%3Ahinton');
      assert.match(html, /Ann One<\/a>, <a href="\/authors\/Bob%20Two">Bob Two<\/a>, <a href="\/authors\/Cy%20Three">Cy Three<\/a>, …, <a href="\/authors\/Geoffrey%20Hinton"><mark>Geoffrey Hinton<\/mark><\/a> et al\. \(6 authors\)/);
      // Without the filter, the first three and "et al.".
      assert.match(await get('/search?q=belief'), /Cy Three<\/a> et al\. \(6 authors\)/);
    });

    test('one sort vocabulary: the site emits date and still reads newest; the API takes both', async () => {
      const html = await get('/search?q=transformer&sort=newest');
      assert.match(html, /<option value="date" selected="">Newest/);
      assert.doesNotMatch(html, /value="newest"/);
      assert.match(html, /match, newest first/);
      const order = [...html.matchAll(/<a href="\/papers\/([^"]+)"><mark>/g)].map((m) => m[1]);
      const dateOrder = [...(await get('/search?q=transformer&sort=date')).matchAll(/<a href="\/papers\/([^"]+)"><mark>/g)].map((m) => m[1]);
      assert.deepEqual(order, dateOrder);
      const api = (s: string) => fetch(`${app.url}/api/papers/search?q=transformer&sort=${s}`);
      const [a, b] = await Promise.all([api('date'), api('newest')]);
      assert.deepEqual((await a.json()).map((x: { id: string }) => x.id), (await b.json()).map((x: { id: string }) => x.id));
      const bad = await api('sideways');
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).error.message, /relevance, date or upvotes/);
    });

    test('suggestions name the paper page they open', async () => {
      const r = await fetch(`${app.url}/search/suggest?q=belief`);
      assert.deepEqual(await r.json(), [{ id: many.id, title: many.title, url: `/papers/${many.id}` }]);
    });
  });
}

test('spelling: bounded edit distance with swaps, and corrections only for rare words', () => {
  assert.equal(editDistance('transfromer', 'transformer', 2), 1, 'a swap is one edit');
  assert.equal(editDistance('kitten', 'sitting', 3), 3);
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'stops early past the limit');
  const lex = Lexicon.of([
    { word: 'transformer', df: 40 },
    { word: 'transformed', df: 5 },
    { word: 'attention', df: 30 },
  ]);
  assert.equal(lex.correct('transfromer', 0)?.word, 'transformer');
  assert.equal(lex.correct('atention', 0)?.word, 'attention');
  assert.equal(lex.correct('transformer', 40), null, 'a known word is not replaced by itself');
  assert.equal(lex.correct('atention', 20), null, 'not clearly more frequent than the word itself');
  assert.equal(lex.correct('abc', 0), null, 'short words are left alone');

  const docs = Array.from({ length: 30 }, (_, i) => ({ id: `d${i}`, title: i < 20 ? 'Transformer models' : 'Graph networks', abstract: i === 29 ? 'A transfromer.' : 'Text.' }));
  const index = InvertedIndex.build(docs);
  assert.deepEqual([...index.corrections(['transfromer', 'graph', 'networks'])], [['transfromer', 'transformer']]);
  assert.deepEqual(index.countMatches(['transform', 'graph']), { total: 30, exact: true });
  assert.deepEqual(index.countMatches(['graph'], (id) => id !== 'd29'), { total: 9, exact: true });
  index.remove('d0');
  assert.equal(index.countMatches(['transform']).total, 19, 'd0 removed; d29 (the typo stems elsewhere) not counted');
  // Estimated beyond the exact budget, from an even sample.
  const est = index.countMatches(['transform', 'graph'], (id) => Number(id.slice(1)) % 2 === 0, 10);
  assert.equal(est.exact, false);
  assert.ok(Math.abs(est.total - 14) <= 3, `about 14, got ${est.total}`);
});
