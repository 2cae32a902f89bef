/**
 * Worker thread that turns a PDF into first-page thumbnails and the text of its first pages, with
 * pdf.js (legacy build, pure JavaScript) drawing on @napi-rs/canvas (Skia, shipped as an npm
 * binary): no system packages. It runs apart from the event loop that answers requests; the pool
 * (`render-pool.ts`) stops it when a render overruns its time budget.
 *
 * Bundled by esbuild into one script; pdf.js and the canvas are loaded from the paths the pool
 * resolved (`workerData`), so the bundle stays small and they are loaded as the packages ship them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';

export interface RenderRequest {
  id: number;
  bytes: Uint8Array;
  /** Widths in pixels of the two images. */
  cardWidth: number;
  pageWidth: number;
  /** Pages whose text is kept, from the first. */
  textPages: number;
  maxTextChars: number;
  format: 'webp' | 'png';
}

export interface RenderedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export type RenderResponse =
  | { id: number; ok: true; card: RenderedImage; page: RenderedImage; text: string; pages: number; ms: number }
  | { id: number; ok: false; kind: 'encrypted' | 'invalid' | 'error'; message: string };

export interface RenderWorkerData {
  /** file: URL of pdfjs-dist's legacy build. */
  pdfjsUrl: string;
  /** A file inside the app, to resolve @napi-rs/canvas from. */
  requireFrom: string;
  /** Directories (with a trailing slash) of pdf.js's standard fonts, CMaps, wasm decoders and ICC profiles. */
  standardFontDataUrl: string;
  cMapUrl: string;
  wasmUrl: string;
  iccUrl: string;
}

/** Tallest image, as a multiple of its width: an absurd page shape cannot make a huge canvas. */
const MAX_ASPECT = 1.6;

const data = workerData as RenderWorkerData;
type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type Canvas = typeof import('@napi-rs/canvas');
let libs: Promise<{ pdfjs: PdfJs; canvas: Canvas }> | null = null;
const load = () => (libs ??= (async () => ({ pdfjs: (await import(data.pdfjsUrl)) as PdfJs, canvas: createRequire(data.requireFrom)('@napi-rs/canvas') as Canvas }))());

async function render(req: RenderRequest): Promise<RenderResponse> {
  const started = performance.now();
  const { pdfjs, canvas } = await load();
  const task = pdfjs.getDocument({
    data: req.bytes,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: data.standardFontDataUrl,
    cMapUrl: data.cMapUrl,
    cMapPacked: true,
    wasmUrl: data.wasmUrl,
    iccUrl: data.iccUrl,
    // Images larger than this many pixels are skipped rather than decoded (memory bombs).
    maxImageSize: 64 * 1024 * 1024,
    verbosity: 0,
  });
  let doc: Awaited<typeof task.promise> | null = null;
  try {
    doc = await task.promise;
    const first = await doc.getPage(1);
    const base = first.getViewport({ scale: 1 });
    const scale = req.pageWidth / base.width;
    const viewport = first.getViewport({ scale });
    const width = req.pageWidth;
    const height = Math.max(1, Math.min(Math.round(viewport.height), Math.round(width * MAX_ASPECT)));
    const pageCanvas = canvas.createCanvas(width, height);
    const ctx = pageCanvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    await first.render({ canvas: pageCanvas as unknown as HTMLCanvasElement, canvasContext: ctx as unknown as CanvasRenderingContext2D, viewport }).promise;
    const cardHeight = Math.max(1, Math.round((height * req.cardWidth) / width));
    const cardCanvas = canvas.createCanvas(req.cardWidth, cardHeight);
    const cctx = cardCanvas.getContext('2d');
    cctx.imageSmoothingEnabled = true;
    cctx.imageSmoothingQuality = 'high';
    cctx.drawImage(pageCanvas, 0, 0, req.cardWidth, cardHeight);
    const encode = (c: import('@napi-rs/canvas').Canvas) => (req.format === 'png' ? c.encode('png') : c.encode('webp', 80));
    const [pageBytes, cardBytes] = await Promise.all([encode(pageCanvas), encode(cardCanvas)]);

    const parts: string[] = [];
    let chars = 0;
    for (let n = 1; n <= Math.min(req.textPages, doc.numPages) && chars < req.maxTextChars; n++) {
      const page = n === 1 ? first : await doc.getPage(n);
      const content = await page.getTextContent();
      const text = content.items
        .map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : ''))
        .join('')
        .replace(/[ \t]+/g, ' ')
        .trim();
      parts.push(text);
      chars += text.length;
      page.cleanup();
    }
    return {
      id: req.id,
      ok: true,
      card: { data: new Uint8Array(cardBytes), width: req.cardWidth, height: cardHeight },
      page: { data: new Uint8Array(pageBytes), width, height },
      text: parts.join('\n\n').slice(0, req.maxTextChars),
      pages: doc.numPages,
      ms: performance.now() - started,
    };
  } catch (err) {
    const e = err as Error;
    if (e?.name === 'PasswordException') return { id: req.id, ok: false, kind: 'encrypted', message: 'the PDF is encrypted (it needs a password)' };
    if (e?.name === 'InvalidPDFException' || e?.name === 'FormatError') return { id: req.id, ok: false, kind: 'invalid', message: `not a readable PDF: ${e.message}` };
    return { id: req.id, ok: false, kind: 'error', message: `rendering failed: ${e?.message ?? String(err)}` };
  } finally {
    await (doc ?? task).destroy().catch(() => {});
  }
}

parentPort?.on('message', (req: RenderRequest) => {
  render(req).then(
    (res) => {
      const transfer = res.ok ? [res.card.data.buffer as ArrayBuffer, res.page.data.buffer as ArrayBuffer] : [];
      parentPort!.postMessage(res, transfer);
    },
    (err: Error) => parentPort!.postMessage({ id: req.id, ok: false, kind: 'error', message: err?.message ?? String(err) } satisfies RenderResponse),
  );
});
