import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { buildTinyBert } from '../helpers/tiny-bert.ts';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

function listing(id: string, title: string, abstract: string) {
  return JSON.stringify({ id, title, authors: ['Ada Lovelace'], abstract, categories: ['cs.LG'], primary_category: 'cs.LG', comment: null, listing_date: '2025-03-03', abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}` });
}

// The served path end to end: `paperboy reindex` embeds the store's papers with SEARCH_EMBEDDER=onnx
// (the tiny model from a local directory), and vector search answers from those vectors.
forEachStore('SEARCH_EMBEDDER=onnx through reindex and search', (ctx) => {
  let dir: string;
  let model: string;
  const run = (args: string[], extra: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, PAPERBOY_DB: ctx.opened.location!, LOG_LEVEL: 'silent', SEARCH_EMBEDDER: 'onnx', EMBEDDINGS_MODEL: model, ...extra };
      execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  before(async () => {
    model = (await buildTinyBert()).dir;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-onnx-cli-'));
    fs.writeFileSync(
      path.join(dir, 'listing.jsonl'),
      [
        listing('2503.00011', 'Sparse mixture of experts for language models', 'We route tokens to experts to scale language models cheaply.'),
        listing('2503.00012', 'Protein structure prediction with equivariant networks', 'Equivariant graph networks predict protein folds.'),
        listing('2503.00013', 'Scaling laws for mixture of experts', 'How expert count and tokens trade off in language models.'),
      ].join('\n') + '\n',
    );
  });
  after(() => {
    for (const d of [dir, model]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  test('reindex embeds every paper with the model; vector search and similar answer from its vectors', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite has no location another process can open');
    assert.equal((await run(['import', path.join(dir, 'listing.jsonl')])).code, 0);
    const r = await run(['reindex', '--reembed']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /embedded: 3 \/ vectors in ANN index: 3 \(onnx:paperboy-tiny-bert-\w+@[0-9a-f]{12}\)/);
    // The query is embedded by a fresh process that first loads the model: on a loaded machine that
    // took longer than the default budget (1.5 s) and the search fell back to keyword results. The
    // budget is lifted here, and the log must show no fallback: the answer comes from the vectors.
    const vector = await run(['search', 'mixture of experts language models', '--mode', 'vector', '--json'], { SEARCH_EMBED_BUDGET_MS: '120000', LOG_LEVEL: 'warn' });
    assert.equal(vector.code, 0, vector.stderr);
    assert.doesNotMatch(vector.stderr, /semantic search unavailable|keyword results/, 'answered from the vectors, not the keyword fallback');
    const hits = JSON.parse(vector.stdout) as { id: string }[];
    assert.equal(hits.length, 3);
    assert.ok(hits[0].id !== '2503.00012', 'the protein paper is not the nearest to a mixture-of-experts query');
    const similar = await run(['similar', '2503.00011', '--json', '--limit', '1']);
    assert.deepEqual(JSON.parse(similar.stdout).map((h: { id: string }) => h.id), ['2503.00013']);
    // A model that is not there: search still answers (keyword only), the reason is logged.
    const missing = await run(['search', 'mixture of experts', '--json'], { EMBEDDINGS_MODEL: 'nobody/not-pulled', LOG_LEVEL: 'warn' });
    assert.equal(missing.code, 0, missing.stderr);
    assert.ok((JSON.parse(missing.stdout) as unknown[]).length >= 2);
    assert.match(missing.stdout + missing.stderr, /paperboy models pull nobody\/not-pulled/);
  });
});
