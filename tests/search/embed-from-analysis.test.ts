import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { LocalEmbedder, paperText, termVectorToBytes } from '../../src/search/local-embedder.ts';
import { LOCAL_MODEL_NAME } from '../../src/search/local-embedder-provider.ts';
import { vectorToBytes } from '../../src/store/search.ts';
import { testDb } from '../helpers/stores.ts';
import { loadCorpus } from './fixtures.ts';

/**
 * `paperboy reindex` embeds each paper from the keyword build's analysis of its title and abstract
 * (stem ids, `AnalysedTexts`), not from a second scan of its text. The vectors and term vectors it
 * stores must be those of the text itself, bit for bit: texts whose words only the analyser's
 * details find (NFKC, a final sigma, a word too long to index, stopwords and word pairs across the
 * title's end, a word outside the model's vocabulary inside a pair), a paper with PDF text (not part of what is embedded), a hidden paper (not in the
 * keyword index: embedded from its text), and a paper whose text changed after the keyword build
 * (its stale analysis must not be used).
 */
const LONG = 'x'.repeat(41);
const TRICKY = [
  { title: 'Sparse attention for long documents of the', abstract: 'Attention heads prune tokens; sparse attention keeps the ﬁne structure of long documents.' },
  { title: 'Learning sparse', abstract: 'attention patterns with ﬁne-tuning on Ｆｕｌｌｗｉｄｔｈ benchmarks and long documents.' },
  { title: 'ΣΟΦΊΑΣ: sparse', abstract: `attention ${LONG} in long documents, ﬁne grained and sparse.` },
  { title: 'Routing with sparse', abstract: 'attention and ΣΟΦΊΑΣ over long documents: the ﬁne print of sparse attention.' },
  { title: 'Why sparse', abstract: 'Attention of the model matters for long documents (ﬁne, sparse).' },
  // "qwzlorp" is in no other paper: a word the keyword index has and the model does not, between the two words of a pair.
  { title: 'Sparse attention, again', abstract: 'The sparse attention of long documents, with 2048 tokens, sparse qwzlorp attention and ﬁne-grained routing.' },
];
const ids = TRICKY.map((_, i) => `2403.${String(i + 1).padStart(5, '0')}`);
const WITH_PDF = ids[0];
const CHANGED = ids[1];
const HIDDEN = '2402.00008';

forEachStore('reindex embeds from the keyword build analysis', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');

  before(async () => {
    await loadCorpus(ctx.store);
    await ctx.store.papers.upsertMany(TRICKY.map((t, i) => makePaper({ id: ids[i], ...t })));
    await ctx.store.enrichment.savePdf(WITH_PDF, { text: 'Sparse attention in long documents, sparse attention heads and ﬁne routing.', pages: 1, thumbnails: [] });
  });

  test('the stored vectors and term vectors are those of each paper’s text, bit for bit; a paper changed since the keyword build is embedded from its new text', async () => {
    await embedderProvider('local')!.train!({ config, store: ctx.store, logger });
    const stored = await ctx.store.search.loadModel(LOCAL_MODEL_NAME);
    const model = LocalEmbedder.fromBuffer(stored!.data);
    const services = createServices({ config, logger, store: ctx.store });
    const indexed = await services.searchIndex.rebuildFullText({ storeIndex: 'catch-up', keepAnalysis: true });
    // Changed after the keyword build: the analysis the build kept is of its old text.
    const old = (await ctx.store.papers.get(CHANGED))!;
    const oldText = paperText(old);
    await ctx.store.papers.upsertMany([makePaper({ id: CHANGED, title: 'Galaxy clusters and dark matter', abstract: 'Weak lensing of galaxy clusters measures dark matter halos.' })]);

    const r = await services.searchIndex.reindex({ fullText: false });
    const all = await ctx.store.papers.textsById(1000);
    const hidden = await ctx.store.papers.get(HIDDEN);
    const papers = [...all, ...(hidden && !all.some((p) => p.id === HIDDEN) ? [hidden] : [])];
    assert.equal(r.embedded, (await ctx.store.papers.count()), 'every paper embedded');
    // The visible papers but the changed one came from the analysis (a reindex that analysed every text again would give 0).
    assert.equal(r.fromAnalysis, indexed - 1, `${r.fromAnalysis} of ${indexed} indexed papers embedded from the analysis`);

    const db = testDb(ctx.store);
    const vectors = new Map((await db.selectFrom('paper_embeddings').select(['paper_id', 'vector', 'content_hash']).where('embedder_id', '=', model.id).execute()).map((x) => [x.paper_id, x]));
    const terms = new Map((await db.selectFrom('paper_term_vectors').select(['paper_id', 'terms']).where('embedder_id', '=', model.id).execute()).map((x) => [x.paper_id, x.terms]));
    for (const p of papers) {
      const want = model.embedOneWithTerms(paperText(p));
      const row = vectors.get(p.id);
      assert.ok(row, `${p.id} has a vector`);
      assert.deepEqual(Buffer.from(row.vector), Buffer.from(vectorToBytes(want.vector)), `${p.id}: the vector of its text`);
      const t = terms.get(p.id);
      assert.ok(t, `${p.id} has a term vector`);
      assert.deepEqual(Buffer.from(t), Buffer.from(termVectorToBytes(want.terms)), `${p.id}: the term vector of its text`);
    }
    // The changed paper's old and new texts embed apart, so the check above tells which one was used.
    assert.notDeepEqual([...model.embedOne(oldText)], [...model.embedOne(paperText((await ctx.store.papers.get(CHANGED))!))]);
    assert.equal(services.searchIndex.engineName, 'bm25-maxscore');
  });
});

test('paperboy reindex embeds every paper from the keyword build’s analysis (the CLI asks the rebuild to keep it)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-analysis-'));
  try {
    const file = path.join(dir, 'listing.jsonl');
    const abstracts = [...TRICKY.map((t) => t.abstract), ...TRICKY.map((t) => `${t.abstract} Again, sparse routing.`)];
    fs.writeFileSync(
      file,
      abstracts
        .map((a, i) => {
          const id = `2503.${String(i + 1).padStart(5, '0')}`;
          return JSON.stringify({ id, title: TRICKY[i % TRICKY.length].title, authors: ['Ada Lovelace'], abstract: a, categories: ['cs.LG'], primary_category: 'cs.LG', comment: null, listing_date: '2025-03-03', abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}` });
        })
        .join('\n') + '\n',
    );
    const env = { ...process.env, PAPERBOY_DB: path.join(dir, 'paperboy.db'), LOG_LEVEL: 'info', SEARCH_EMBEDDER: 'local' };
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../../src/cli/main.ts'), ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout + stderr))),
      );
    await run(['import', file, '--quiet']);
    const out = await run(['reindex', '--quiet']);
    const line = out.split('\n').find((l) => l.includes('fromAnalysis'));
    assert.ok(line, `a log line says how many papers were embedded from the analysis:\n${out}`);
    const logged = JSON.parse(line) as { embedded: number; fromAnalysis: number };
    assert.equal(logged.embedded, abstracts.length);
    assert.equal(logged.fromAnalysis, abstracts.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
