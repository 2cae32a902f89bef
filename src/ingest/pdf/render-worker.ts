/**
 * Child process that turns a PDF into first-page thumbnails and the text of its first pages, with
 * pdf.js (legacy build, pure JavaScript) drawing on @napi-rs/canvas (Skia, shipped as an npm
 * binary): no system packages. It is a process of its own, not a worker thread: a native crash in
 * the canvas or a PDF that eats memory takes down this process only, and the pool
 * (`render-pool.ts`) records the paper as failed and starts another. The pool also stops it when a
 * render overruns its time budget; it stops itself when its resident memory passes the cap it was
 * given (`maxRssMb`), and V8's heap is capped by the pool's `--max-old-space-size`.
 *
 * Bundled by esbuild into one script; pdf.js and the canvas are loaded from the paths the pool
 * resolved (`RenderWorkerData`, the first argument), so the bundle stays small and they are loaded
 * as the packages ship them. Requests and answers travel over the IPC channel (`advanced`
 * serialisation, so the bytes travel as bytes).
 */
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

export type RenderResponse = (
  | { id: number; ok: true; card: RenderedImage; page: RenderedImage; text: string; pages: number; ms: number }
  | { id: number; ok: false; kind: 'encrypted' | 'invalid' | 'error' | 'memory'; message: string }
) & {
  /** This process's CPU time so far (user + system, microseconds), for the pool's CPU account. */
  cpuMicros: number;
};

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
  /** Resident memory (MB) past which the process gives up on the PDF and exits. */
  maxRssMb: number;
}

/** Tallest image, as a multiple of its width: an absurd page shape cannot make a huge canvas. */
const MAX_ASPECT = 1.6;

const data = JSON.parse(process.argv[2] ?? '{}') as RenderWorkerData;
type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type Canvas = typeof import('@napi-rs/canvas');
let libs: Promise<{ pdfjs: PdfJs; canvas: Canvas }> | null = null;
const load = () => (libs ??= (async () => ({ pdfjs: (await import(data.pdfjsUrl)) as PdfJs, canvas: createRequire(data.requireFrom)('@napi-rs/canvas') as Canvas }))());

type Answer = RenderResponse extends infer R ? (R extends unknown ? Omit<R, 'cpuMicros'> : never) : never;

async function render(req: RenderRequest): Promise<Answer> {
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

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Checked while a PDF renders: a PDF that makes pdf.js or the canvas hold too much ends here. */
function watchMemory(id: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss() / 1048576;
    if (rss <= data.maxRssMb) return;
    clearInterval(timer);
    const res: RenderResponse = { id, ok: false, kind: 'memory', message: `rendering used more than ${data.maxRssMb} MB of memory (${Math.round(rss)} MB)`, cpuMicros: cpuMicros() };
    process.send!(res, () => process.exit(75));
  }, 50);
  return timer;
}

process.on('message', (req: RenderRequest) => {
  const watch = watchMemory(req.id);
  render(req).then(
    (res) => {
      clearInterval(watch);
      process.send!({ ...res, cpuMicros: cpuMicros() } satisfies RenderResponse);
    },
    (err: Error) => {
      clearInterval(watch);
      process.send!({ id: req.id, ok: false, kind: 'error', message: err?.message ?? String(err), cpuMicros: cpuMicros() } satisfies RenderResponse);
    },
  );
});
// The pool went away (it closed, or its process died): nothing is left to render for.
process.on('disconnect', () => process.exit(0));
