/**
 * The re-ranking recipes of the round-27/28 USE probes (use-fusion.ts, use-sentences.ts): a design's
 * top K re-scored by its first signal (the served fused score, or BM25 ÷ best) and a second one (a
 * USE similarity), the rest of the design's list after them in its own order. Shared so that both
 * probes score exactly the same fusion forms.
 */
import type { RerankContext } from '../../src/services/search-experiment.ts';
import type { RankedHit } from '../../src/search/fusion.ts';

export interface Recipe {
  design: 'three' | 'bm25';
  text: string;
  k: number;
  /** `cvx` (1 − w)·first + w·second; `mm` both min-max normalised over the top K; `rrf` first's rank + w × second's; `ad` cvx with w from `hi` to `lo` by BM25's share of the ceiling; `z` both z-scored over the top K. */
  form: 'cvx' | 'mm' | 'rrf' | 'ad' | 'z';
  w: number;
  /** `ad`: the USE share from `hi` (BM25's best scores nothing of its ceiling) to `lo` (all of it). */
  lo?: number;
  hi?: number;
  /** Query text for USE: `raw` (the query as typed) or `terms` (the parsed words, as the vector side gets). */
  qtext: 'raw' | 'terms';
}

export const recipeName = (r: Recipe) => `${r.design}:${r.text}:${r.k}:${r.form}:${r.form === 'ad' ? `${r.lo}-${r.hi}` : r.w}:${r.qtext}`;

export function parseRecipe(s: string): Recipe {
  const parts = s.split(':');
  // A combined text (`max:A+B`, `mean:A+B`) holds a colon itself.
  if (parts[1] === 'max' || parts[1] === 'mean') parts.splice(1, 2, `${parts[1]}:${parts[2]}`);
  const [design, text, k, form, w, qtext] = parts;
  const ad = form === 'ad' ? w.split('-').map(Number) : null;
  return { design: design as Recipe['design'], text, k: Number(k), form: form as Recipe['form'], w: ad ? 0 : Number(w), lo: ad?.[0], hi: ad?.[1], qtext: (qtext ?? 'raw') as Recipe['qtext'] };
}

const zscore = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / (v.length || 1);
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length || 1)) || 1;
  return v.map((x) => (x - m) / sd);
};

/**
 * The re-ranked order: the design's top K scored by its first signal and `sim` (undefined for a
 * paper not embedded: the lowest known similarity), the rest of the list after them in its own
 * order. `list`: best first with scores (fused or BM25).
 */
export function rerankList(r: Recipe, list: ReadonlyArray<readonly [string, number]>, sim: (id: string) => number | undefined, ceiling: number | null, bestBm25: number): string[] {
  const top = list.slice(0, r.k);
  const base = top.map(([, s]) => s);
  const bestBase = Math.max(...base, 1e-9);
  const sig = top.map(([id], i) => ({ id, i, b: r.design === 'bm25' ? base[i] / bestBase : base[i], u: sim(id) }));
  const known = sig.filter((x) => x.u !== undefined).map((x) => x.u!);
  const uFloor = known.length ? Math.min(...known) : 0;
  for (const x of sig) x.u ??= uFloor;
  let scored: Array<{ id: string; i: number; s: number }>;
  if (r.form === 'rrf') {
    const byU = [...sig].sort((a, b) => b.u! - a.u! || a.i - b.i);
    const uRank = new Map(byU.map((x, j) => [x.id, j]));
    scored = sig.map((x) => ({ id: x.id, i: x.i, s: 1 / (60 + x.i + 1) + r.w / (60 + uRank.get(x.id)! + 1) }));
  } else if (r.form === 'mm') {
    const [bl, bh] = [Math.min(...sig.map((x) => x.b)), Math.max(...sig.map((x) => x.b))];
    const [ul, uh] = [Math.min(...sig.map((x) => x.u!)), Math.max(...sig.map((x) => x.u!))];
    scored = sig.map((x) => ({ id: x.id, i: x.i, s: (1 - r.w) * ((x.b - bl) / (bh - bl || 1)) + r.w * ((x.u! - ul) / (uh - ul || 1)) }));
  } else if (r.form === 'z') {
    const zb = zscore(sig.map((x) => x.b));
    const zu = zscore(sig.map((x) => x.u!));
    scored = sig.map((x, j) => ({ id: x.id, i: x.i, s: (1 - r.w) * zb[j] + r.w * zu[j] }));
  } else {
    let w = r.w;
    if (r.form === 'ad') {
      const sure = ceiling && ceiling > 0 ? Math.min(1, Math.max(0, bestBm25 / ceiling)) : 0;
      w = r.hi! - (r.hi! - r.lo!) * sure;
    }
    // `three`: the fused score (itself a convex mix in [0, 1]) plus w × USE, scaled as a share; `bm25`: the served convex form.
    scored = sig.map((x) => ({ id: x.id, i: x.i, s: (1 - w) * x.b + w * x.u! }));
  }
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return [...scored.map((x) => x.id), ...list.slice(r.k).map(([id]) => id)];
}

/**
 * A recipe applied inside the served search's re-rank hook: the design's list (the fused list for
 * `three`; BM25's top K for `bm25`, read again through `keywordTop` when the hook got fewer), its
 * top K re-ranked with `sim` (`rerankList`), answered as hits in that order.
 */
export async function rerankServed(
  r: Recipe,
  ctx: RerankContext,
  keywordTop: (k: number) => Promise<readonly RankedHit[]>,
  sim: (id: string) => number | undefined,
): Promise<RankedHit[]> {
  const hits = r.design === 'three' ? ctx.fused : r.k <= ctx.keyword.length ? ctx.keyword : await keywordTop(r.k);
  const bestBm25 = ctx.keyword.length ? Math.max(...ctx.keyword.map((h) => h.score)) : 0;
  const order = rerankList(r, hits.map((h) => [h.id, h.score] as const), sim, ctx.ceiling ?? null, bestBm25);
  return order.map((id, i) => ({ id, score: order.length - i }));
}
