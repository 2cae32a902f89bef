import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { makePaper } from '../helpers/papers.ts';
import { makePdf } from '../helpers/pdfs.ts';
import { startArxivPdfServer, type ArxivPdfServer } from '../helpers/arxiv-pdf-server.ts';
import { openStore } from '../../src/store/index.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-enrich-cli-'));
const db = path.join(dir, 'cli.db');

describe('paperboy enrich', () => {
  let arxiv: ArxivPdfServer;
  let env: Record<string, string>;
  before(async () => {
    arxiv = await startArxivPdfServer({
      '2505.00001': { kind: 'pdf', bytes: await makePdf([['One']]) },
      '2505.00002': { kind: 'pdf', bytes: await makePdf([['Two']]) },
    });
    env = { ARXIV_PDF_URL: arxiv.pdfUrl, ENRICH_HOST_DELAY_MS: '0' };
    const opened = await openStore(db);
    await opened.store.papers.upsertMany([
      makePaper({ id: '2505.00001', publishedAt: '2025-05-02' }),
      makePaper({ id: '2505.00002', publishedAt: '2025-05-02' }),
      makePaper({ id: '2505.00003', publishedAt: '2025-05-01' }),
      makePaper({ id: '2401.00009', publishedAt: '2024-01-01' }),
    ]);
    await opened.close();
  });
  after(async () => {
    await arxiv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('bad flags are usage errors (exit 2) naming what is wrong', async () => {
    for (const [args, msg] of [
      [['--since', 'yesterday'], /--since must be a day/],
      [['--step', 'nope', '--id', '2505.00001'], /no enrichment step named nope \(steps: pdf/],
      [['--force'], /--force re-runs done steps: give --id or --since/],
    ] as const) {
      const r = await runCli(['enrich', ...args, '--db', db], env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, msg);
    }
  });

  test('--since enriches the papers since that day; failures are reported with their reason, in log lines off a terminal', async () => {
    const r = await runCli(['enrich', '--since', '2025-05-01', '--db', db], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /enrich done: pdf: 2 done, 1 failed, 0 skipped/);
    assert.match(r.stderr, /pdf 2505\.00003: PDF not found \(HTTP 404\)/);
    assert.ok(!arxiv.requests.some((q) => q.path.includes('2401.00009')), 'the older paper was left alone');
    const again = await runCli(['enrich', '--since', '2025-05-01', '--db', db], env);
    assert.match(again.stdout, /pdf: 0 done, 0 failed/, 'done once, the 404 not retried');
  });

  test('--id with --force re-runs one paper; the run is recorded', async () => {
    const before = arxiv.requests.length;
    const r = await runCli(['enrich', '--id', '2505.00001', '--force', '--db', db], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pdf: 1 done/);
    assert.equal(arxiv.requests.length, before + 1);
    const opened = await openStore(db);
    try {
      const run = await opened.store.runs.last('enrich');
      assert.equal(run?.status, 'succeeded');
    } finally {
      await opened.close();
    }
  });
});
