/** Known-item retrieval measures: the rank (1-based) of the one right paper, or null when not in the list. */
export interface QualityScores {
  queries: number;
  recallAt1: number;
  recallAt10: number;
  mrrAt10: number;
}

export function rankOf(ids: readonly string[], target: string): number | null {
  const i = ids.indexOf(target);
  return i < 0 ? null : i + 1;
}

export function score(ranks: ReadonlyArray<number | null>): QualityScores {
  const n = ranks.length || 1;
  let r1 = 0;
  let r10 = 0;
  let mrr = 0;
  for (const r of ranks) {
    if (r === null) continue;
    if (r === 1) r1++;
    if (r <= 10) {
      r10++;
      mrr += 1 / r;
    }
  }
  return { queries: ranks.length, recallAt1: r1 / n, recallAt10: r10 / n, mrrAt10: mrr / n };
}

export function fmt(s: QualityScores): string {
  return `R@1 ${s.recallAt1.toFixed(3)}  R@10 ${s.recallAt10.toFixed(3)}  MRR@10 ${s.mrrAt10.toFixed(3)}  (n=${s.queries})`;
}
