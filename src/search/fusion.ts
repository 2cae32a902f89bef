/**
 * How hybrid search mixes keyword and vector results, and how the keyword engines weight fields.
 * One small module so the weights can be tuned by measurement (bench/search-quality) in one place.
 *
 * The default is conservative: a weak vector model fused naively makes known-item search worse,
 * so vector results only add weight next to the keyword list (weighted reciprocal rank fusion with
 * the keyword list dominant) until measurement says otherwise.
 */
import type { FieldWeights } from '../domain/search-query.ts';

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
  /**
   * Pseudo-relevance feedback (RM3-like) on the keyword side, when the embedder has term vectors:
   * the `terms` heaviest words of the top `docs` keyword hits (weighted by their relative BM25)
   * are added to the query, the original words counting `originalWeight` times. Absent: off.
   */
  expansion?: { docs: number; terms: number; originalWeight: number };
  /**
   * `convex` only: the vector share chosen per query from how sure BM25 is — `hi` when its best hit
   * scores nothing of what the query's words could score at most (the keyword engine's
   * `scoreCeiling`), falling linearly to `lo` when it scores all of it; the keyword share is the
   * rest. Without a ceiling (the store's own full-text engines) `keyword` and `vector` apply.
   */
  adaptive?: { lo: number; hi: number };
}

/**
 * Chosen on the tuning half of bench/search-quality/meaning-set.json (BENCHMARKS "Meaning"): with the
 * v2 offline model, 0.7/0.3 ranked paraphrased descriptions a little above BM25 alone (0.552 vs
 * 0.545 MRR@10) where 0.8/0.2 tied it and pseudo-relevance feedback lost (0.520). Re-chosen with
 * exact cosines for every keyword candidate (the service passes them to `fuse`) on both tuning
 * blocks: 0.3 still best (0.2 and 0.4 lower on tuning, tie on tuning2).
 */
export const DEFAULT_FUSION: FusionWeights = {
  mode: 'convex',
  keyword: 0.7,
  vector: 0.3,
  k: 60,
  candidates: 100,
  minSimilarity: 0,
};

/**
 * Hybrid search with the contrastively refined offline model (`local-embedder-refine.ts`): the
 * vector share from 0.2 (BM25's best hit scores all the query could) to 0.7 (none of it). Chosen
 * on the tuning blocks of meaning-set.json in round 24 (0.560 pooled against 0.532); held out,
 * through the served path, BENCHMARKS "Round 25 (branch `contrast-serve`)". The LSA model keeps
 * `DEFAULT_FUSION` (the same adaptive weights on it were level held out: 0.512 against 0.513).
 */
export const REFINED_FUSION: FusionWeights = { ...DEFAULT_FUSION, adaptive: { lo: 0.2, hi: 0.7 } };

/** The vector share of `FusionWeights.adaptive` for a best keyword score and the query's ceiling. */
export function adaptiveVectorWeight(best: number, ceiling: number, range: { lo: number; hi: number }): number {
  const sure = Math.min(1, Math.max(0, best / ceiling));
  return range.hi - (range.hi - range.lo) * sure;
}

/**
 * bm25 / tsvector field weights: title above abstract, authors searchable too. `pdfText` 0.2: the
 * PDF field's best score (a word many times in the text) stays below one mention in a title and
 * about at one in an abstract — the first pages repeat the title and abstract, and mention much
 * else in passing.
 */
export const DEFAULT_FIELD_WEIGHTS: FieldWeights = { title: 2, abstract: 1, authors: 1, pdfText: 0.2 };

/**
 * Similar papers: candidates are the paper's vector neighbours and keyword neighbours of its words;
 * each is scored `lexical × TF-IDF cosine (or BM25 ÷ best) + semantic × embedding cosine`, both
 * computed for every candidate (`mixSimilar`). Tuned on CSFCube's dev fold (BENCHMARKS "Meaning").
 */
export interface SimilarWeights {
  lexical: number;
  semantic: number;
  /** How many neighbours each of the two lists contributes. */
  candidates: number;
}

export const SIMILAR_WEIGHTS: SimilarWeights = { lexical: 0.3, semantic: 0.7, candidates: 150 };

/** A candidate for similar papers with both of its similarities to the paper (NaN when unknown). */
export interface SimilarCandidate {
  id: string;
  lexical: number;
  semantic: number;
}

/** Best first: the convex mix of the two similarities; an unknown one counts 0. Ties by id. */
export function mixSimilar(candidates: readonly SimilarCandidate[], w: SimilarWeights = SIMILAR_WEIGHTS): RankedHit[] {
  return candidates
    .map((c) => ({ id: c.id, score: w.lexical * (Number.isFinite(c.lexical) ? c.lexical : 0) + w.semantic * (Number.isFinite(c.semantic) ? c.semantic : 0) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

export interface RankedHit {
  id: string;
  score: number;
}

/**
 * Weighted reciprocal rank fusion of a keyword list and a vector list (each best first). An id in
 * both lists adds both contributions. Ties keep keyword order first.
 */
export function fuse(keyword: readonly RankedHit[], vector: readonly RankedHit[], w: FusionWeights = DEFAULT_FUSION, cosines?: ReadonlyMap<string, number>, ceiling?: number): RankedHit[] {
  if (w.mode === 'convex') return fuseConvex(keyword, vector, w, cosines, ceiling);
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

/**
 * Convex mix of max-normalised keyword relevance and cosine similarity (see `FusionWeights.mode`).
 * A keyword hit the vector list did not return counts its exact cosine from `cosines` when given
 * (the service reads the candidates' stored vectors), else the vector list's lowest cosine. Measured
 * on the tuning halves of meaning-set.json, the exact cosine ranks described papers better: with
 * 75k papers a top-100 vector list rarely holds the keyword candidates, so the floor left their
 * order to BM25 alone (BENCHMARKS "Search by meaning").
 */
function fuseConvex(keyword: readonly RankedHit[], vector: readonly RankedHit[], weights: FusionWeights, cosines?: ReadonlyMap<string, number>, ceiling?: number): RankedHit[] {
  const kw = keyword.slice(0, weights.candidates);
  const best = kw.length ? Math.max(...kw.map((h) => h.score)) : 1;
  // Adaptive: this query's shares from how much of its ceiling BM25's best hit reaches.
  let w = weights;
  if (weights.adaptive && ceiling !== undefined && ceiling > 0 && Number.isFinite(ceiling)) {
    const vw = adaptiveVectorWeight(kw.length ? best : 0, ceiling, weights.adaptive);
    w = { ...weights, keyword: 1 - vw, vector: vw };
  }
  const vec = w.vector > 0 ? vector.filter((h) => h.score >= w.minSimilarity).slice(0, w.candidates) : [];
  const floor = vec.length ? Math.min(...vec.map((h) => h.score)) : 0;
  const cos = new Map(vec.map((h) => [h.id, h.score]));
  const scores = new Map<string, { score: number; kwRank: number }>();
  kw.forEach((h, i) => {
    const c = cos.get(h.id) ?? cosines?.get(h.id);
    scores.set(h.id, { score: w.keyword * (best > 0 ? h.score / best : 0) + w.vector * (c !== undefined && Number.isFinite(c) ? c : floor), kwRank: i });
  });
  for (const h of vec) if (!scores.has(h.id)) scores.set(h.id, { score: w.vector * h.score, kwRank: Number.MAX_SAFE_INTEGER });
  return [...scores.entries()]
    .sort((a, b) => b[1].score - a[1].score || a[1].kwRank - b[1].kwRank || (a[0] < b[0] ? -1 : 1))
    .map(([id, s]) => ({ id, score: s.score }));
}
