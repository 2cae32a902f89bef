import { keyphrases } from './keyphrases.ts';
import type { Paper } from '../../domain/paper.ts';
import type { Store } from '../../store/store.ts';
import type { StoreCorpusFrequencies } from './corpus-frequencies.ts';
import type { EnrichmentStep, StepOutcome } from './step.ts';

/**
 * Offline keywords (issue 17): key phrases of the title and abstract weighed by tf-idf against the
 * corpus (`./keyphrases.ts`). Runs with or without an LLM: without one they are the
 * paper's keywords; with one they stand in until (or if never) the LLM's arrive.
 */
export class KeyphraseStep implements EnrichmentStep {
  readonly name = 'keyphrases';
  readonly version = 1;

  constructor(
    private readonly store: Store,
    private readonly corpus: StoreCorpusFrequencies,
  ) {}

  async run(paper: Paper, _signal?: AbortSignal): Promise<StepOutcome> {
    const phrases = keyphrases(paper.title, paper.abstract, await this.corpus.get());
    await this.store.enrichment.saveKeyphrases(paper.id, phrases);
    return { status: 'done', detail: phrases.length ? phrases.join(', ') : 'no key phrase' };
  }
}
