import type { Config } from '../../config.ts';
import type { Store } from '../../store/store.ts';
import type { EnrichmentStep } from './step.ts';
import { CodeLinksStep, type PdfTextSource } from './code-step.ts';
import { GithubStarsStep } from './stars-step.ts';
import { HubArtifactsStep } from './hub-artifacts-step.ts';
import { LlmSummaryStep } from './summary-step.ts';
import { KeyphraseStep } from './keyphrase-step.ts';
import { StoreCorpusFrequencies } from './corpus-frequencies.ts';

type SourceConfig = Pick<
  Config,
  | 'githubApiUrl'
  | 'githubToken'
  | 'githubStarsRefreshMs'
  | 'hfHubUrl'
  | 'hfToken'
  | 'hfArtifactsRefreshMs'
  | 'enrichApiTimeoutMs'
  | 'llmUrl'
  | 'llmModel'
  | 'llmApiKey'
  | 'llmDailyCalls'
  | 'llmTimeoutMs'
  | 'llmMaxAbstractChars'
  | 'keyphraseCorpusDocs'
>;

/**
 * The enrichment steps that read outside sources and the paper's text (issue 17): code links,
 * GitHub stars, Hugging Face hub artifacts, offline key phrases, and — only with `LLM_URL` — the
 * LLM TL;DR. `pdfText` is the PDF step's kept text (enrich-core's store), when there is one.
 */
export function buildSourceSteps(config: SourceConfig, store: Store, deps: { pdfText?: PdfTextSource; now?: () => number } = {}): EnrichmentStep[] {
  const steps: EnrichmentStep[] = [
    new CodeLinksStep(store, deps.pdfText),
    new GithubStarsStep(store, { apiUrl: config.githubApiUrl, token: config.githubToken, refreshMs: config.githubStarsRefreshMs, timeoutMs: config.enrichApiTimeoutMs, now: deps.now }),
    new HubArtifactsStep(store, { hubUrl: config.hfHubUrl, token: config.hfToken, refreshMs: config.hfArtifactsRefreshMs, timeoutMs: config.enrichApiTimeoutMs }),
    new KeyphraseStep(store, new StoreCorpusFrequencies(store, { maxDocs: config.keyphraseCorpusDocs, now: deps.now })),
  ];
  if (config.llmUrl) {
    steps.push(
      new LlmSummaryStep(store, {
        llmUrl: config.llmUrl,
        model: config.llmModel,
        apiKey: config.llmApiKey,
        dailyCalls: config.llmDailyCalls,
        timeoutMs: config.llmTimeoutMs,
        maxAbstractChars: config.llmMaxAbstractChars,
        now: deps.now,
      }),
    );
  }
  return steps;
}
