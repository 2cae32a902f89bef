/**
 * How hybrid search mixes keyword and vector results, and how the keyword engines weight fields.
 * One small module so the weights can be tuned by measurement (bench/search-quality) in one place.
 *
 * The default is conservative: a weak vector model fused naively makes known-item search worse,
 * so vector results only add weight next to the keyword list (weighted reciprocal rank fusion with
 * the keyword list dominant) until measurement says otherwise.
 */
export interface FusionWeights {
  /** Weight of the keyword list in weighted RRF. */
  keyword: number;
  /** Weight of the vector list in weighted RRF; 0 turns hybrid into keyword-only. */
  vector: number;
  /** RRF constant: score += weight / (k + rank), rank from 1. */
  k: number;
  /** How many candidates each list contributes before fusion (at least the page size). */
  candidates: number;
  /** Vector hits below this cosine similarity are ignored (noise from a weak model). */
  minSimilarity: number;
}

export const DEFAULT_FUSION: FusionWeights = {
  keyword: 1,
  vector: 0.35,
  k: 60,
  candidates: 100,
  minSimilarity: 0.2,
};

/** bm25 / tsvector field weights: title above abstract, authors searchable too. */
export interface FieldWeights {
  title: number;
  abstract: number;
  authors: number;
}

export const DEFAULT_FIELD_WEIGHTS: FieldWeights = { title: 2, abstract: 1, authors: 1 };

/** Weights for similar papers: vector neighbours of the paper, keyword neighbours of its title. */
export const SIMILAR_FUSION: FusionWeights = { keyword: 1, vector: 1, k: 60, candidates: 60, minSimilarity: 0 };

export interface RankedHit {
  id: string;
  score: number;
}

/**
 * Weighted reciprocal rank fusion of a keyword list and a vector list (each best first). An id in
 * both lists adds both contributions. Ties keep keyword order first.
 */
export function fuse(keyword: readonly RankedHit[], vector: readonly RankedHit[], w: FusionWeights = DEFAULT_FUSION): RankedHit[] {
  const scores = new Map<string, { score: number; kwRank: number }>();
  keyword.slice(0, w.candidates).forEach((h, i) => {
    scores.set(h.id, { score: w.keyword / (w.k + i + 1), kwRank: i });
  });
  if (w.vector > 0) {
    vector
      .filter((h) => h.score >= w.minSimilarity)
      .slice(0, w.candidates)
      .forEach((h, i) => {
        const add = w.vector / (w.k + i + 1);
        const cur = scores.get(h.id);
        if (cur) cur.score += add;
        else scores.set(h.id, { score: add, kwRank: Number.MAX_SAFE_INTEGER });
      });
  }
  return [...scores.entries()]
    .sort((a, b) => b[1].score - a[1].score || a[1].kwRank - b[1].kwRank || (a[0] < b[0] ? -1 : 1))
    .map(([id, s]) => ({ id, score: s.score }));
}
