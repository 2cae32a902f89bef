import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/store.ts';
import type { EnrichmentState, EnrichmentStatus, PaperThumbnails } from '../../domain/enrichment.ts';
import { PdfRenderPool } from '../../ingest/pdf/render-pool.ts';
import { EnrichmentRunner, type EnrichProgress, type EnrichReport, type EnrichSelection } from './runner.ts';
import { enrichmentSteps } from './steps.ts';
import type { EnrichmentStep } from './step.ts';

/** The lease (and run kind) of enrichment runs: the job's and `paperboy enrich`'s, so they never overlap. */
export const ENRICH_LEASE = 'enrich';

/** Hash in a thumbnail URL: 32 lower-case hex digits. */
export const THUMBNAIL_HASH_RE = /^[0-9a-f]{32}$/;

/**
 * Enrichment as routes, jobs and the CLI see it: running the steps (background only), and reading
 * what they kept — thumbnails for cards and pages, the PDF text for search and the code step.
 */
export class EnrichmentService {
  readonly runner: EnrichmentRunner;
  private readonly renderer: PdfRenderPool;

  constructor(
    private readonly store: Store,
    private readonly config: Config,
    logger: Logger,
    private readonly opts: { signal?: AbortSignal; steps?: (renderer: PdfRenderPool) => EnrichmentStep[]; onChange?: () => void } = {},
  ) {
    this.renderer = new PdfRenderPool({ budgetMs: config.pdfRenderBudgetMs, maxRssMb: config.pdfRenderMaxMb });
    const steps = opts.steps ? opts.steps(this.renderer) : enrichmentSteps({ config, store, logger, pdfRenderer: this.renderer, signal: opts.signal });
    this.runner = new EnrichmentRunner(
      store,
      steps,
      {
        hostDelayMs: config.enrichHostDelayMs,
        maxHostWaitMs: config.enrichMaxWaitMs,
        backoff: { baseMs: config.enrichRetryBaseMs, capMs: config.enrichRetryMaxMs, maxAttempts: config.enrichMaxAttempts },
        stepTimeoutMs: config.enrichStepTimeoutMs,
        batchSize: config.enrichBatch,
      },
      logger,
    );
  }

  stepNames(): string[] {
    return this.runner.steps.map((s) => s.name);
  }

  /** What the scheduled job covers: papers of the last ENRICH_LOOKBACK_DAYS days. */
  scheduledSelection(now = new Date()): EnrichSelection {
    const since = new Date(now.getTime() - this.config.enrichLookbackDays * 86_400_000).toISOString().slice(0, 10);
    return { since };
  }

  hasDue(sel: EnrichSelection): Promise<boolean> {
    return this.runner.hasDue(sel);
  }

  /** Runs the due steps; each enrichment that arrives is announced (`onChange`), so cached pages show it. */
  run(sel: EnrichSelection, opts: { signal?: AbortSignal; onProgress?: (p: EnrichProgress) => void } = {}): Promise<EnrichReport> {
    return this.runner.run(sel, {
      ...opts,
      onProgress: (p) => {
        if (p.outcome === 'done') this.opts.onChange?.();
        opts.onProgress?.(p);
      },
    });
  }

  /** The papers' thumbnails (papers without both sizes are left out). */
  thumbnails(paperIds: readonly string[]): Promise<Map<string, PaperThumbnails>> {
    return paperIds.length ? this.store.enrichmentState.thumbnails(paperIds) : Promise.resolve(new Map());
  }

  /** A thumbnail's bytes by its hash; null for an unknown hash or a paper readers may not see. */
  thumbnail(hash: string): Promise<{ mime: string; data: Uint8Array } | null> {
    return THUMBNAIL_HASH_RE.test(hash) ? this.store.enrichmentState.thumbnailData(hash) : Promise.resolve(null);
  }

  /** The text of the paper's first PDF pages (the `pdf` step's), or null before it ran or when it failed. */
  pdfText(paperId: string): Promise<string | null> {
    return this.store.enrichmentState.pdfText(paperId);
  }

  states(paperId: string): Promise<EnrichmentState[]> {
    return this.store.enrichmentState.forPaper(paperId);
  }

  counts(): Promise<Array<{ step: string; status: EnrichmentStatus; count: number }>> {
    return this.store.enrichmentState.counts();
  }

  close(): Promise<void> {
    return this.renderer.close();
  }
}
