import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { HashEmbedder } from '../helpers/hash-embedder.ts';
import { openSearch, type SearchService, type SearchInput } from '../../src/services/search.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { markHtml } from '../../src/search/highlight.ts';
import { VectorIndex } from '../../src/search/vector-index.ts';
import type { Store } from '../../src/store/store.ts';
import { CORPUS, loadCorpus } from './fixtures.ts';
import { testDb } from '../helpers/stores.ts';

function service(store: Store, embedder: HashEmbedder | null = null, indexFile?: string) {
  return openSearch(store, { engine: new StoreKeywordEngine(store), embedder: async () => embedder, indexFile: indexFile ? () => indexFile : undefined, annRefreshMs: 0 });
}

forEachStore('SearchService', (ctx) => {
  let search: SearchService;
  const ids = async (input: SearchInput | string) => (await search.search(typeof input === 'string' ? { q: input } : input)).results.map((r) => r.paper.id);

  before(async () => {
    await loadCorpus(ctx.store);
    search = service(ctx.store).search;
  });

  test('words match any of them; hidden and withdrawn papers never show', async () => {
    const got = await ids('attention');
    assert.deepEqual(new Set(got), new Set(['2402.00001', '2402.00004', '2402.00005']));
  });

  test('a word in the title ranks above the same word in the abstract', async () => {
    const got = await ids('mechanisms');
    assert.deepEqual(got, ['2402.00005', '2402.00001']);
  });

  test('more matching words rank higher', async () => {
    assert.equal((await ids('graph attention networks'))[0], '2402.00004');
    assert.equal((await ids('transformer recurrence convolutions attention'))[0], '2402.00001');
  });

  test('"exact phrases" need the words adjacent and in order', async () => {
    assert.deepEqual(await ids('"neural radiance fields"'), ['2402.00002']);
    assert.deepEqual(new Set(await ids('neural radiance fields')), new Set(['2402.00002', '2402.00003', '2402.00004']));
    assert.deepEqual(await ids('"fields radiance neural"'), []);
  });

  test('-excluded words and phrases take papers out', async () => {
    assert.deepEqual(new Set(await ids('attention -survey')), new Set(['2402.00001', '2402.00004']));
    assert.deepEqual(await ids('radiance -"volume rendering"'), ['2402.00003']);
  });

  test('author: matches names in the authors only', async () => {
    assert.deepEqual(await ids('author:vaswani'), ['2402.00001']);
    assert.deepEqual(await ids('attention author:"yoshua bengio"'), ['2402.00004']);
    assert.deepEqual(await ids('author:attention'), []);
  });

  test('category and dates filter, in the query or as options', async () => {
    assert.deepEqual(await ids('attention category:cs.CL'), ['2402.00001']);
    assert.deepEqual(await ids({ q: 'attention', category: 'cs.cl' }), ['2402.00001']);
    assert.deepEqual(await ids('attention from:2018'), ['2402.00005']);
    assert.deepEqual(new Set(await ids('attention to:2017')), new Set(['2402.00001', '2402.00004']));
    assert.deepEqual(await ids({ q: 'attention', from: '2017-07-01', to: '2017-12-31' }), ['2402.00004']);
  });

  test('sort by date or upvotes', async () => {
    assert.deepEqual(await ids('attention sort:date'), ['2402.00005', '2402.00004', '2402.00001']);
    assert.deepEqual(await ids({ q: 'attention', sort: 'upvotes' }), ['2402.00005', '2402.00004', '2402.00001']);
  });

  test('filters alone list the newest matching papers; exclusions still apply', async () => {
    assert.deepEqual(await ids('category:astro-ph.CO'), ['2402.00006']);
    assert.deepEqual(await ids('category:cs.LG -survey'), ['2402.00004', '2402.00001']);
    assert.deepEqual(await ids(''), []);
  });

  test('highlights mark the matched words and escape the data', async () => {
    const [r] = (await search.search({ q: 'scripting attacks' })).results;
    assert.equal(r.paper.id, '2402.00007');
    // "script" shares the stem of "scripting", so the text of the tag is marked, but never as a tag.
    assert.equal(markHtml(r.title), '<mark>Scripting</mark> &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; <mark>attacks</mark> on language models');
    assert.ok(!markHtml(r.summary).includes('<img'));
    assert.ok(markHtml(r.summary).includes('cross-site <mark>scripting</mark>'));
  });

  test('an arXiv id or URL goes straight to that paper', async () => {
    for (const q of ['2402.00002', 'https://arxiv.org/abs/2402.00002v2', 'arXiv:2402.00002']) {
      const r = await search.search({ q });
      assert.equal(r.paperId, '2402.00002', q);
      assert.deepEqual(r.results.map((x) => x.paper.id), ['2402.00002']);
    }
    assert.equal((await search.search({ q: '2402.00008' })).paperId, undefined, 'a hidden paper is not a jump target');
    assert.equal((await search.search({ q: '2402.99999' })).results.length, 0);
  });

  test('unicode and diacritics', async () => {
    assert.deepEqual(await ids('naïve café'), ['2402.00010']);
    assert.deepEqual(await ids('author:müller'), ['2402.00010']);
  });

  test('hostile input never throws', async () => {
    const inputs = ['', ' ', '"', '"""', '" * : ^ NEAR AND OR ( )', 'NEAR(attention, 2)', 'title:attention^2', '*', 'a*', 'AND', 'OR OR', '((((', '-', '--attention', '-"', 'author:', 'category:', 'category:"; drop table papers; --', "'; drop table papers; --", 'the of and', '😀', '😀 attention 🚀', '\u0000', 'x'.repeat(10_000), Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' '), '%', '_', '\\', 'from:9999-99-99', 'sort:'];
    for (const q of inputs) {
      const r = await search.search({ q, limit: 5 });
      assert.ok(Array.isArray(r.results), q.slice(0, 30));
    }
    assert.equal(await ctx.store.papers.count(), CORPUS.length);
    assert.ok((await ids('😀 attention 🚀')).includes('2402.00001'));
  });

  test('papers imported or changed later are found after the next catch-up', async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00011', title: 'Quokka behaviour on Rottnest Island', abstract: 'Marsupials and tourists.' })]);
    assert.deepEqual(await ids('quokka'), ['2402.00011'], 'search catches the full-text index up first');
    const p = CORPUS[2];
    assert.ok((await ids('scene')).includes('2402.00003'));
    await ctx.store.papers.upsertMany([{ ...p, version: 2, title: 'Baryonic feedback on radiance' }]);
    assert.ok((await ids('estimation')).includes('2402.00003'), 'the abstract still matches');
    assert.ok(!(await ids('scene')).includes('2402.00003'), 'the old title is gone');
    assert.deepEqual(await ids('baryonic'), ['2402.00003']);
  });

  test('a paper changed twice before the indexer runs is indexed once, with its last text', async () => {
    const p = makePaper({ id: '2402.00013', title: 'Okapi field notes', abstract: 'Forest giraffes.' });
    await ctx.store.papers.upsertMany([p]);
    await ctx.store.papers.upsertMany([{ ...p, version: 2, title: 'Tapir field notes' }]);
    await ctx.store.papers.upsertMany([{ ...p, version: 3, title: 'Pangolin field notes' }]);
    assert.equal(await ctx.store.search.pendingFullText(), 1);
    assert.deepEqual(await ids('pangolin'), ['2402.00013']);
    assert.deepEqual(await ids('okapi tapir'), []);
    assert.equal(await ctx.store.search.pendingFullText(), 0);
  });

  test('a paper stored after the newest one was deleted (SQLite gives out its rowid again) is still indexed', async () => {
    const gone = makePaper({ id: '2402.00014', title: 'Wombat burrows', abstract: 'Cubic droppings.' });
    await ctx.store.papers.upsertMany([gone]);
    assert.deepEqual(await ids('wombat'), ['2402.00014']);
    await testDb(ctx.store).deleteFrom('papers').where('id', '=', gone.id).execute();
    assert.deepEqual(await ids('wombat'), [], 'the deleted paper left the index');
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00015', title: 'Numbat termite diet', abstract: 'Striped marsupials.' })]);
    assert.ok((await ctx.store.search.pendingFullText()) >= 1);
    assert.deepEqual(await ids('numbat'), ['2402.00015']);
    assert.equal(await ctx.store.search.pendingFullText(), 0);
  });

  test('similar papers: keyword neighbours of the title without an embedder', async () => {
    const got = (await search.similar('2402.00004', 5))!.map((r) => r.paper.id);
    assert.ok(got.length > 0);
    assert.ok(!got.includes('2402.00004') && !got.includes('2402.00008'));
    assert.ok(got.includes('2402.00001') || got.includes('2402.00005'));
    assert.equal(await search.similar('2402.99999'), null);
  });

  test('hybrid: vectors are embedded on catch-up, vector search finds by meaning-of-words, keyword hits stay first', async () => {
    const embedder = new HashEmbedder(128);
    const { search: hybrid, index: hybridIndex } = service(ctx.store, embedder);
    const r = await hybridIndex.catchUp();
    assert.equal(r.embedded, await ctx.store.papers.count());
    assert.equal((await hybridIndex.catchUp()).embedded, 0, 'nothing left to embed');
    const vector = await hybrid.search({ q: 'lensing halos', mode: 'vector', limit: 3 });
    assert.equal(vector.mode, 'vector');
    assert.equal(vector.results[0].paper.id, '2402.00006');
    assert.ok(!vector.results.some((x) => x.paper.id === '2402.00008' || x.paper.id === '2402.00009'));
    const keyword = await ids({ q: 'attention networks', mode: 'keyword' });
    const fused = (await hybrid.search({ q: 'attention networks' })).results.map((x) => x.paper.id);
    assert.deepEqual(new Set(fused.slice(0, keyword.length)), new Set(keyword), 'every keyword hit ranks above vector-only hits');
    assert.deepEqual(await ids({ q: 'attention networks', mode: 'vector', category: 'astro-ph.CO' }), [], 'the default service has no embedder: keyword only');
    const filtered = (await hybrid.search({ q: 'attention networks', mode: 'vector', category: 'astro-ph.CO' })).results.map((x) => x.paper.id);
    assert.deepEqual(filtered, ['2402.00006'], 'vector hits obey filters');
    const sim = (await hybrid.similar('2402.00001', 3))!.map((x) => x.paper.id);
    assert.ok(!sim.includes('2402.00001') && sim.length === 3);
  });

  test('a new process rebuilds its ANN index from stored vectors without re-embedding', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-ann-'));
    try {
      const file = path.join(dir, 'test.db.test-hash-128.usearch');
      const first = service(ctx.store, new HashEmbedder(128), file);
      await first.index.catchUp();
      assert.ok(fs.existsSync(file), 'the index is saved beside the store');

      for (const f of [undefined, file]) {
        const embedder = new HashEmbedder(128);
        const fresh = service(ctx.store, embedder, f).search;
        const res = await fresh.search({ q: 'lensing halos', mode: 'vector', limit: 1 });
        assert.equal(res.results[0].paper.id, '2402.00006');
        assert.equal(embedder.texts, 1, 'only the query was embedded');
      }

      // Another process embeds a new paper: a running index picks it up from the store.
      const reader = service(ctx.store, new HashEmbedder(128), file).search;
      await reader.search({ q: 'warmup', mode: 'vector' });
      await ctx.store.papers.upsertMany([makePaper({ id: '2402.00012', title: 'Wombat burrow architecture', abstract: 'Cubic droppings.' })]);
      await service(ctx.store, new HashEmbedder(128)).index.catchUp();
      assert.equal((await reader.search({ q: 'wombat burrow', mode: 'vector', limit: 1 })).results[0].paper.id, '2402.00012');

      // A stale or corrupt file is rebuilt from the store.
      fs.writeFileSync(file, 'garbage');
      const healed = service(ctx.store, new HashEmbedder(128), file).search;
      assert.equal((await healed.search({ q: 'wombat burrow', mode: 'vector', limit: 1 })).results[0].paper.id, '2402.00012');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('keepInStep catches up in the background (as serve does), holding the embedding lease meanwhile', async () => {
    // The serving model (a new model's whole space is the re-embed job's: tests/search/embedding-spaces.test.ts).
    const embedder = new HashEmbedder(128);
    const s = service(ctx.store, embedder).index;
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00014', title: 'Axolotl limb regrowth' })]);
    const stop = s.keepInStep(60_000);
    try {
      const want = await ctx.store.papers.count();
      const deadline = Date.now() + 15_000;
      while ((await ctx.store.search.embeddingStats(embedder.id)).count < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await ctx.store.search.embeddingStats(embedder.id)).count, want);
      assert.equal(await ctx.store.search.pendingFullText(), 0);
      // The run releases the lease after its last write: wait for it (a loaded machine can take more
      // than a fixed 100 ms), far less than the lease's 30 minutes, which a lease never released would hold.
      const leaseDeadline = Date.now() + 10_000;
      let acquired = await ctx.store.leases.acquire('search-embed', 'someone-else', 1000);
      while (!acquired && Date.now() < leaseDeadline) {
        await new Promise((r) => setTimeout(r, 50));
        acquired = await ctx.store.leases.acquire('search-embed', 'someone-else', 1000);
      }
      assert.ok(acquired, 'the lease is released after the run');
      await ctx.store.leases.release('search-embed', 'someone-else');
    } finally {
      await stop();
    }
  });

  test('reindex rebuilds the full-text index and every vector', async () => {
    const embedder = new HashEmbedder(128);
    const s = service(ctx.store, embedder).index;
    const r = await s.reindex({ reembed: true });
    const n = await ctx.store.papers.count();
    assert.equal(r.fullText, n);
    assert.equal(r.embedded, n);
    assert.equal(r.vectors, n);
    assert.deepEqual(await ids('"neural radiance fields"'), ['2402.00002']);
  });

  test('reindex puts each vector into the ANN graph once (inserting is most of its cost)', async () => {
    const embedder = new HashEmbedder(128);
    const s = service(ctx.store, embedder).index;
    const upsert = VectorIndex.prototype.upsert;
    let inserted = 0;
    VectorIndex.prototype.upsert = function (items, embeddedAt) {
      inserted += items.length;
      return upsert.call(this, items, embeddedAt);
    };
    try {
      const r = await s.reindex({ reembed: true });
      assert.equal(r.vectors, await ctx.store.papers.count());
      assert.equal(inserted, r.vectors);
    } finally {
      VectorIndex.prototype.upsert = upsert;
    }
  });
});
