/**
 * Round 26 (branch `meaning-recipe`): a copy of the served refinement (`src/search/local-embedder-refine.ts`,
 * round 24's recipe `c75t`) with three more recipe options for the probe recipe-explore.ts — harder
 * in-batch negatives (`hardBits`: batches of pairs whose document sides lie on the same side of a few
 * seeded random hyperplanes in the base model's space, a paper's own other pairs in its batch masked
 * out of the negatives), sentence pseudo-queries without the title's words (`dropTitleWords`), and a
 * linearly falling learning rate (`lrEnd`). With those off it computes what src's `refineModel`
 * computes (the same bytes; the pair order is shuffled through an index array instead of in place,
 * the same permutation). Not served: none of them gained on the tuning blocks (BENCHMARKS "Round 26
 * (branch `meaning-recipe`)").
 */
import { seededRandom } from '../../src/domain/random.ts';
import type { LocalEmbedder, TrainingText } from '../../src/search/local-embedder.ts';
import { isRefinedModelId, REFINED_SUFFIX, sentencesOf, type RefineProgress } from '../../src/search/local-embedder-refine.ts';

export interface RecipeOptions {
  epochs: number;
  batch: number;
  temperature: number;
  lr: number;
  /** Pairs per paper: title ↔ abstract, and this many sentence ↔ title + rest-of-abstract pairs. */
  sentencePairs: number;
  seed: number;
  /** The fewest papers it trains on: below it there is not a batch of in-batch negatives worth the name. */
  minPapers: number;
  /**
   * Harder in-batch negatives (0 = off): the pairs are grouped by the signs of their document side's
   * base vector on this many seeded random hyperplanes, so a batch holds papers of nearby topics;
   * a paper's other pairs in the same batch are then not counted as negatives.
   */
  hardBits: number;
  /** The sentence side drops the title's words (a description in other words than the title's). */
  dropTitleWords: boolean;
  /** The learning rate falls linearly to this share of `lr` by the last batch (1 = constant). */
  lrEnd: number;
}

export const DEFAULT_RECIPE: RecipeOptions = { epochs: 1, batch: 128, temperature: 0.1, lr: 0.002, sentencePairs: 2, seed: 19, minPapers: 256, hardBits: 0, dropTitleWords: false, lrEnd: 1 };

interface Sparse {
  ids: Uint32Array;
  w: Float32Array;
}

/**
 * src's `refineModel` with the recipe options above. Throws when the base is refined already (its id says
 * so) or there are fewer than `minPapers` papers.
 */
export function refineRecipe(base: LocalEmbedder, papers: readonly TrainingText[], options: Partial<RecipeOptions> = {}, onProgress?: RefineProgress): LocalEmbedder {
  if (isRefinedModelId(base.id)) throw new Error(`the local model ${base.id} is refined already`);
  const o = { ...DEFAULT_RECIPE, ...options };
  if (papers.length < o.minPapers) throw new Error(`too few papers to refine the local model (${papers.length}, at least ${o.minPapers})`);
  const D = base.dimensions;
  const P = base.projectedFeatures;
  const rows = base.rowsCopy();
  const m1 = new Float32Array(rows.length);
  const m2 = new Float32Array(rows.length);
  const rand = seededRandom(o.seed);
  const sparse = (text: string): Sparse | null => {
    const tv = base.termVector(text);
    let n = 0;
    for (let x = 0; x < tv.ids.length; x++) if (tv.ids[x] < P) n++;
    if (!n) return null;
    const ids = new Uint32Array(n);
    const w = new Float32Array(n);
    for (let x = 0, k = 0; x < tv.ids.length; x++) if (tv.ids[x] < P) (ids[k] = tv.ids[x]), (w[k++] = tv.weights[x]);
    return { ids, w };
  };
  // The pairs: (title, abstract) and (a sentence, the title and the rest of the abstract).
  const pairs: Array<[Sparse, Sparse]> = [];
  const paperOf: number[] = [];
  papers.forEach((p, pi) => {
    const a = sparse(p.title);
    const b = sparse(p.abstract);
    if (a && b) pairs.push([a, b]), paperOf.push(pi);
    const ss = sentencesOf(p.abstract);
    const titleWords = o.dropTitleWords ? new Set(p.title.toLowerCase().match(/[a-z0-9]+/g) ?? []) : null;
    for (let k = 0; k < o.sentencePairs && ss.length >= 3; k++) {
      const j = Math.floor(rand() * ss.length);
      const s = sparse(titleWords ? ss[j].replace(/[A-Za-z0-9]+/g, (w) => (titleWords.has(w.toLowerCase()) ? '' : w)) : ss[j]);
      const rest = sparse(`${p.title}. ${ss.filter((_, x) => x !== j).join(' ')}`);
      if (s && rest) pairs.push([s, rest]), paperOf.push(pi);
    }
  });
  // Hard batches: each pair's bucket from the signs of its document side's base vector on seeded hyperplanes.
  const bucket = new Int32Array(pairs.length);
  if (o.hardBits > 0) {
    const planes = new Float64Array(o.hardBits * D);
    for (let x = 0; x < planes.length; x++) planes[x] = rand() * 2 - 1;
    const v = new Float64Array(D);
    for (let x = 0; x < pairs.length; x++) {
      const side = pairs[x][1];
      v.fill(0);
      for (let k = 0; k < side.ids.length; k++) {
        const w = side.w[k];
        const pr = side.ids[k] * D;
        for (let d = 0; d < D; d++) v[d] += w * rows[pr + d];
      }
      let key = 0;
      for (let h = 0; h < o.hardBits; h++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += v[d] * planes[h * D + d];
        if (dot > 0) key |= 1 << h;
      }
      bucket[x] = key;
    }
  }
  const order = Array.from({ length: pairs.length }, (_, x) => x);
  const B = o.batch;
  const u = new Float64Array(2 * B * D);
  const z = new Float64Array(2 * B * D);
  const len = new Float64Array(2 * B);
  const gz = new Float64Array(2 * B * D);
  const logits = new Float64Array(B * B);
  const g = new Float64Array(B * B);
  // Row gradients in one dense buffer, only the rows a batch touched zeroed and read (listed apart).
  const grad = new Float32Array(P * D);
  const mark = new Int32Array(P).fill(-1);
  const touched: number[] = [];
  const b1 = 0.9;
  const b2 = 0.999;
  const batches = o.epochs * Math.floor(pairs.length / B);
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    if (o.hardBits > 0) {
      // Grouped by bucket (stable: random within a bucket), then the batches themselves shuffled.
      const grouped = order.map((x, r) => [bucket[x], r, x]).sort((p, q) => p[0] - q[0] || p[1] - q[1]).map((t) => t[2]);
      const nb = Math.floor(grouped.length / B);
      const bs = Array.from({ length: nb }, (_, x) => x);
      for (let i = nb - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [bs[i], bs[j]] = [bs[j], bs[i]];
      }
      order.length = 0;
      for (const b of bs) for (let r = 0; r < B; r++) order.push(grouped[b * B + r]);
    }
    for (let s0 = 0; s0 + B <= order.length; s0 += B) {
      step++;
      // Forward: side 0 in rows 0..B-1, side 1 in rows B..2B-1, each unit length.
      u.fill(0);
      for (let r = 0; r < 2 * B; r++) {
        const x = pairs[order[s0 + (r % B)]][r < B ? 0 : 1];
        const at = r * D;
        for (let k = 0; k < x.ids.length; k++) {
          const w = x.w[k];
          const pr = x.ids[k] * D;
          for (let d = 0; d < D; d++) u[at + d] += w * rows[pr + d];
        }
        let n = 0;
        for (let d = 0; d < D; d++) n += u[at + d] * u[at + d];
        len[r] = Math.sqrt(n) || 1;
        for (let d = 0; d < D; d++) z[at + d] = u[at + d] / len[r];
      }
      for (let a = 0; a < B; a++)
        for (let c = 0; c < B; c++) {
          let s = 0;
          const za = a * D;
          const zc = (B + c) * D;
          for (let d = 0; d < D; d++) s += z[za + d] * z[zc + d];
          logits[a * B + c] = s / o.temperature;
        }
      if (o.hardBits > 0)
        for (let a = 0; a < B; a++)
          for (let c = 0; c < B; c++) if (a !== c && paperOf[order[s0 + a]] === paperOf[order[s0 + c]]) logits[a * B + c] = -Infinity;
      // Symmetric InfoNCE: d loss / d logit = softmax − one-hot, over rows and over columns, ÷ 2B.
      g.fill(0);
      for (let a = 0; a < B; a++) {
        let mx = -Infinity;
        for (let c = 0; c < B; c++) mx = Math.max(mx, logits[a * B + c]);
        let sum = 0;
        for (let c = 0; c < B; c++) sum += Math.exp(logits[a * B + c] - mx);
        for (let c = 0; c < B; c++) g[a * B + c] += (Math.exp(logits[a * B + c] - mx) / sum - (a === c ? 1 : 0)) / (2 * B);
      }
      for (let c = 0; c < B; c++) {
        let mx = -Infinity;
        for (let a = 0; a < B; a++) mx = Math.max(mx, logits[a * B + c]);
        let sum = 0;
        for (let a = 0; a < B; a++) sum += Math.exp(logits[a * B + c] - mx);
        for (let a = 0; a < B; a++) g[a * B + c] += (Math.exp(logits[a * B + c] - mx) / sum - (a === c ? 1 : 0)) / (2 * B);
      }
      gz.fill(0);
      for (let a = 0; a < B; a++)
        for (let c = 0; c < B; c++) {
          const gg = g[a * B + c] / o.temperature;
          if (gg === 0) continue;
          const za = a * D;
          const zc = (B + c) * D;
          for (let d = 0; d < D; d++) {
            gz[za + d] += gg * z[zc + d];
            gz[zc + d] += gg * z[za + d];
          }
        }
      // Through the normalisation, du = (gz − z (z·gz)) / |u|; then to the rows, d row_f += w_f du.
      touched.length = 0;
      for (let r = 0; r < 2 * B; r++) {
        const at = r * D;
        let zg = 0;
        for (let d = 0; d < D; d++) zg += z[at + d] * gz[at + d];
        const x = pairs[order[s0 + (r % B)]][r < B ? 0 : 1];
        for (let k = 0; k < x.ids.length; k++) {
          const f = x.ids[k];
          if (mark[f] !== step) {
            mark[f] = step;
            touched.push(f);
            grad.fill(0, f * D, f * D + D);
          }
          const w = x.w[k] / len[r];
          const gr = f * D;
          for (let d = 0; d < D; d++) grad[gr + d] += w * (gz[at + d] - z[at + d] * zg);
        }
      }
      // Lazy Adam: only the rows this batch touched move.
      const lr = o.lrEnd === 1 ? o.lr : o.lr * (1 - ((1 - o.lrEnd) * (step - 1)) / Math.max(1, batches - 1));
      const c1 = lr / (1 - Math.pow(b1, step));
      const c2 = 1 / (1 - Math.pow(b2, step));
      for (const f of touched) {
        const pr = f * D;
        for (let d = 0; d < D; d++) {
          const gd = grad[pr + d];
          const a1 = (m1[pr + d] = b1 * m1[pr + d] + (1 - b1) * gd);
          const a2 = (m2[pr + d] = b2 * m2[pr + d] + (1 - b2) * gd * gd);
          rows[pr + d] -= (c1 * a1) / (Math.sqrt(a2 * c2) + 1e-8);
        }
      }
      if (onProgress && step % 50 === 0) onProgress(step, batches);
    }
  }
  onProgress?.(batches, batches);
  return base.withRows(rows, `${base.id}${REFINED_SUFFIX}`);
}
