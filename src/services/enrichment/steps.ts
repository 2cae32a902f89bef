import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/store.ts';
import type { PdfRenderPool } from '../../ingest/pdf/render-pool.ts';
import type { EnrichmentStep } from './step.ts';
import { pdfStep } from './pdf-step.ts';
import { buildSourceSteps } from './source-steps.ts';

/** What a step may use; the composition root (`services/index.ts`) fills it. */
export interface StepDeps {
  config: Config;
  store: Store;
  logger: Logger;
  /** Renders PDFs in renderer processes (the `pdf` step). */
  pdfRenderer: PdfRenderPool;
  /** The process's shutdown signal. */
  signal?: AbortSignal;
}

/**
 * Every enrichment step, in one place: the runner, the job and `paperboy enrich` take this list.
 * A new step is added here (its `after` names steps of this list).
 */
export function enrichmentSteps(deps: StepDeps): EnrichmentStep[] {
  return [
    pdfStep({ config: deps.config, store: deps.store, renderer: deps.pdfRenderer }),
    // Code links also read the PDF's first pages, once the pdf step has settled (done, skipped or failed for good).
    ...buildSourceSteps(deps.config, deps.store, { pdfText: (id) => deps.store.enrichment.pdfText(id) }),
  ];
}
