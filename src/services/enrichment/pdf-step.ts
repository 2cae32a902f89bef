import { createHash } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Store } from '../../store/store.ts';
import type { Paper } from '../../domain/paper.ts';
import { storableText } from '../../domain/enrichment.ts';
import { fetchPdf } from '../../ingest/pdf/fetch-pdf.ts';
import type { PdfRenderPool, RenderOptions } from '../../ingest/pdf/render-pool.ts';
import type { EnrichmentStep, StepOutcome } from './step.ts';

/** Pixel widths of the two thumbnails: a feed card shows 160 CSS px (320 for sharp screens), the paper page 450 (900). */
export const CARD_WIDTH = 320;
export const PAGE_WIDTH = 900;
/** Characters of first-pages text kept per paper (about three pages of a paper). */
export const MAX_PDF_TEXT = 20_000;

/** The content address of a thumbnail: 128 bits of SHA-256 over its bytes. */
export const thumbnailHash = (data: Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 32);

export interface PdfStepDeps {
  config: Pick<Config, 'arxivPdfUrl' | 'pdfMaxBytes' | 'pdfTimeoutMs' | 'pdfTextPages'>;
  store: Store;
  renderer: PdfRenderPool;
  fetch?: typeof fetch;
}

/**
 * The `pdf` step: downloads an arXiv paper's PDF from ARXIV_PDF_URL (only that host, within the size
 * cap and timeout), renders its first page as two WebP thumbnails (card and page) in a renderer
 * process, and keeps the text of its first pages. Not a PDF, encrypted, too large, 404: failed for
 * good with the reason; 429/503: retried after the host's Retry-After; a render that overran its
 * time or memory, or a renderer that crashed on the file: failed, retried by the runner's back-off.
 */
export function pdfStep(deps: PdfStepDeps): EnrichmentStep {
  const base = deps.config.arxivPdfUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const renderOptions: RenderOptions = { cardWidth: CARD_WIDTH, pageWidth: PAGE_WIDTH, textPages: deps.config.pdfTextPages, maxTextChars: MAX_PDF_TEXT, format: 'webp' };
  return {
    name: 'pdf',
    version: 1,
    host: new URL(base).host,
    async run(paper: Paper, signal: AbortSignal): Promise<StepOutcome> {
      if (paper.source !== 'arxiv') return { status: 'skipped', reason: `no arXiv PDF for a ${paper.source} paper` };
      const got = await fetchPdf(`${base}/${encodeURI(paper.id)}`, { origin, maxBytes: deps.config.pdfMaxBytes, timeoutMs: deps.config.pdfTimeoutMs, signal, fetch: deps.fetch });
      if (!got.ok) return { status: 'failed', reason: got.reason, permanent: got.permanent || undefined, retryAfterMs: got.retryAfterMs };
      const r = await deps.renderer.render(got.bytes, renderOptions, signal);
      if (!r.ok) {
        // A timeout may be a busy machine, a crash a bad moment; a file pdf.js cannot open will not open next time.
        return { status: 'failed', reason: r.message, permanent: r.kind === 'encrypted' || r.kind === 'invalid' || undefined };
      }
      const mime = 'image/webp';
      await deps.store.enrichment.savePdf(paper.id, {
        text: storableText(r.text, MAX_PDF_TEXT),
        pages: r.pages,
        thumbnails: [
          { size: 'card', hash: thumbnailHash(r.card.data), mime, width: r.card.width, height: r.card.height, data: r.card.data },
          { size: 'page', hash: thumbnailHash(r.page.data), mime, width: r.page.width, height: r.page.height, data: r.page.data },
        ],
      });
      return { status: 'done', detail: `${r.pages} pages, ${(got.bytes.byteLength / 1048576).toFixed(1)} MB, rendered in ${Math.round(r.ms)} ms` };
    },
  };
}
