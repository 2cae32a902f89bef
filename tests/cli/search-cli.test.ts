import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.ts';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

function listing(id: string, title: string, abstract: string, categories = ['cs.LG']) {
  return JSON.stringify({ id, title, authors: ['Grace Hopper'], abstract, categories, primary_category: categories[0], comment: null, listing_date: '2025-03-03', abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}` });
}

forEachStore('CLI search, similar, reindex', (ctx) => {
  let embeddings: EmbeddingsServer;
  let dir: string;
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, PAPERBOY_DB: ctx.opened.location!, LOG_LEVEL: 'silent', SEARCH_EMBEDDER: 'http', EMBEDDINGS_URL: embeddings.url, EMBEDDINGS_MODEL: 'cli-test' };
      execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  before(async (t) => {
    embeddings = await startEmbeddingsServer({ dimensions: 48 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-cli-search-'));
    fs.writeFileSync(
      path.join(dir, 'listing.jsonl'),
      [
        listing('2503.00001', 'Sparse mixture of experts for language models', 'We route tokens to experts to scale language models cheaply.'),
        listing('2503.00002', 'Protein structure prediction with equivariant networks', 'Equivariant graph networks predict protein folds.', ['q-bio.BM']),
        listing('2503.00003', 'Scaling laws for mixture of experts', 'How expert count and tokens trade off in language models.'),
      ].join('\n') + '\n',
    );
    void t;
  });
  after(async () => {
    await embeddings?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('import indexes new papers for search, then search --json finds them', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite has no location another process can open');
    const imp = await run(['import', path.join(dir, 'listing.jsonl')]);
    assert.equal(imp.code, 0, imp.stderr);
    const r = await run(['search', '"mixture of experts" language', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout) as { id: string; highlightedTitle: string }[];
    assert.deepEqual(new Set(hits.map((h) => h.id)), new Set(['2503.00001', '2503.00003']));
    assert.match(hits[0].highlightedTitle, /<mark>/);
    const byCat = JSON.parse((await run(['search', 'networks', '--category', 'q-bio.BM', '--json'])).stdout);
    assert.deepEqual(byCat.map((h: { id: string }) => h.id), ['2503.00002']);
  });

  test('similar --json lists neighbours, not the paper itself', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite has no location another process can open');
    const r = await run(['similar', 'https://arxiv.org/abs/2503.00001', '--json', '--limit', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).map((h: { id: string }) => h.id), ['2503.00003']);
    assert.equal((await run(['similar', '2503.99999'])).code, 1);
  });

  test('reindex rebuilds full text and vectors', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite has no location another process can open');
    const r = await run(['reindex', '--reembed']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /full-text: 3 papers .* embedded: 3 .* vectors in ANN index: 3 \(http:cli-test:48\)/);
    if (ctx.kind === 'sqlite') assert.ok(fs.existsSync(`${ctx.opened.location}.http_cli-test_48.usearch`), 'the ANN index sits beside the database');
    // The "write keyword index files" phase: the rebuilt keyword index, published for every server.
    const v = Number(/published as keyword index v(\d+)/.exec(r.stdout)?.[1]);
    assert.ok(v >= 1, r.stdout);
    assert.equal((await ctx.store.searchIndexFiles.latest('keyword'))?.version, v);
    if (ctx.kind === 'sqlite') assert.ok(fs.readdirSync(`${ctx.opened.location}.search-index`).some((f) => f.startsWith(`keyword-index-v${v}-`)), 'the files sit beside the database');
  });

  test("reindex catches the store's full-text index up; --rebuild-full-text rebuilds it from scratch", async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite has no location another process can open');
    const phrase = async () => JSON.parse((await run(['search', '"equivariant networks"', '--json'])).stdout).map((h: { id: string }) => h.id);
    assert.deepEqual(await phrase(), ['2503.00002']);
    // Its row knocked out of the store's index behind the store's back (phrases are answered there).
    const db = testDb(ctx.store);
    if (ctx.kind === 'sqlite') await sql`delete from papers_fts where rowid = (select rowid from papers where id = '2503.00002')`.execute(db);
    else await sql`delete from paper_search where paper_id = '2503.00002'`.execute(db);
    assert.equal((await run(['reindex'])).code, 0);
    assert.deepEqual(await phrase(), [], 'caught up, not rebuilt');
    const r = await run(['reindex', '--rebuild-full-text']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await phrase(), ['2503.00002'], 'rebuilt');
  });

  test('bad usage exits 2 with a message', async () => {
    for (const args of [['search'], ['search', 'x', '--limit', '0'], ['search', 'x', '--sort', 'best'], ['search', 'x', '--from', 'soon'], ['similar', 'not an id'], ['search', 'x', '--bogus']]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.stderr.length > 0);
    }
  });
});
