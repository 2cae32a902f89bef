/**
 * How hybrid search mixes keyword and vector results, and how the keyword engines weight fields.
 * One small module so the weights can be tuned by measurement (bench/search-quality) in one place.
 *
 * The default is conservative: a weak vector model fused naively makes known-item search worse,
 * so vector results only add weight next to the keyword list (weighted reciprocal rank fusion with
 * the keyword list dominant) until measurement says otherwise.
 */
export interface FusionWeights {
  /**
   * `convex`: score = keyword × (relevance ÷ the list's best) + vector × cosine, a paper missing
   * from the vector list counting that list's lowest cosine. `rrf`: weighted reciprocal rank fusion.
   * Absent means `rrf`. Measured on the dev set (BENCHMARKS.md, "Search quality"): RRF with any vector weight ranked
   * exact titles and described papers worse than keyword alone; the convex mix did not.
   */
  mode?: 'convex' | 'rrf';
  /** Weight of the keyword list (RRF weight, or convex share). */
  keyword: number;
  /** Weight of the vector list in weighted RRF; 0 turns hybrid into keyword-only. */
  vector: number;
  /** RRF constant: score += weight / (k + rank), rank from 1 (unused by `convex`). */
  k: number;
  /** How many candidates each list contributes before fusion (at least the page size). */
  candidates: number;
  /** Vector hits below this cosine similarity are ignored (noise from a weak model). */
  minSimilarity: number;
}

export const DEFAULT_FUSION: FusionWeights = {
  mode: 'convex',
  keyword: 0.55,
  vector: 0.45,
  k: 60,
  candidates: 100,
  minSimilarity: 0,
};

/** bm25 / tsvector field weights: title above abstract, authors searchable too. */
export interface FieldWeights {
  title: number;
  abstract: number;
  authors: number;
}

export const DEFAULT_FIELD_WEIGHTS: FieldWeights = { title: 2, abstract: 1, authors: 1 };

/** Weights for similar papers: vector neighbours of the paper, keyword neighbours of its title. */
export const SIMILAR_FUSION: FusionWeights = { mode: 'rrf', keyword: 1, vector: 1, k: 60, candidates: 60, minSimilarity: 0 };

export interface RankedHit {
  id: string;
  score: number;
}

/**
 * Weighted reciprocal rank fusion of a keyword list and a vector list (each best first). An id in
 * both lists adds both contributions. Ties keep keyword order first.
 */
export function fuse(keyword: readonly RankedHit[], vector: readonly RankedHit[], w: FusionWeights = DEFAULT_FUSION): RankedHit[] {
  if (w.mode === 'convex') return fuseConvex(keyword, vector, w);
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

/** Convex mix of max-normalised keyword relevance and cosine similarity (see `FusionWeights.mode`). */
function fuseConvex(keyword: readonly RankedHit[], vector: readonly RankedHit[], w: FusionWeights): RankedHit[] {
  const kw = keyword.slice(0, w.candidates);
  const vec = w.vector > 0 ? vector.filter((h) => h.score >= w.minSimilarity).slice(0, w.candidates) : [];
  const best = kw.length ? Math.max(...kw.map((h) => h.score)) : 1;
  const floor = vec.length ? Math.min(...vec.map((h) => h.score)) : 0;
  const cos = new Map(vec.map((h) => [h.id, h.score]));
  const scores = new Map<string, { score: number; kwRank: number }>();
  kw.forEach((h, i) => {
    scores.set(h.id, { score: w.keyword * (best > 0 ? h.score / best : 0) + w.vector * (cos.get(h.id) ?? floor), kwRank: i });
  });
  for (const h of vec) if (!scores.has(h.id)) scores.set(h.id, { score: w.vector * h.score, kwRank: Number.MAX_SAFE_INTEGER });
  return [...scores.entries()]
    .sort((a, b) => b[1].score - a[1].score || a[1].kwRank - b[1].kwRank || (a[0] < b[0] ? -1 : 1))
    .map(([id, s]) => ({ id, score: s.score }));
}
