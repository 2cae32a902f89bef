import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../../worker-script.ts';
import type { RenderedImage, RenderRequest, RenderResponse, RenderWorkerData } from './render-worker.ts';

export type RenderResult =
  | { ok: true; card: RenderedImage; page: RenderedImage; text: string; pages: number; ms: number }
  | { ok: false; kind: 'encrypted' | 'invalid' | 'error' | 'timeout'; message: string };

export interface RenderOptions {
  cardWidth: number;
  pageWidth: number;
  textPages: number;
  maxTextChars: number;
  format: 'webp' | 'png';
}

/** The worker as one plain script (`src/worker-script.ts`). */
const bundledWorker = () => workerScript(new URL('./render-worker.ts', import.meta.url), ['pdfjs-dist', '@napi-rs/canvas']);

function workerData(): RenderWorkerData {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve('pdfjs-dist/package.json'));
  const dir = (d: string) => path.join(root, d) + path.sep;
  return {
    pdfjsUrl: pathToFileURL(path.join(root, 'legacy/build/pdf.mjs')).href,
    requireFrom: fileURLToPath(import.meta.url),
    standardFontDataUrl: dir('standard_fonts'),
    cMapUrl: dir('cmaps'),
    wasmUrl: dir('wasm'),
    iccUrl: dir('iccs'),
  };
}

interface Slot {
  worker: Worker | null;
  busy: boolean;
}

/**
 * Renders PDFs in worker threads, one PDF per worker at a time, each within a time budget: a worker
 * that overruns it (a PDF built to take forever) is terminated and replaced, so one bad file costs
 * one budget and nothing else. Workers start on first use and stop after `idleMs` without work.
 */
export class PdfRenderPool {
  private readonly slots: Slot[];
  private readonly waiting: Array<() => void> = [];
  private nextId = 0;
  private readonly idleTimers = new Map<Slot, NodeJS.Timeout>();

  constructor(private readonly opts: { size?: number; budgetMs: number; idleMs?: number }) {
    this.slots = Array.from({ length: Math.max(1, opts.size ?? 1) }, () => ({ worker: null, busy: false }));
  }

  async render(bytes: Uint8Array, ro: RenderOptions, signal?: AbortSignal): Promise<RenderResult> {
    const slot = await this.acquire(signal);
    try {
      return await this.renderIn(slot, bytes, ro, signal);
    } finally {
      this.release(slot);
    }
  }

  private renderIn(slot: Slot, bytes: Uint8Array, ro: RenderOptions, signal?: AbortSignal): Promise<RenderResult> {
    const worker = (slot.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<RenderResult>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const kill = () => {
        slot.worker = null;
        void worker.terminate();
      };
      const onMessage = (res: RenderResponse) => {
        if (res.id !== id) return;
        finish(() => resolve(res.ok ? { ok: true, card: res.card, page: res.page, text: res.text, pages: res.pages, ms: res.ms } : { ok: false, kind: res.kind, message: res.message }));
      };
      const onError = (err: Error) => {
        kill();
        finish(() => resolve({ ok: false, kind: 'error', message: `render worker failed: ${err.message}` }));
      };
      const onExit = () => {
        slot.worker = null;
        finish(() => resolve({ ok: false, kind: 'error', message: 'render worker exited' }));
      };
      const onAbort = () => {
        kill();
        finish(() => reject(signal!.reason ?? new Error('aborted')));
      };
      const timer = setTimeout(() => {
        kill();
        finish(() => resolve({ ok: false, kind: 'timeout', message: `rendering took longer than ${this.opts.budgetMs} ms` }));
      }, this.opts.budgetMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      // A copy is sent (the caller may still need the bytes); the images come back transferred.
      const req: RenderRequest = { id, bytes, ...ro };
      worker.postMessage(req);
    });
  }

  private spawn(): Worker {
    const w = new Worker(bundledWorker(), { eval: true, workerData: workerData() });
    w.unref();
    return w;
  }

  private async acquire(signal?: AbortSignal): Promise<Slot> {
    for (;;) {
      signal?.throwIfAborted();
      const free = this.slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        const t = this.idleTimers.get(free);
        if (t) clearTimeout(t);
        return free;
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(slot: Slot): void {
    slot.busy = false;
    const idle = setTimeout(() => {
      if (!slot.busy && slot.worker) {
        void slot.worker.terminate();
        slot.worker = null;
      }
    }, this.opts.idleMs ?? 30_000);
    idle.unref();
    this.idleTimers.set(slot, idle);
    this.waiting.shift()?.();
  }

  async close(): Promise<void> {
    for (const t of this.idleTimers.values()) clearTimeout(t);
    await Promise.all(this.slots.map((s) => s.worker?.terminate()));
    for (const s of this.slots) s.worker = null;
  }
}
