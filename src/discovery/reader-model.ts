import { FEATURE_DIM, denseDot, sparseDot, type SparseVector } from './text-features.ts';
import { seededRandom as rng } from '../domain/random.ts';

/**
 * A model of one reader, learned from their own examples: papers they upvoted, saved or picked
 * (positives), marked "not interested" (negatives), and a sample of other papers (background
 * negatives). Pure: vectors in, scores out.
 */
export type ExampleSource = 'upvote' | 'collection' | 'interest-paper' | 'interest-category' | 'interest-author' | 'follow-org' | 'not-interested' | 'background';

export interface Example {
  id: string;
  vector: SparseVector;
  label: 0 | 1;
  source: ExampleSource;
  /** Shown in reasons: the paper's title. */
  title?: string;
  /** Shown in reasons: the collection's name, the category or the author picked. */
  detail?: string;
}

export interface ReaderModel {
  score(x: SparseVector): number;
}

export type ModelKind = 'logistic' | 'rocchio' | 'knn';

/** How much one example counts: explicit marks more than the sampled background. */
const SOURCE_WEIGHT: Record<ExampleSource, number> = {
  upvote: 1,
  collection: 1,
  'interest-paper': 1,
  'interest-category': 0.5,
  'interest-author': 0.7,
  'follow-org': 0.5,
  'not-interested': 2,
  background: 1,
};


export interface LogisticOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 shrinkage per epoch. */
  l2?: number;
  seed?: number;
}

/**
 * Logistic regression by SGD over the sparse vectors. Positive and negative classes are balanced
 * (each class's weights sum to the same total), so a reader with 5 upvotes and 200 background
 * negatives still gets a model that leans towards their topic.
 */
export function trainLogistic(examples: readonly Example[], opts: LogisticOptions = {}): ReaderModel {
  const epochs = opts.epochs ?? 12;
  const lr0 = opts.learningRate ?? 1;
  const l2 = opts.l2 ?? 1e-3;
  const w = new Float32Array(FEATURE_DIM);
  let b = 0;
  const pos = examples.filter((e) => e.label === 1);
  const neg = examples.filter((e) => e.label === 0);
  if (!pos.length) return { score: () => 0 };
  const posTotal = pos.reduce((s, e) => s + SOURCE_WEIGHT[e.source], 0);
  const negTotal = neg.reduce((s, e) => s + SOURCE_WEIGHT[e.source], 0) || 1;
  const n = examples.length;
  const weights = examples.map((e) => (SOURCE_WEIGHT[e.source] * n) / (2 * (e.label ? posTotal : negTotal)));
  const order = examples.map((_, i) => i);
  const random = rng(opts.seed ?? 1);
  // The weights are `scale · w`: the per-epoch L2 shrink multiplies `scale` instead of touching all
  // FEATURE_DIM weights (a reader's examples touch a few thousand), and `w` is rescaled once at the end.
  let scale = 1;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const lr = lr0 / (1 + epoch);
    for (const i of order) {
      const e = examples[i];
      const z = scale * denseDot(w, e.vector) + b;
      const g = lr * weights[i] * (e.label - 1 / (1 + Math.exp(-z)));
      const x = e.vector;
      const step = g / scale;
      for (let k = 0; k < x.idx.length; k++) w[x.idx[k]] += step * x.val[k];
      b += g * 0.1;
    }
    if (l2 > 0) scale *= 1 - l2;
  }
  if (scale !== 1) for (let k = 0; k < w.length; k++) w[k] *= scale;
  return { score: (x) => denseDot(w, x) + b };
}

/** Rocchio: the positives' centroid minus a share of the negatives' (explicit and background). */
export function trainRocchio(examples: readonly Example[], opts: { beta?: number; gamma?: number } = {}): ReaderModel {
  const beta = opts.beta ?? 0.75;
  const gamma = opts.gamma ?? 0.25;
  const w = new Float32Array(FEATURE_DIM);
  const groups: [Example[], number][] = [
    [examples.filter((e) => e.label === 1), 1],
    [examples.filter((e) => e.source === 'not-interested'), -beta],
    [examples.filter((e) => e.source === 'background'), -gamma],
  ];
  for (const [group, factor] of groups) {
    const total = group.reduce((s, e) => s + SOURCE_WEIGHT[e.source], 0);
    for (const e of group) {
      const f = (factor * SOURCE_WEIGHT[e.source]) / total;
      for (let k = 0; k < e.vector.idx.length; k++) w[e.vector.idx[k]] += f * e.vector.val[k];
    }
  }
  return { score: (x) => denseDot(w, x) };
}

/** Nearest neighbour: the mean similarity to the three closest positives, minus the closest negative mark. */
export function knnModel(examples: readonly Example[]): ReaderModel {
  const pos = examples.filter((e) => e.label === 1);
  const marks = examples.filter((e) => e.source === 'not-interested');
  return {
    score(x) {
      const sims = pos.map((e) => sparseDot(e.vector, x)).sort((a, b) => b - a).slice(0, 3);
      const s = sims.reduce((a, b) => a + b, 0) / (sims.length || 1);
      const m = marks.reduce((best, e) => Math.max(best, sparseDot(e.vector, x)), 0);
      return s - 0.5 * m;
    },
  };
}

export function trainModel(kind: ModelKind, examples: readonly Example[], seed = 1): ReaderModel {
  if (kind === 'rocchio') return trainRocchio(examples);
  if (kind === 'knn') return knnModel(examples);
  return trainLogistic(examples, { seed });
}

export interface Pick {
  id: string;
  score: number;
  /** The reader's positive example most similar to this paper. */
  because: Example;
  similarity: number;
}

/**
 * Ranks candidates by the model and explains each of the top `limit` by the positive example
 * closest to it (cosine of the TF-IDF vectors). Ties keep the candidates' order.
 */
export function rankCandidates(model: ReaderModel, candidates: readonly { id: string; vector: SparseVector }[], examples: readonly Example[], limit: number): Pick[] {
  const positives = examples.filter((e) => e.label === 1);
  if (!positives.length) return [];
  const scored = candidates.map((c, i) => ({ c, i, s: model.score(c.vector) }));
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  const dense = new Float32Array(FEATURE_DIM);
  return scored.slice(0, limit).map(({ c, s }) => {
    // Scatter the pick once, then one cheap dot per positive.
    for (let k = 0; k < c.vector.idx.length; k++) dense[c.vector.idx[k]] = c.vector.val[k];
    let because = positives[0];
    let similarity = -1;
    for (const e of positives) {
      const sim = denseDot(dense, e.vector);
      if (sim > similarity) [because, similarity] = [e, sim];
    }
    for (let k = 0; k < c.vector.idx.length; k++) dense[c.vector.idx[k]] = 0;
    return { id: c.id, score: s, because, similarity };
  });
}

/** "like *X*, which you upvoted": why a pick was made, in words. */
export function reasonText(e: Example): string {
  const t = e.title ?? e.id;
  switch (e.source) {
    case 'upvote':
      return `like “${t}”, which you upvoted`;
    case 'collection':
      return `like “${t}”, which you saved in “${e.detail ?? 'a collection'}”`;
    case 'interest-paper':
      return `like “${t}”, which you picked`;
    case 'interest-category':
      return `close to your interest in ${e.detail ?? 'a category'} (like “${t}”)`;
    case 'interest-author':
      return `close to the work of ${e.detail ?? 'an author'}, whom you follow (like “${t}”)`;
    case 'follow-org':
      return `close to the work of ${e.detail ?? 'an organisation'}, which you follow (like “${t}”)`;
    default:
      return `like “${t}”`;
  }
}

/**
 * Background negatives: `count` ids sampled without replacement from `pool`, skipping `exclude`
 * (all of the rest when fewer remain). Seeded, so the same reader gets the same sample.
 */
export function sampleBackground(pool: readonly string[], count: number, exclude: ReadonlySet<string>, seed: number): string[] {
  const random = rng(seed);
  const out: string[] = [];
  if (pool.length <= count * 4) {
    // Small pool: a seeded shuffle of what is left.
    const left = pool.filter((id) => !exclude.has(id));
    for (let i = 0; i < left.length && i < count; i++) {
      const j = i + Math.floor(random() * (left.length - i));
      [left[i], left[j]] = [left[j], left[i]];
      out.push(left[i]);
    }
    return out;
  }
  // Large pool: rejection sampling; exclusions are few next to the pool.
  const seen = new Set<number>();
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const i = Math.floor(random() * pool.length);
    if (seen.has(i)) continue;
    seen.add(i);
    if (!exclude.has(pool[i])) out.push(pool[i]);
  }
  return out;
}
