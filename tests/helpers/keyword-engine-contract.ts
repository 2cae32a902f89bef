import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from './contract.ts';
import { makePaper } from './papers.ts';
import { testDb } from './stores.ts';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';
import type { KeywordEngine, KeywordSearchOptions } from '../../src/search/keyword-engine.ts';
import { parseQuery } from '../../src/search/query.ts';
import { SCAN_GUARD_MS } from '../../src/search/inverted-index-engine.ts';

/**
 * The contract every KeywordEngine keeps (the semantics listed in src/search/keyword-engine.ts),
 * run on SQLite and PostgreSQL: `keywordEngineContract('memory', (store) => new InvertedIndexEngine(...))`.
 * Each case is written so that an engine that gets it wrong fails: a wrong order, a filter
 * ignored, a hidden or withdrawn paper served, an edit not followed, an odd query thrown on.
 */

const P = (n: number) => `2407.${String(n).padStart(5, '0')}`;

/** Each paper is there for a case; the comment says which. */
const papers = () => [
  // Ranking: title words above abstract words, more matched words above fewer.
  makePaper({ id: P(1), title: 'Sparse tensor compilers', abstract: 'We compile loops over sparse data.', authors: ['Fredrik Kjolstad'], categories: ['cs.PL'], publishedAt: '2019-04-01' }),
  makePaper({ id: P(2), title: 'Loop scheduling for GPUs', abstract: 'Sparse tensor code is one example we schedule.', authors: ['Ana Lima'], categories: ['cs.DC', 'cs.PL'], publishedAt: '2021-06-15' }),
  makePaper({ id: P(3), title: 'Dense matrix multiplication', abstract: 'A tensor is dense here, never sparse.', authors: ['Bo Chen'], categories: ['cs.MS'], publishedAt: '2023-02-28' }),
  // Phrases: the words adjacent and in order, not merely present.
  makePaper({ id: P(4), title: 'Kernel methods meet tensor networks', abstract: 'Methods for kernel learning.', authors: ['Ana Lima', 'Carl Weber'], categories: ['stat.ML'], publishedAt: '2020-01-01' }),
  makePaper({ id: P(5), title: 'Tensor kernel methods', abstract: 'Kernel methods, with tensors.', authors: ['Dara Okafor'], categories: ['stat.ML'], publishedAt: '2022-12-31' }),
  // Unicode: accents, another script, case.
  makePaper({ id: P(6), title: 'Übersetzung mit neuronalen Netzen', abstract: 'Maschinelle Übersetzung, café-Gespräche und λόγος.', authors: ['Jürgen Müller'], categories: ['cs.CL'], publishedAt: '2024-03-03' }),
  // No publication date: outside every date bound.
  makePaper({ id: P(7), title: 'Undated notes', abstract: 'Notes on sparse tensor algebra.', authors: ['Eve Undated'], categories: ['cs.PL'], publishedAt: null }),
  // Hidden before the first index, withdrawn before the first index.
  makePaper({ id: P(8), title: 'Hidden sparse tensor spam', abstract: 'Sparse tensor sparse tensor.', authors: ['Spam Bot'], categories: ['cs.PL'], publishedAt: '2024-01-01' }),
  makePaper({ id: P(9), title: 'Withdrawn sparse tensor result', abstract: 'Sparse tensor claims, withdrawn.', authors: ['Gone Author'], categories: ['cs.PL'], publishedAt: '2024-01-02' }),
  // Hidden, withdrawn and edited after the engine has indexed them.
  makePaper({ id: P(10), title: 'Quokka habitat survey', abstract: 'Quokka counts on Rottnest.', authors: ['Hana Field'], categories: ['q-bio.PE'], publishedAt: '2018-05-05' }),
  makePaper({ id: P(11), title: 'Quokka diet study', abstract: 'What quokka eat.', authors: ['Ivo Field'], categories: ['q-bio.PE'], publishedAt: '2018-06-06' }),
  makePaper({ id: P(12), title: 'Wombat burrow architecture', abstract: 'Burrows of the wombat.', authors: ['Jo Field'], categories: ['q-bio.PE'], publishedAt: '2018-07-07' }),
  // The PDF text field: a word only in one paper's PDF text (kept after the engine has indexed it), the same word in another's title.
  makePaper({ id: P(14), title: 'Marsupial gait analysis', abstract: 'How marsupials move.', authors: ['Kai Strand'], categories: ['q-bio.PE'], publishedAt: '2018-09-09' }),
  makePaper({ id: P(15), title: 'Echidna spines', abstract: 'Spines of a monotreme.', authors: ['Lea Strand'], categories: ['q-bio.PE'], publishedAt: '2018-10-10' }),
];

/** What the enrichment `pdf` step keeps: the text of the first pages (no thumbnails needed here). */
const savePdfText = (store: Store, id: string, text: string) => store.enrichment.savePdf(id, { text, pages: 3, thumbnails: [] });

export function keywordEngineContract(name: string, make: (store: Store) => KeywordEngine): void {
  forEachStore(`KeywordEngine contract: ${name}`, (ctx) => {
    let engine: KeywordEngine;
    const opts = (over: Partial<KeywordSearchOptions> = {}): KeywordSearchOptions => ({ limit: 50, sort: 'relevance', ...over });
    const hits = (q: string, over: Partial<KeywordSearchOptions> = {}) => engine.search(parseQuery(q), opts(over));
    const ids = async (q: string, over: Partial<KeywordSearchOptions> = {}) => (await hits(q, over)).map((h) => h.id);
    const set = async (q: string, over: Partial<KeywordSearchOptions> = {}) => new Set(await ids(q, over));

    before(async () => {
      await ctx.store.papers.upsertMany(papers());
      await ctx.store.papers.setHidden(P(8), true);
      await ctx.store.papers.markDeleted(P(9));
      // Upvotes through real accounts: 3 for paper 2, 1 for paper 3.
      const users = await Promise.all([1, 2, 3].map((i) => ctx.store.users.create({ username: `voter${i}`, email: `voter${i}@example.org`, passwordHash: 'x' })));
      for (const u of users) await ctx.store.upvotes.add(u.id, P(2));
      await ctx.store.upvotes.add(users[0].id, P(3));
      engine = make(ctx.store);
      await engine.catchUp();
    });

    test('words: any of them matches; more matched words and title words rank higher; scores fall', async () => {
      const r = await hits('sparse tensor');
      assert.deepEqual(new Set(r.map((h) => h.id)), new Set([P(1), P(2), P(3), P(4), P(5), P(7)]));
      assert.equal(r[0].id, P(1), 'both words in the title first');
      for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].score >= r[i].score, `scores fall: ${r.map((h) => h.score)}`);
      assert.ok(r.every((h) => Number.isFinite(h.score)));
      const compilers = await ids('compilers');
      assert.deepEqual(compilers, [P(1)]);
      assert.deepEqual(await set('kernel'), new Set([P(4), P(5)]));
      assert.equal((await ids('dense multiplication'))[0], P(3));
      assert.equal((await ids('sparse data'))[0], P(1), 'two words of one paper above one word of several');
    });

    test('phrases: every phrase, words adjacent and in order', async () => {
      assert.deepEqual(await set('"kernel methods"'), new Set([P(4), P(5)]));
      assert.deepEqual(await set('"tensor kernel"'), new Set([P(5)]), 'adjacent: paper 4 has both words apart');
      assert.deepEqual(await set('"methods kernel"'), new Set(), 'in order');
      assert.deepEqual(await set('"kernel methods" "tensor networks"'), new Set([P(4)]), 'every phrase');
    });

    test('exclusions: a word or a phrase leaves the paper out', async () => {
      assert.deepEqual(await set('sparse -dense'), new Set([P(1), P(2), P(7)]));
      assert.deepEqual(await ids('kernel -"tensor networks"'), [P(5)]);
      assert.deepEqual(await ids('compilers -sparse'), [], 'an excluded word in the title');
    });

    test('authors: every word of the name, in the authors only', async () => {
      assert.deepEqual(await set('tensor author:lima'), new Set([P(2), P(4)]));
      assert.deepEqual(await set('author:"ana lima" author:weber'), new Set([P(4)]));
      assert.deepEqual(await set('author:compilers'), new Set(), 'a title word is not an author');
    });

    test('category: any of the paper\'s categories, case-insensitive, from the query or the options', async () => {
      assert.deepEqual(await set('sparse tensor category:cs.PL'), new Set([P(1), P(2), P(7)]));
      assert.deepEqual(await set('sparse tensor', { category: 'CS.dc' }), new Set([P(2)]));
      assert.deepEqual(await set('tensor category:cs.PL', { category: 'stat.ML' }), new Set([P(1), P(2), P(7), P(4), P(5)]), 'either category');
      assert.deepEqual(await set('tensor category:math.AG'), new Set());
    });

    test('dates: inclusive bounds on publication; an undated paper is outside any bound', async () => {
      assert.deepEqual(await set('tensor', { from: '2021-06-15', to: '2022-12-31' }), new Set([P(2), P(5)]));
      assert.deepEqual(await set('tensor from:2023-02-28'), new Set([P(3)]));
      assert.deepEqual(await set('tensor to:2019-04-01'), new Set([P(1)]));
      assert.ok(!(await ids('tensor', { from: '1900-01-01' })).includes(P(7)), 'undated is not after any date');
      assert.ok((await ids('tensor')).includes(P(7)), 'but found without bounds');
    });

    test('sorts: date (newest first) and upvotes (most first), still only matches', async () => {
      assert.deepEqual(await ids('sparse tensor', { sort: 'date' }), [P(3), P(5), P(2), P(4), P(1), P(7)]);
      const byVotes = await ids('sparse tensor', { sort: 'upvotes' });
      assert.deepEqual(byVotes.slice(0, 2), [P(2), P(3)]);
      assert.equal(byVotes.length, 6);
    });

    test('limit and offset: pages of the one order', async () => {
      const all = await ids('sparse tensor');
      assert.deepEqual(await ids('sparse tensor', { limit: 2 }), all.slice(0, 2));
      assert.deepEqual(await ids('sparse tensor', { limit: 2, offset: 2 }), all.slice(2, 4));
      assert.deepEqual(await ids('sparse tensor', { limit: 10, offset: 5 }), all.slice(5));
      assert.deepEqual(await ids('sparse tensor', { limit: 0 }), []);
      assert.deepEqual(await ids('sparse tensor', { offset: 100 }), []);
    });

    test('hidden and withdrawn papers are never returned, even matching every word', async () => {
      for (const q of ['hidden spam', 'withdrawn result', 'sparse tensor', 'author:bot', '"sparse tensor"']) {
        const got = await ids(q);
        assert.ok(!got.includes(P(8)) && !got.includes(P(9)), `${q}: ${got}`);
      }
      for (const sort of ['date', 'upvotes'] as const) assert.ok(!(await ids('sparse tensor', { sort })).some((id) => id === P(8) || id === P(9)));
    });

    test('updates: after catchUp, hidden, withdrawn and edited papers are followed', async () => {
      assert.deepEqual(await set('quokka'), new Set([P(10), P(11)]));
      assert.deepEqual(await set('wombat'), new Set([P(12)]));
      await ctx.store.papers.setHidden(P(10), true);
      await ctx.store.papers.markDeleted(P(11));
      await ctx.store.papers.upsertMany([makePaper({ id: P(12), version: 2, title: 'Numbat termite diet', abstract: 'Numbats eat termites.', authors: ['Jo Field'], categories: ['q-bio.PE'], publishedAt: '2018-07-07' })]);
      await engine.catchUp();
      assert.deepEqual(await ids('quokka'), [], 'hidden and withdrawn after indexing');
      assert.deepEqual(await ids('wombat'), [], 'the old text is gone');
      assert.deepEqual(await ids('numbat'), [P(12)], 'the new text is found');
      await ctx.store.papers.setHidden(P(10), false);
      await engine.catchUp();
      assert.deepEqual(await ids('quokka'), [P(10)], 'unhidden again');
      const fresh = makePaper({ id: P(13), title: 'Bilby burrows', abstract: 'Bilby.', categories: ['q-bio.PE'], publishedAt: '2018-08-08' });
      await ctx.store.papers.upsertMany([fresh]);
      assert.ok((await engine.catchUp()) >= 1, 'catchUp counts what it indexed');
      assert.deepEqual(await ids('bilby'), [P(13)]);
    });

    test('PDF text: a low-weight field, indexed when the enrichment arrives (the paper is updated, nothing rebuilt)', async () => {
      assert.deepEqual(await ids('echidna'), [P(15)], 'before the PDF text arrives');
      // The in-memory engines read again what changed in the last SCAN_GUARD_MS (a write racing a scan is
      // not stepped over): let the earlier tests' writes age past it, so the count below is this one paper.
      await new Promise((r) => setTimeout(r, SCAN_GUARD_MS + 100));
      await engine.catchUp();
      await savePdfText(ctx.store, P(14), 'Marsupial gait analysis\n\nWe filmed an echidna and an echidna quill in motion. Related work on echidna locomotion.');
      assert.equal(await engine.catchUp(), 1, 'only the enriched paper is indexed again');
      const r = await hits('echidna');
      assert.deepEqual(r.map((h) => h.id), [P(15), P(14)], 'found by its PDF text, below the paper with the word in its title');
      assert.ok(r[0].score > r[1].score, `a lower score: ${r.map((h) => h.score)}`);
      assert.deepEqual(await ids('echidna', { sort: 'date' }), [P(15), P(14)], 'the other orders see it too');
      if (engine.count) assert.equal((await engine.count(parseQuery('echidna'), {})).total, 2);
      assert.deepEqual(await ids('echidna category:q-bio.PE', { from: '2018-09-01', to: '2018-09-30' }), [P(14)], 'filters apply to PDF-text matches');
      // Phrases and exclusions look at what a result shows: title, abstract, authors.
      assert.deepEqual(await ids('"echidna quill"'), [], 'a phrase only in the PDF text');
      assert.deepEqual(await ids('marsupial -echidna'), [P(14)], 'a word of the PDF text does not exclude the paper');
      // A new render replaces the text: its words go with it.
      // The in-memory engines read again what changed in the last SCAN_GUARD_MS (a write racing a scan is
      // not stepped over): let the earlier tests' writes age past it, so the count below is this one paper.
      await new Promise((r) => setTimeout(r, SCAN_GUARD_MS + 100));
      await engine.catchUp();
      await savePdfText(ctx.store, P(14), 'Marsupial gait analysis, second version: kangaroo hops.');
      await engine.catchUp();
      assert.deepEqual(await ids('echidna'), [P(15)], 'the old PDF text is gone');
      assert.deepEqual(await ids('kangaroo'), [P(14)], 'the new PDF text is found');
      // The in-memory engines read again what changed in the last SCAN_GUARD_MS (a write racing a scan is
      // not stepped over): let the earlier tests' writes age past it, so the count below is this one paper.
      await new Promise((r) => setTimeout(r, SCAN_GUARD_MS + 100));
      await engine.catchUp();
      await savePdfText(ctx.store, P(14), 'Marsupial gait analysis\n\nWe filmed an echidna and an echidna quill in motion. Related work on echidna locomotion.');
      await engine.catchUp();
    });

    test('empty and odd queries: [] or matches, never an error', async () => {
      assert.deepEqual(await ids(''), []);
      assert.deepEqual(await ids('category:cs.PL'), [], 'filters without words are the service\'s to answer');
      assert.deepEqual(await ids('-sparse'), [], 'only an exclusion');
      for (const q of ['" * : ^ NEAR AND OR ( ) {} [] ~', 'sparse OR NOT tensor*', "tensor'; drop table papers; --", '😀🚀', 'x'.repeat(5000), '"', '""', 'author:', '-"" sparse', 'NEAR(sparse tensor)']) {
        const r = await hits(q);
        assert.ok(Array.isArray(r), q);
      }
      assert.deepEqual(await set('sparse OR NOT tensor*'), await set('sparse or not tensor'), 'FTS operators are words');
    });

    test('NUL and control bytes in a query are spaces, on both stores', async () => {
      assert.deepEqual(await ids('sparse\u0000tensor'), await ids('sparse tensor'));
      assert.deepEqual(await ids('\u0000'), []);
      assert.deepEqual(await ids('"kernel\u0000methods"'), await ids('"kernel methods"'));
      assert.deepEqual(await ids('compilers\u0001\u001f\u007f'), [P(1)]);
    });

    test('unicode: accented and non-Latin words, any case', async () => {
      assert.deepEqual(await ids('Übersetzung'), [P(6)]);
      assert.deepEqual(await ids('ÜBERSETZUNG'), [P(6)], 'case-folded');
      assert.deepEqual(await ids('neuronalen netzen'), [P(6)]);
      assert.deepEqual(await ids('λόγος'), [P(6)], 'Greek');
      assert.deepEqual(await ids('café'), [P(6)]);
      assert.deepEqual(await ids('ｓｐａｒｓｅ ｃｏｍｐｉｌｅｒｓ'), await ids('sparse compilers'), 'full-width letters fold to ASCII');
    });

    test('count, when the engine counts, agrees with search', async () => {
      if (!engine.count) return;
      for (const [q, o] of [['sparse tensor', {}], ['tensor category:cs.PL', {}], ['tensor', { from: '2020-01-01' }], ['"kernel methods"', {}], ['echidna', {}], ['nothingmatches', {}]] as const) {
        const c = await engine.count(parseQuery(q), o);
        assert.equal(c.total, (await ids(q, o)).length, q);
        assert.equal(c.exact, true, `${q}: a small corpus is counted exactly`);
      }
    });

    test('rebuild: the same answers from a fresh index', async () => {
      const queries = ['sparse tensor', '"kernel methods"', 'quokka', 'numbat', 'Übersetzung', 'echidna'];
      const before = await Promise.all(queries.map((q) => ids(q)));
      assert.ok((await engine.rebuild()) > 0, 'counts what it indexed');
      const after = await Promise.all(queries.map((q) => ids(q)));
      assert.deepEqual(after, before);
      const again = make(ctx.store);
      await again.catchUp();
      assert.deepEqual((await again.search(parseQuery('sparse tensor'), opts())).map((h) => h.id), before[0], 'a new engine over the same store agrees');
      assert.deepEqual((await again.search(parseQuery('echidna'), opts())).map((h) => h.id), [P(15), P(14)], 'and has the PDF text from its first build');
    });

    test("rebuild with the store's index caught up (reindex's default): new papers are indexed, the rest of that index is left as it is", async () => {
      // A row of the store's own full-text index knocked out behind its back: only a from-scratch rebuild brings it back.
      assert.deepEqual(await ids('"numbat termite"'), [P(12)]);
      const db = testDb(ctx.store);
      if (ctx.kind === 'sqlite') await sql`delete from papers_fts where rowid = (select rowid from papers where id = ${P(12)})`.execute(db);
      else await sql`delete from paper_search where paper_id = ${P(12)}`.execute(db);
      await ctx.store.papers.upsertMany([makePaper({ id: P(16), title: 'Platypus venom spurs', abstract: 'Platypus venom and its spurs.', authors: ['Kim Field'], categories: ['q-bio.PE'], publishedAt: '2018-08-08' })]);
      const caughtUp = await engine.rebuild({ storeIndex: 'catch-up' });
      assert.deepEqual(await ids('"platypus venom"'), [P(16)], 'the new paper is in the store index');
      assert.deepEqual(await ids('platypus'), [P(16)]);
      assert.deepEqual(await ids('"numbat termite"'), [], 'the store index was not rebuilt');
      assert.equal(await engine.rebuild(), caughtUp, 'both count the papers the index holds');
      assert.deepEqual(await ids('"numbat termite"'), [P(12)], 'a from-scratch rebuild restores it');
    });
  });
}
