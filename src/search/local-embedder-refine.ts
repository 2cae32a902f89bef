/**
 * The contrastive refinement of the offline model (issue 14, BENCHMARKS "Round 25 (branch
 * `contrast-serve`)"): the LSA model's latent rows are moved so that a paper's title lands near its
 * own abstract, and a sentence of the abstract near the title and the rest of it, against the other
 * papers of the batch (InfoNCE, both directions, in-batch negatives) — the shape of a reader's short
 * description against a paper's text, which the SVD of a term–document matrix never sees. One pass
 * over every paper, batch 128, temperature 0.1, two sentence pairs a paper, lazy Adam on the rows a
 * batch touches (round 24's recipe `c75t`, chosen on tuning data; bench/search-quality/contrastive.ts).
 *
 * Deterministic: the sentence picks and the order of the pairs come from a seeded generator, so
 * the same papers (in the same order) and the same base model give the same bytes on every server.
 * The refined model keeps the base's vocabulary and idf; its id is the base's with `-ctr1`.
 */
import { seededRandom } from '../domain/random.ts';
import type { LocalEmbedder, TrainingText } from './local-embedder.ts';

export interface RefineOptions {
  epochs: number;
  batch: number;
  temperature: number;
  lr: number;
  /** Pairs per paper: title ↔ abstract, and this many sentence ↔ title + rest-of-abstract pairs. */
  sentencePairs: number;
  seed: number;
  /** The fewest papers it trains on: below it there is not a batch of in-batch negatives worth the name. */
  minPapers: number;
}

export const DEFAULT_REFINE: RefineOptions = { epochs: 1, batch: 128, temperature: 0.1, lr: 0.002, sentencePairs: 2, seed: 19, minPapers: 256 };

/** What a refined model's id ends with (the recipe's version: a new recipe gets a new suffix). */
export const REFINED_SUFFIX = '-ctr1';

/** Whether a model id is a contrastively refined local model (hybrid search fuses it adaptively). */
export function isRefinedModelId(id: string | null | undefined): boolean {
  return !!id && id.startsWith('local-') && id.endsWith(REFINED_SUFFIX);
}

export type RefineProgress = (done: number, total: number) => void;

interface Sparse {
  ids: Uint32Array;
  w: Float32Array;
}

/** An abstract's sentences (over 20 characters), split after . ! ? before a capital, digit or bracket. */
export function sentencesOf(abstract: string): string[] {
  return abstract.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).filter((x) => x.trim().length > 20);
}

/**
 * The refined model (see the module comment). Throws when the base is refined already (its id says
 * so) or there are fewer than `minPapers` papers.
 */
export function refineModel(base: LocalEmbedder, papers: readonly TrainingText[], options: Partial<RefineOptions> = {}, onProgress?: RefineProgress): LocalEmbedder {
  if (isRefinedModelId(base.id)) throw new Error(`the local model ${base.id} is refined already`);
  const o = { ...DEFAULT_REFINE, ...options };
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
  for (const p of papers) {
    const a = sparse(p.title);
    const b = sparse(p.abstract);
    if (a && b) pairs.push([a, b]);
    const ss = sentencesOf(p.abstract);
    for (let k = 0; k < o.sentencePairs && ss.length >= 3; k++) {
      const j = Math.floor(rand() * ss.length);
      const s = sparse(ss[j]);
      const rest = sparse(`${p.title}. ${ss.filter((_, x) => x !== j).join(' ')}`);
      if (s && rest) pairs.push([s, rest]);
    }
  }
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
    for (let i = pairs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
    }
    for (let s0 = 0; s0 + B <= pairs.length; s0 += B) {
      step++;
      // Forward: side 0 in rows 0..B-1, side 1 in rows B..2B-1, each unit length.
      u.fill(0);
      for (let r = 0; r < 2 * B; r++) {
        const x = pairs[s0 + (r % B)][r < B ? 0 : 1];
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
        const x = pairs[s0 + (r % B)][r < B ? 0 : 1];
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
      const c1 = o.lr / (1 - Math.pow(b1, step));
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
