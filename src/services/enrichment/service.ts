import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/store.ts';
import { NO_ENRICHMENT, type EnrichmentState, type EnrichmentStatus, type HubArtifact, type PaperEnrichment } from '../../domain/enrichment.ts';
import { PdfRenderPool } from '../../ingest/pdf/render-pool.ts';
import { EnrichmentRunner, type EnrichProgress, type EnrichReport, type EnrichSelection } from './runner.ts';
import { enrichmentSteps } from './steps.ts';
import { JpegCache } from './mail-thumbnail.ts';
import type { EnrichmentStep } from './step.ts';

/** The lease (and run kind) of enrichment runs: the job's and `paperboy enrich`'s, so they never overlap. */
export const ENRICH_LEASE = 'enrich';

/** Hash in a thumbnail URL: 32 lower-case hex digits. */
export const THUMBNAIL_HASH_RE = /^[0-9a-f]{32}$/;

export interface PaperEnrichmentDetail {
  enrichment: PaperEnrichment;
  artifacts: HubArtifact[];
  /** The GitHub repository's own description (shown beside its link on the paper page). */
  repoDescription: string | null;
}

/**
 * Enrichment as routes, jobs and the CLI see it (issue 17): running the steps (background only),
 * and reading what they kept — for a page of cards or API items in one query (`forPapers`: code
 * and stars, TL;DR and keywords, thumbnails, author-set links), for one paper's page with its hub
 * artifacts (`detail`), a thumbnail's bytes (or, for mail, a JPEG of them), and the PDF text for search and the code step.
 */
export class EnrichmentService {
  readonly runner: EnrichmentRunner;
  private readonly renderer: PdfRenderPool;
  private readonly jpegs = new JpegCache();

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

  /** What the cards or API items of a page of papers show, in one query, never one per card; a paper without any is absent (read it as NO_ENRICHMENT). */
  forPapers(paperIds: readonly string[]): Promise<Map<string, PaperEnrichment>> {
    return paperIds.length ? this.store.enrichment.forPapers(paperIds) : Promise.resolve(new Map());
  }

  /** One paper's enrichments with its hub artifacts and its repository's description, for its page and `/api/papers/{id}`. */
  async detail(paperId: string): Promise<PaperEnrichmentDetail> {
    // One statement: the enrichment, its artifacts and its repository's row were three round trips.
    const { enrichment, artifacts, repo } = await this.store.enrichment.detail(paperId);
    // A repository whose fetch found it gone (`missing`) shows no description.
    return { enrichment: enrichment ?? NO_ENRICHMENT, artifacts, repoDescription: repo && repo.status !== 'missing' ? repo.description : null };
  }

  /** A thumbnail's bytes by its hash; null for an unknown hash or a paper readers may not see. */
  thumbnail(hash: string): Promise<{ mime: string; data: Uint8Array } | null> {
    return THUMBNAIL_HASH_RE.test(hash) ? this.store.enrichment.thumbnailData(hash) : Promise.resolve(null);
  }

  /** A thumbnail as a JPEG, for mail clients that show no WebP; null as for `thumbnail`. */
  async thumbnailJpeg(hash: string): Promise<Uint8Array | null> {
    const image = await this.thumbnail(hash);
    return image ? this.jpegs.of(hash, image.data) : null;
  }

  /** The text of the paper's first PDF pages (the `pdf` step's), or null before it ran or when it failed. */
  pdfText(paperId: string): Promise<string | null> {
    return this.store.enrichment.pdfText(paperId);
  }

  states(paperId: string): Promise<EnrichmentState[]> {
    return this.store.enrichment.states(paperId);
  }

  counts(): Promise<Array<{ step: string; status: EnrichmentStatus; count: number }>> {
    return this.store.enrichment.counts();
  }

  close(): Promise<void> {
    return this.renderer.close();
  }
}
