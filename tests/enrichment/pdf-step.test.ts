import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { encryptedPdf, makePdf } from '../helpers/pdfs.ts';
import { startArxivPdfServer, type ArxivPdfServer } from '../helpers/arxiv-pdf-server.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { EnrichmentService } from '../../src/services/enrichment/service.ts';

/** Share of clearly dark pixels in an image: text and lines drawn, not a blank page. */
async function darkShare(data: Uint8Array): Promise<number> {
  const img = await loadImage(Buffer.from(data));
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  let dark = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 300) dark++;
  return dark / (px.length / 4);
}

forEachStore('PDF step: thumbnails and first-pages text from a local arXiv', (ctx) => {
  let server: ArxivPdfServer;
  let enrichment: EnrichmentService;
  const CAP = 400_000;

  before(async () => {
    server = await startArxivPdfServer({
      '2502.00001': { kind: 'pdf', bytes: await makePdf([['Deep thumbnails for papers', 'Code: https://github.com/acme/thumbs'], ['Second page text'], ['Third page text'], ['Fourth page, not kept']]) },
      'hep-th/9901001': { kind: 'pdf', bytes: await makePdf([['An old-style identifier']]) },
      '2502.00002': { kind: 'html' },
      '2502.00003': { kind: 'pdf', bytes: encryptedPdf() },
      '2502.00004': { kind: 'huge', bytes: 100 * 1024 * 1024 },
      '2502.00005': { kind: 'chunked', bytes: await makePdf([['padded']], { padBytes: CAP * 2 }) },
      '2502.00007': { kind: 'stall' },
      '2502.00008': { kind: 'redirect', location: 'http://localhost.invalid/elsewhere.pdf' },
      '2502.00009': { kind: 'redirect', location: '/pdf/2502.00001' },
      '2502.00010': { kind: 'pdf', bytes: new TextEncoder().encode('%PDF-1.7\n this is not really a PDF at all') },
      '2502.00011': { kind: 'status', status: 429, headers: { 'retry-after': '120' } },
      '2502.00012': { kind: 'pdf', bytes: await makePdf([['Never fetched: the host asked to wait']]) },
    });
    const config = loadConfig({
      PAPERBOY_DB: 'unused',
      ARXIV_PDF_URL: server.pdfUrl,
      PDF_MAX_BYTES: String(CAP),
      PDF_TIMEOUT_MS: '1500',
      ENRICH_HOST_DELAY_MS: '0',
      ENRICH_MAX_WAIT_MS: '1000',
    });
    enrichment = new EnrichmentService(ctx.store, config, silentLogger);
    const ids = ['2502.00001', 'hep-th/9901001', '2502.00002', '2502.00003', '2502.00004', '2502.00005', '2502.00006', '2502.00007', '2502.00008', '2502.00009', '2502.00010', '2502.00011', '2502.00012'];
    await ctx.store.papers.upsertMany([...ids.map((id, i) => makePaper({ id, publishedAt: id === '2502.00012' ? '2025-01-01' : `2025-02-${String(10 + i).padStart(2, '0')}` })), makePaper({ id: 'local:notes-1', source: 'local' })]);
  });
  after(async () => {
    await enrichment.close();
    await server.close();
  });

  const state = async (id: string) => (await enrichment.states(id)).find((s) => s.step === 'pdf');

  test('a good PDF: two WebP thumbnails of the first page at their widths, and the text of the first three pages', async () => {
    const r = await enrichment.run({ ids: ['2502.00001'], steps: ['pdf'] });
    assert.equal(r.done, 1, JSON.stringify(r));
    const s = await state('2502.00001');
    assert.equal(s?.status, 'done');
    const thumbs = (await enrichment.forPapers(['2502.00001'])).get('2502.00001')?.thumbnails;
    assert.ok(thumbs);
    assert.deepEqual([thumbs.card.width, thumbs.page.width], [320, 900]);
    assert.equal(thumbs.card.height, Math.round((792 / 612) * 320));
    for (const t of [thumbs.card, thumbs.page]) {
      const got = await enrichment.thumbnail(t.hash);
      assert.ok(got);
      assert.equal(got.mime, 'image/webp');
      assert.equal(Buffer.from(got.data).subarray(8, 12).toString('latin1'), 'WEBP');
      const img = await loadImage(Buffer.from(got.data));
      assert.deepEqual([img.width, img.height], [t.width, t.height], 'the stored size is the image size');
      const dark = await darkShare(got.data);
      assert.ok(dark > 0.002 && dark < 0.5, `the page was drawn (dark share ${dark})`);
    }
    const text = await enrichment.pdfText('2502.00001');
    assert.match(text ?? '', /Deep thumbnails for papers/);
    assert.match(text ?? '', /github\.com\/acme\/thumbs/);
    assert.match(text ?? '', /Third page text/);
    assert.doesNotMatch(text ?? '', /Fourth page/, 'only PDF_TEXT_PAGES pages are kept');
  });

  test('an old-style id is fetched at its own path; a redirect within the host is followed', async () => {
    const r = await enrichment.run({ ids: ['hep-th/9901001', '2502.00009'], steps: ['pdf'] });
    assert.equal(r.done, 2, JSON.stringify(await enrichment.states('2502.00009')));
    assert.ok(server.requests.some((q) => q.path === '/pdf/hep-th/9901001'));
    assert.match((await enrichment.pdfText('2502.00009')) ?? '', /Deep thumbnails/);
  });

  const permanent = [
    ['2502.00002', /not a PDF/, 'an HTML page served as a PDF'],
    ['2502.00003', /encrypted/, 'an encrypted PDF'],
    ['2502.00004', /too large \(100\.0 MB/, 'a 100 MB PDF (refused on its Content-Length)'],
    ['2502.00005', /too large \(more than/, 'a PDF over the cap without a Content-Length (cut off while streaming)'],
    ['2502.00006', /not found \(HTTP 404\)/, 'a 404'],
    ['2502.00008', /not the configured PDF host/, 'a redirect to another host'],
    ['2502.00010', /not a readable PDF/, 'a file that starts like a PDF and is not one'],
  ] as const;
  for (const [id, reason, what] of permanent) {
    test(`${what}: failed for good with the reason, no thumbnail, nothing thrown`, async () => {
      const r = await enrichment.run({ ids: [id], steps: ['pdf'] });
      assert.equal(r.failed, 1);
      const s = await state(id);
      assert.equal(s?.status, 'failed');
      assert.match(s?.reason ?? '', reason);
      assert.equal(s?.nextAt, null, 'not retried');
      assert.equal((await enrichment.forPapers([id])).get(id)?.thumbnails ?? null, null);
      assert.equal(await enrichment.pdfText(id), null);
    });
  }

  test('a server that stalls past PDF_TIMEOUT_MS: failed, retried later', async () => {
    const t = Date.now();
    await enrichment.run({ ids: ['2502.00007'], steps: ['pdf'] });
    assert.ok(Date.now() - t < 5000, 'the timeout cut it short');
    const s = await state('2502.00007');
    assert.equal(s?.status, 'failed');
    assert.match(s?.reason ?? '', /longer than 1500 ms/);
    assert.ok(s?.nextAt && Date.parse(s.nextAt) > Date.now(), 'a retry is planned');
    assert.equal(s?.attempts, 1);
  });

  test('a paper from another source is skipped, not fetched', async () => {
    const before = server.requests.length;
    await enrichment.run({ ids: ['local:notes-1'], steps: ['pdf'] });
    assert.equal((await state('local:notes-1'))?.status, 'skipped');
    assert.equal(server.requests.length, before);
  });

  // Runs take papers newest first: 2502.00012 is older, so it comes after the 429.
  test('429 with Retry-After: the paper waits that long, and the host is left alone (the next paper is not fetched)', async () => {
    const before = server.requests.length;
    const r = await enrichment.run({ ids: ['2502.00011', '2502.00012'], steps: ['pdf'] });
    assert.deepEqual([r.failed, r.deferred], [1, 1]);
    assert.equal(server.requests.length, before + 1, 'one request, then the host was left alone');
    const s = await state('2502.00011');
    assert.equal(s?.status, 'failed');
    assert.equal(s?.attempts, 0, 'a rate limit does not count toward giving up');
    const wait = Date.parse(s!.nextAt!) - Date.now();
    assert.ok(wait > 100_000 && wait <= 120_000, `retried after the Retry-After (${wait} ms)`);
    assert.equal(await state('2502.00012'), undefined, 'the deferred paper keeps no state: it is still due');
    // A later run, in this process or another, still respects the wait.
    const again = await enrichment.run({ ids: ['2502.00012'], steps: ['pdf'] });
    assert.equal(again.deferred, 1);
    assert.equal(server.requests.length, before + 1);
  });
});

test('a render over its time budget kills the renderer and says so; the next render gets a fresh renderer', async () => {
  const { PdfRenderPool } = await import('../../src/ingest/pdf/render-pool.ts');
  const opts = { cardWidth: 320, pageWidth: 900, textPages: 3, maxTextChars: 20_000, format: 'webp' as const };
  const pdf = await makePdf([['Budget']]);
  const tight = new PdfRenderPool({ budgetMs: 1 });
  try {
    const r = await tight.render(pdf, opts);
    assert.deepEqual(r.ok ? 'rendered' : r.kind, 'timeout');
  } finally {
    await tight.close();
  }
  const pool = new PdfRenderPool({ budgetMs: 1 });
  try {
    await pool.render(pdf, opts);
    (pool as unknown as { opts: { budgetMs: number } }).opts.budgetMs = 30_000;
    const r = await pool.render(pdf, opts);
    assert.ok(r.ok, 'a fresh renderer renders the next PDF');
  } finally {
    await pool.close();
  }
});
