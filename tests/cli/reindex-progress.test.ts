import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

const ABSTRACTS = [
  'Graph neural networks predict molecular properties from atoms and bonds of molecules.',
  'Message passing graph networks on molecules estimate solubility and toxicity.',
  'Graph convolution learns representations of molecules for drug discovery.',
  'Dark matter halos in galaxy clusters measured with weak gravitational lensing.',
  'Dark matter halos grow and galaxy clusters form inside them in simulations.',
  'Galaxy cluster masses from lensing constrain dark matter and cosmology.',
  'Reinforcement learning from human feedback aligns language models with preferences.',
  'A reward model from human preferences guides reinforcement learning of language models.',
  'Preference optimization aligns language models without a reward model from human feedback.',
  'Pruning large language models removes redundant weights to reduce memory.',
  'Pruning and sparsity compress large language models with little accuracy loss.',
  'Quantization and pruning make large language models smaller and faster.',
];

/** The twelve papers as one arXiv listing file in a new directory. */
function listingFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-reindex-'));
  const file = path.join(dir, 'listing.jsonl');
  fs.writeFileSync(
    file,
    ABSTRACTS.map((a, i) => {
      const id = `2503.${String(i + 1).padStart(5, '0')}`;
      return JSON.stringify({ id, title: a.split(' ').slice(0, 6).join(' '), authors: ['Ada Lovelace'], abstract: a, categories: ['cs.LG'], primary_category: 'cs.LG', comment: null, listing_date: '2025-03-03', abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}` });
    }).join('\n') + '\n',
  );
  return { dir, file };
}

/** `paperboy <args>` on this store with the offline embedder configured. */
function cli(location: string) {
  return (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, PAPERBOY_DB: location, LOG_LEVEL: 'silent', SEARCH_EMBEDDER: 'local' };
      execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
}

forEachStore('paperboy reindex --keyword-only', (ctx) => {
  test('the keyword index alone is rebuilt and published: no model trained, no paper embedded', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite has no location another process can open');
    const { dir, file } = listingFile();
    const run = cli(ctx.opened.location);
    try {
      assert.equal((await run(['import', file, '--quiet'])).code, 0);
      assert.equal((await run(['reindex', '--keyword-only', '--reembed'])).code, 2, 'it cannot re-embed');
      const r = await run(['reindex', '--keyword-only']);
      assert.equal(r.code, 0, r.stderr);
      // The For-you features too: they depend on no model, and without their file every server built them at start.
      assert.match(r.stdout, /^full-text: 12 papers \(bm25-maxscore, published as keyword index v1\) \/ For-you features published as v1 \/ keyword only: /);
      const phases = r.stderr.trim().split('\n').map((l) => /^(.+): (\d+)\/(\d+) in \d+\.\d s/.exec(l)?.[1]);
      assert.deepEqual(phases, ['full-text', 'write keyword index files', 'write For-you features file'], r.stderr);
      const db = testDb(ctx.store);
      assert.equal(Number((await db.selectFrom('paper_embeddings').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing embedded');
      assert.equal(Number((await db.selectFrom('search_models').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'no model trained');
      // Keyword search answers without a model: the three pruning papers.
      const hits = JSON.parse((await run(['search', 'pruning', '--json'])).stdout) as { id: string }[];
      assert.equal(hits.length, 3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

forEachStore('paperboy reindex output off a terminal', (ctx) => {
  test('the offline model is trained and every paper embedded, with one line per phase on stderr', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite has no location another process can open');
    const { dir, file } = listingFile();
    const run = cli(ctx.opened.location);
    try {
      const imported = await run(['import', file, '--quiet']);
      assert.equal(imported.code, 0, imported.stderr);
      const r = await run(['reindex']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /full-text: 12 papers .* embedded: 12 .* vectors in ANN index: 12 \(local-lsa-/);
      // Not a terminal: no bars, a line per phase (training and the full-text rebuild overlap: any order between them).
      const phases = r.stderr
        .trim()
        .split('\n')
        .map((l) => /^(.+): (\d+)\/(\d+) in \d+\.\d s/.exec(l));
      assert.ok(phases.every(Boolean), r.stderr);
      assert.deepEqual(phases.map((m) => m![1]).sort(), ['analyse a sample', 'embed + ANN index', 'full-text', 'latent space (SVD steps)', 'read papers', 'write For-you features file', 'write keyword index files']);
      for (const m of phases) assert.equal(m![2], m![3], m![0]);
      // The index files are written one after the other once the full-text work is done: while the
      // model still trains (this thread would only wait for it; the training's lines may come between)
      // or, when training was done first, last — never while the papers are embedded.
      const order = phases.map((m) => m![1]);
      const keyword = order.indexOf('write keyword index files');
      const forYou = order.indexOf('write For-you features file');
      const embed = order.indexOf('embed + ANN index');
      assert.ok(order.indexOf('full-text') < keyword && keyword < forYou, r.stderr);
      assert.ok(forYou < embed || keyword > embed, r.stderr);
      // The listing's day is a feed day: its 12 papers are the For-you features published.
      assert.match(r.stdout, / \/ For-you features published as v1 \/ /);
      // The similar-papers lists are left to the background job unless asked for (they cost 13x the
      // rest of a reindex at 75k papers); asked for, every paper gets its list.
      assert.match(r.stdout, / \/ similar-papers lists: left to the background job \/ /);
      const lists = async () => Number((await sql<{ n: number }>`select count(*) as n from paper_similar_lists`.execute(testDb(ctx.store))).rows[0].n);
      assert.equal(await lists(), 0);
      assert.equal((await run(['reindex', '--keyword-only', '--similar-lists'])).code, 2, 'keyword only has no vectors to rank from');
      const withLists = await run(['reindex', '--similar-lists']);
      assert.equal(withLists.code, 0, withLists.stderr);
      assert.match(withLists.stdout, / \/ similar-papers lists: 12 \/ /);
      assert.match(withLists.stderr, /^similar-papers lists: 12\/12 in /m);
      assert.equal(await lists(), 12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
