import type { ParsedQuery } from '../domain/search-query.ts';
import type { FusionWeights, RankedHit, SimilarCandidate, SimilarWeights } from '../search/fusion.ts';

/** What hybrid search had when it fused: the query, both lists, the keyword hits' exact cosines, the query's BM25 ceiling, the fusion and its order. */
export interface RerankContext {
  q: ParsedQuery;
  keyword: readonly RankedHit[];
  vector: readonly RankedHit[];
  cosines: ReadonlyMap<string, number>;
  ceiling: number | undefined;
  weights: FusionWeights;
  fused: RankedHit[];
}

/**
 * Replacements of two ranking steps of the served search, for the probes in
 * `bench/search-quality/` to measure on the code path the server serves. Benchmarks and tests
 * only: `openSearch` takes it apart from the settings (`SearchServiceOptions`), and the server
 * (`createServices`) never passes one, so it ranks with the fusion's order and `mixSimilar`.
 */
export interface SearchExperiment {
  /** A re-ranking of the fused hybrid list (bench/search-quality/rerank.ts, use-fusion.ts); absent, the fusion's order. */
  rerank?: (ctx: RerankContext) => Promise<RankedHit[]>;
  /** Another mix of a similar list's two similarities (bench/search-quality/csfcube.ts `--mode`); absent, `mixSimilar`. */
  similarMix?: (candidates: readonly SimilarCandidate[], w: SimilarWeights) => RankedHit[];
}
