import type { Paper } from '../../domain/paper.ts';

/**
 * One enrichment of a paper (thumbnail, code links and stars, hub artifacts, TL;DR and keywords).
 * The enrichment runner (`src/services/enrichment/runner.ts`) keeps a state per paper and step
 * (pending, done, failed with a reason, retried later) and calls `run` in the background, never on
 * a request. A step stores its own results through its own repository; it reports only how it went.
 */
export interface EnrichmentStep {
  /** Stable name, also the state key: `pdf`, `code`, `stars`, `artifacts`, `summary`, `keyphrases`. */
  readonly name: string;
  /**
   * Bumped when the step's output changes meaning (a new model, a new renderer): papers done by an
   * older version become pending again.
   */
  readonly version: number;
  /** Host the step calls, for the runner's per-host politeness (delay, Retry-After); none when offline. */
  readonly host?: string;
  /** Steps that must be `done` first (e.g. `code` reads the PDF text that `pdf` keeps). */
  readonly after?: readonly string[];
  /** How long until a `done` result is refreshed (stars daily); none = done once. */
  readonly refreshMs?: number;
  run(paper: Paper, signal: AbortSignal): Promise<StepOutcome>;
}

export type StepOutcome =
  | { status: 'done'; detail?: string }
  /** Nothing to do for this paper (no PDF link, no LLM configured): final, not retried. */
  | { status: 'skipped'; reason: string }
  /**
   * Failed this time. `retryAfterMs` comes from the remote (`Retry-After`, rate-limit reset) or is
   * left to the runner's back-off; `permanent` failures (not a PDF, 404, too large) are not retried.
   */
  | { status: 'failed'; reason: string; retryAfterMs?: number; permanent?: boolean };
