/**
 * Round 19 probe: a self-supervised contrastive fine-tune of the offline model's projection (the
 * LSA rows of its 40,000 projected features). The model embeds a text as the unit-length sum of
 * its features' TF-IDF weights times their rows; here those rows are moved so that a paper's title
 * lands near its own abstract and a sentence of the abstract near the rest of it, against the
 * other papers of the batch (InfoNCE, both directions, in-batch negatives) — the shape of a reader's
 * short description against a paper's text, which the SVD of a term–document matrix never sees.
 * Starts from the SVD's rows, pulled back towards them by an L2 term, lazy Adam on the rows a
 * batch touches. Not served: bench/search-quality measures it (fusion-explore.ts with
 * `--models 'default;<tag>'` after `contrastive.ts` has written `model-<tag>.bin`; csfcube-contrastive.ts).
 */
import { LocalEmbedder, paperText, type TrainingText } from '../../src/search/local-embedder.ts';
import { seededRandom } from '../../src/domain/random.ts';

export interface ContrastiveOptions {
  epochs: number;
  batch: number;
  temperature: number;
  lr: number;
  /** L2 pull towards the SVD's rows (per step, on the rows touched). */
  anchor: number;
  /** Pairs per paper: title ↔ abstract, and this many sentence ↔ rest-of-abstract pairs. */
  sentencePairs: number;
  seed: number;
}

export const DEFAULT_CONTRASTIVE: ContrastiveOptions = { epochs: 1, batch: 128, temperature: 0.05, lr: 0.002, anchor: 0, sentencePairs: 1, seed: 19 };

const MAGIC = 'PBLSA2\n';

/** The model's parts (the class keeps them private): header, idf, projection. */
function split(model: LocalEmbedder) {
  const b = model.toBuffer();
  const hl = b.readUInt32LE(MAGIC.length);
  const at = MAGIC.length + 4;
  const header = JSON.parse(b.toString('utf8', at, at + hl)) as { id: string; dimensions: number; bigrams: boolean; projected: number; features: string[] };
  const nf = header.features.length;
  const idf = new Float32Array(nf);
  new Uint8Array(idf.buffer).set(b.subarray(at + hl, at + hl + 4 * nf));
  const projection = new Float32Array(header.projected * header.dimensions);
  new Uint8Array(projection.buffer).set(b.subarray(at + hl + 4 * nf, at + hl + 4 * nf + projection.byteLength));
  return { header, idf, projection };
}

function join(header: object, idf: Float32Array, projection: Float32Array): LocalEmbedder {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length);
  return LocalEmbedder.fromBuffer(Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, h, Buffer.from(idf.buffer), Buffer.from(projection.buffer)]));
}

interface Sparse {
  ids: Uint32Array;
  w: Float32Array;
}

export function sentencesOf(abstract: string): string[] {
  return abstract.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).filter((x) => x.trim().length > 20);
}

export function fineTune(model: LocalEmbedder, papers: readonly TrainingText[], options: Partial<ContrastiveOptions> = {}, tag = 'ctr'): { model: LocalEmbedder; seconds: number; pairs: number } {
  const o = { ...DEFAULT_CONTRASTIVE, ...options };
  const t0 = performance.now();
  const { header, idf, projection } = split(model);
  const D = header.dimensions;
  const P = header.projected;
  const anchor = Float32Array.from(projection);
  const m1 = new Float32Array(projection.length);
  const m2 = new Float32Array(projection.length);
  const rand = seededRandom(o.seed);
  const sparse = (text: string): Sparse | null => {
    const tv = model.termVector(text);
    const keep: number[] = [];
    for (let x = 0; x < tv.ids.length; x++) if (tv.ids[x] < P) keep.push(x);
    if (!keep.length) return null;
    return { ids: Uint32Array.from(keep.map((x) => tv.ids[x])), w: Float32Array.from(keep.map((x) => tv.weights[x])) };
  };
  // The pairs: (title, abstract) and (a sentence, the rest of the abstract).
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
  const u = new Float64Array(2 * B * D); // raw sums
  const z = new Float64Array(2 * B * D); // unit vectors
  const len = new Float64Array(2 * B);
  const gz = new Float64Array(2 * B * D);
  const logits = new Float64Array(B * B);
  // Row gradients in one dense buffer; the rows a batch touched listed apart (no per-row allocation).
  const grad = new Float64Array(P * D);
  const mark = new Int32Array(P).fill(-1);
  const touched: number[] = [];
  let step = 0;
  const b1 = 0.9;
  const b2 = 0.999;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = pairs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
    }
    for (let s0 = 0; s0 + B <= pairs.length; s0 += B) {
      step++;
      // Forward: side 0 rows 0..B-1, side 1 rows B..2B-1.
      u.fill(0);
      for (let r = 0; r < 2 * B; r++) {
        const x = pairs[s0 + (r % B)][r < B ? 0 : 1];
        const o2 = r * D;
        for (let k = 0; k < x.ids.length; k++) {
          const w = x.w[k];
          const pr = x.ids[k] * D;
          for (let d = 0; d < D; d++) u[o2 + d] += w * projection[pr + d];
        }
        let n = 0;
        for (let d = 0; d < D; d++) n += u[o2 + d] * u[o2 + d];
        len[r] = Math.sqrt(n) || 1;
        for (let d = 0; d < D; d++) z[o2 + d] = u[o2 + d] / len[r];
      }
      for (let a = 0; a < B; a++)
        for (let c = 0; c < B; c++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += z[a * D + d] * z[(B + c) * D + d];
          logits[a * B + c] = s / o.temperature;
        }
      // Symmetric InfoNCE: dL/dlogit = softmax − one-hot, over rows and over columns, ÷ 2B.
      gz.fill(0);
      const g = new Float64Array(B * B);
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
      for (let a = 0; a < B; a++)
        for (let c = 0; c < B; c++) {
          const gg = g[a * B + c] / o.temperature;
          if (gg === 0) continue;
          for (let d = 0; d < D; d++) {
            gz[a * D + d] += gg * z[(B + c) * D + d];
            gz[(B + c) * D + d] += gg * z[a * D + d];
          }
        }
      // Through the normalisation: du = (gz − z (z·gz)) / |u|; then to the rows: dP_f += w_f du.
      touched.length = 0;
      for (let r = 0; r < 2 * B; r++) {
        const o2 = r * D;
        let zg = 0;
        for (let d = 0; d < D; d++) zg += z[o2 + d] * gz[o2 + d];
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
          for (let d = 0; d < D; d++) grad[gr + d] += w * (gz[o2 + d] - z[o2 + d] * zg);
        }
      }
      // Lazy Adam on the touched rows, plus the pull towards the SVD's rows.
      const c1 = 1 - Math.pow(b1, step);
      const c2 = 1 - Math.pow(b2, step);
      for (const f of touched) {
        const pr = f * D;
        for (let d = 0; d < D; d++) {
          const gd = grad[pr + d] + o.anchor * (projection[pr + d] - anchor[pr + d]);
          m1[pr + d] = b1 * m1[pr + d] + (1 - b1) * gd;
          m2[pr + d] = b2 * m2[pr + d] + (1 - b2) * gd * gd;
          projection[pr + d] -= (o.lr * (m1[pr + d] / c1)) / (Math.sqrt(m2[pr + d] / c2) + 1e-8);
        }
      }
    }
  }
  const id = `${header.id}-${tag}`;
  return { model: join({ ...header, id }, idf, projection), seconds: (performance.now() - t0) / 1000, pairs: pairs.length };
}

/** Mean in-batch retrieval accuracy of title → abstract on held-aside papers (a sanity check of the training). */
export function titleToAbstractAccuracy(model: LocalEmbedder, papers: readonly TrainingText[], batch = 128): number {
  let ok = 0;
  let n = 0;
  for (let s = 0; s + batch <= papers.length; s += batch) {
    const q = papers.slice(s, s + batch).map((p) => model.embedOne(p.title));
    const d = papers.slice(s, s + batch).map((p) => model.embedOne(p.abstract));
    for (let a = 0; a < batch; a++) {
      let best = -1;
      let arg = -1;
      for (let c = 0; c < batch; c++) {
        let x = 0;
        for (let k = 0; k < q[a].length; k++) x += q[a][k] * d[c][k];
        if (x > best) (best = x), (arg = c);
      }
      ok += arg === a ? 1 : 0;
      n++;
    }
  }
  return ok / (n || 1);
}
export { paperText };
