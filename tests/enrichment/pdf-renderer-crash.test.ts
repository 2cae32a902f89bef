import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { makePdf } from '../helpers/pdfs.ts';
import { startArxivPdfServer, type ArxivPdfServer } from '../helpers/arxiv-pdf-server.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { EnrichmentService } from '../../src/services/enrichment/service.ts';
import { pdfStep } from '../../src/services/enrichment/pdf-step.ts';
import { PdfRenderPool } from '../../src/ingest/pdf/render-pool.ts';

/**
 * The renderer is a child process: when it dies in the middle of a PDF (a native crash in the
 * canvas is a SIGSEGV; the kernel's out-of-memory killer a SIGKILL), that paper's pdf step fails
 * with the reason and is retried later, the run carries on with the next paper, and this process —
 * the server, in production — stays up.
 */
forEachStore('PDF renderer crashes: the paper fails, the run carries on', (ctx) => {
  let server: ArxivPdfServer;
  let enrichment: EnrichmentService;
  let renderer!: PdfRenderPool;
  const RETRY_MS = 1500;

  before(async () => {
    const pdf = (title: string) => makePdf([[title], ['Second page']]);
    server = await startArxivPdfServer({
      '2503.00002': { kind: 'pdf', bytes: await pdf('Crashes the renderer (SIGSEGV)') },
      '2503.00001': { kind: 'pdf', bytes: await pdf('Rendered after the crash') },
      '2503.00004': { kind: 'pdf', bytes: await pdf('Killed (SIGKILL)') },
      '2503.00003': { kind: 'pdf', bytes: await pdf('Rendered after the kill') },
    });
    const config = loadConfig({
      PAPERBOY_DB: 'unused',
      ARXIV_PDF_URL: server.pdfUrl,
      ENRICH_HOST_DELAY_MS: '0',
      ENRICH_RETRY_BASE_MS: String(RETRY_MS),
    });
    enrichment = new EnrichmentService(ctx.store, config, silentLogger, {
      steps: (pool) => {
        renderer = pool;
        return [pdfStep({ config, store: ctx.store, renderer: pool })];
      },
    });
    await ctx.store.papers.upsertMany(['2503.00001', '2503.00002', '2503.00003', '2503.00004'].map((id, i) => makePaper({ id, publishedAt: `2025-03-0${i + 1}` })));
  });
  after(async () => {
    await enrichment.close();
    await server.close();
  });

  const state = async (id: string) => (await enrichment.states(id)).find((s) => s.step === 'pdf');

  /** Kills the first renderer seen working (the run takes the newest paper first). */
  async function killMidRender(signal: NodeJS.Signals): Promise<number> {
    for (let i = 0; i < 2000; i++) {
      const [pid] = renderer.activePids();
      if (pid !== undefined) {
        process.kill(pid, signal);
        return pid;
      }
      await sleep(5);
    }
    throw new Error('no render started');
  }

  for (const [signal, crashed, next] of [
    ['SIGSEGV', '2503.00002', '2503.00001'],
    ['SIGKILL', '2503.00004', '2503.00003'],
  ] as const) {
    test(`a renderer ${signal === 'SIGSEGV' ? 'crashing' : 'killed'} mid-render (${signal}): that paper fails with the reason and is retried later; the next paper is rendered`, async () => {
      const run = enrichment.run({ ids: [crashed, next] });
      const pid = await killMidRender(signal);
      const report = await run;
      assert.deepEqual([report.done, report.failed], [1, 1], JSON.stringify(report));
      const s = await state(crashed);
      assert.equal(s?.status, 'failed');
      assert.match(s?.reason ?? '', new RegExp(`renderer was killed by ${signal}`));
      assert.equal(s?.attempts, 1);
      assert.ok(s?.nextAt, 'a retry is planned');
      assert.ok(Date.parse(s.nextAt) - Date.parse(s.updatedAt) >= RETRY_MS / 2, `after the back-off (${s.nextAt} after ${s.updatedAt})`);
      assert.equal((await state(next))?.status, 'done');
      assert.equal(Boolean((await enrichment.forPapers([next])).get(next)?.thumbnails), true, 'the next paper has its thumbnails');
      assert.throws(() => process.kill(pid, 0), 'the crashed renderer is gone');

      // The back-off's time comes: the same paper renders in a fresh renderer.
      await sleep(Math.max(0, Date.parse(s.nextAt) - Date.now()) + 50);
      const again = await enrichment.run({ ids: [crashed] });
      assert.equal(again.done, 1, JSON.stringify(await state(crashed)));
      assert.match((await enrichment.pdfText(crashed)) ?? '', /Second page/);
    });
  }
});

const OPTS = { cardWidth: 320, pageWidth: 900, textPages: 3, maxTextChars: 20_000, format: 'webp' as const };

test('a render over the memory cap stops its renderer and says so; the pool carries on with a fresh one', async () => {
  const pdf = await makePdf([['Memory']]);
  // Loading pdf.js alone takes a renderer past 1 MB: every render here meets the cap.
  const pool = new PdfRenderPool({ budgetMs: 60_000, maxRssMb: 1 });
  try {
    const r = await pool.render(pdf, OPTS);
    assert.equal(r.ok ? 'rendered' : r.kind, 'memory');
    assert.match(r.ok ? '' : r.message, /more than 1 MB of memory/);
    const again = await pool.render(pdf, OPTS);
    assert.equal(again.ok ? 'rendered' : again.kind, 'memory', 'a fresh renderer, held to the same cap');
  } finally {
    await pool.close();
  }
  const roomy = new PdfRenderPool({ budgetMs: 60_000 });
  try {
    const r = await roomy.render(pdf, OPTS);
    assert.ok(r.ok, 'within the default cap the same PDF renders');
    assert.ok(roomy.cpuMs() > 0, "the renderer's CPU time is accounted");
  } finally {
    await roomy.close();
  }
});
