import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { fork, type ChildProcess } from 'node:child_process';
import { workerScriptFile } from '../../worker-script.ts';
import type { RenderedImage, RenderRequest, RenderResponse, RenderWorkerData } from './render-worker.ts';

export type RenderFailure = 'encrypted' | 'invalid' | 'error' | 'timeout' | 'memory' | 'crashed';

export type RenderResult =
  | { ok: true; card: RenderedImage; page: RenderedImage; text: string; pages: number; ms: number }
  | { ok: false; kind: RenderFailure; message: string };

export interface RenderOptions {
  cardWidth: number;
  pageWidth: number;
  textPages: number;
  maxTextChars: number;
  format: 'webp' | 'png';
}

export interface RenderPoolOptions {
  /** Renderer processes (one PDF each at a time); default 1. */
  size?: number;
  /** Longest one render may take; past it the renderer is killed and the render fails (`timeout`). */
  budgetMs: number;
  /** Resident memory (MB) a renderer may use while rendering; past it, it stops and the render fails (`memory`). */
  maxRssMb?: number;
  /** A renderer idle this long exits (it starts again on the next render). */
  idleMs?: number;
}

/** The renderer as one plain script file (`src/worker-script.ts`), for `fork`. */
const bundledWorker = () => workerScriptFile(new URL('./render-worker.ts', import.meta.url), ['pdfjs-dist', '@napi-rs/canvas']);

function workerData(maxRssMb: number): RenderWorkerData {
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
    maxRssMb,
  };
}

interface Renderer {
  child: ChildProcess;
  /** The child's CPU time (µs) at its last answer: what the pool has counted of it so far. */
  cpuMicros: number;
}

interface Slot {
  renderer: Renderer | null;
  busy: boolean;
}

/**
 * Renders PDFs in child processes, one PDF per process at a time. A process of its own, not a
 * worker thread: pdf.js and the native canvas (Skia) run on bytes from the network, and a native
 * crash in a worker thread took the whole server down (two 1,000-paper bench runs stopped silently
 * at 724 and 985 papers). Here a renderer that dies — crash, kill, out of memory — fails that one
 * render (`crashed`, retried later by the enrichment runner's back-off) and the next render starts
 * a fresh one. Each render also has a time budget (the renderer is killed past it: `timeout`) and a
 * memory cap (V8's heap by `--max-old-space-size`, the whole process's resident memory by the
 * renderer itself: `memory`). Renderers start on first use and exit after `idleMs` without work.
 */
export class PdfRenderPool {
  private readonly slots: Slot[];
  private readonly waiting: Array<() => void> = [];
  private nextId = 0;
  private readonly idleTimers = new Map<Slot, NodeJS.Timeout>();
  private cpuTotalMicros = 0;
  private readonly maxRssMb: number;

  constructor(private readonly opts: RenderPoolOptions) {
    this.slots = Array.from({ length: Math.max(1, opts.size ?? 1) }, () => ({ renderer: null, busy: false }));
    this.maxRssMb = opts.maxRssMb ?? 1024;
  }

  /** CPU time (ms) the renderer processes reported so far: the benchmark adds it to its own process's. */
  cpuMs(): number {
    return this.cpuTotalMicros / 1000;
  }

  /** Process ids of the renderers rendering right now (for operators' tools and the crash tests). */
  activePids(): number[] {
    return this.slots.filter((s) => s.busy && s.renderer?.child.pid !== undefined).map((s) => s.renderer!.child.pid!);
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
    const renderer = (slot.renderer ??= this.spawn(slot));
    const { child } = renderer;
    const id = this.nextId++;
    return new Promise<RenderResult>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('error', onError);
        child.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        // An idle renderer does not keep the process alive.
        child.unref();
        child.channel?.unref();
        fn();
      };
      const kill = () => {
        if (slot.renderer === renderer) slot.renderer = null;
        child.kill('SIGKILL');
      };
      const onMessage = (res: RenderResponse) => {
        if (res.id !== id) return;
        this.cpuTotalMicros += Math.max(0, res.cpuMicros - renderer.cpuMicros);
        renderer.cpuMicros = res.cpuMicros;
        // Over its memory cap the renderer exits by itself; it is not given another PDF meanwhile.
        if (!res.ok && res.kind === 'memory') kill();
        finish(() => resolve(res.ok ? { ok: true, card: res.card, page: res.page, text: res.text, pages: res.pages, ms: res.ms } : { ok: false, kind: res.kind, message: res.message }));
      };
      const onError = (err: Error) => {
        kill();
        finish(() => resolve({ ok: false, kind: 'crashed', message: `the PDF renderer failed: ${err.message}` }));
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
        if (slot.renderer === renderer) slot.renderer = null;
        const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
        finish(() => resolve({ ok: false, kind: 'crashed', message: `the PDF renderer ${how} while rendering this PDF` }));
      };
      const onAbort = () => {
        kill();
        finish(() => reject(signal!.reason ?? new Error('aborted')));
      };
      const timer = setTimeout(() => {
        kill();
        finish(() => resolve({ ok: false, kind: 'timeout', message: `rendering took longer than ${this.opts.budgetMs} ms` }));
      }, this.opts.budgetMs);
      child.on('message', onMessage);
      child.on('error', onError);
      child.on('exit', onExit);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      // A render in flight keeps the process alive until it answers.
      child.ref();
      child.channel?.ref();
      const req: RenderRequest = { id, bytes, ...ro };
      child.send(req, (err) => {
        if (err) onError(err);
      });
    });
  }

  private spawn(slot: Slot): Renderer {
    const child = fork(bundledWorker(), [JSON.stringify(workerData(this.maxRssMb))], {
      serialization: 'advanced',
      // The V8 heap cap: a PDF whose objects outgrow it ends this process, not the server.
      execArgv: [`--max-old-space-size=${Math.max(64, Math.round(this.maxRssMb / 2))}`],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    // An 'error' with no render in flight (a failed spawn) must not become an uncaught exception.
    child.on('error', () => {});
    // However it ends (idle, killed, crashed between two renders), the slot starts a fresh one next.
    child.once('exit', () => {
      if (slot.renderer?.child === child) slot.renderer = null;
    });
    child.unref();
    child.channel?.unref();
    return { child, cpuMicros: 0 };
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
      if (!slot.busy && slot.renderer) {
        slot.renderer.child.kill();
        slot.renderer = null;
      }
    }, this.opts.idleMs ?? 30_000);
    idle.unref();
    this.idleTimers.set(slot, idle);
    this.waiting.shift()?.();
  }

  /** Stops every renderer and waits for them to exit. */
  async close(): Promise<void> {
    for (const t of this.idleTimers.values()) clearTimeout(t);
    await Promise.all(
      this.slots.map((s) => {
        const child = s.renderer?.child;
        s.renderer = null;
        if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
        return new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          // Held until it has gone, so a caller awaiting close() sees it go.
          child.ref();
          child.kill();
        });
      }),
    );
  }
}
