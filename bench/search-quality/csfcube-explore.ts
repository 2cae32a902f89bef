/**
 * Tuning probe for similar papers on CSFCube (not the served path; csfcube.ts measures that): the
 * offline model trained in-process on the 4,205 papers with other dimensions and weightings, and each
 * facet's pool ranked directly by a mix of TF-IDF cosine (the model's term vectors) and latent cosine.
 * Shows fold1_dev (tune on it) and fold1_test apart.
 *
 *   node --import tsx bench/search-quality/csfcube-explore.ts ../shared/data/eval/csfcube ['default,256 d']
 */
import { loadavg } from 'node:os';
import { LocalEmbedder, paperText, termCosine, type LocalEmbedderOptions } from '../../src/search/local-embedder.ts';
import { loadCsfcube, ndcgAt20Percent } from './csfcube-data.ts';

const dir = process.argv[2];
const { papers, facets } = loadCsfcube(dir);
const texts = [...papers.values()];
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
console.log(`load ${loadavg()[0].toFixed(2)}`);
const variants: Array<[string, Partial<LocalEmbedderOptions>]> = [
  ['default (128 d, σ^0.5)', {}],
  ['64 d', { dimensions: 64 }],
  ['200 d', { dimensions: 200 }],
  ['256 d', { dimensions: 256 }],
  ['128 d σ^0', { sigmaExponent: 0 }],
  ['128 d σ^1', { sigmaExponent: 1 }],
  ['128 d no bigrams', { bigrams: false }],
];
// Optional third argument: only the variants whose names contain one of these (comma-separated).
const pick = process.argv[3]?.split(',');
for (const [name, opts] of variants.filter(([n]) => !pick || pick.some((x) => n.includes(x)))) {
  const t = performance.now();
  const model = LocalEmbedder.train(texts, opts);
  const secs = (performance.now() - t) / 1000;
  const vec = new Map<string, Float32Array>();
  const tv = new Map<string, ReturnType<LocalEmbedder['termVector']>>();
  for (const [pid, p] of papers) {
    vec.set(pid, model.embedOne(paperText(p)));
    tv.set(pid, model.termVector(paperText(p)));
  }
  const rows: string[] = [];
  for (const lex of [0, 0.2, 0.3, 0.4, 0.5, 1]) {
    const by: Record<string, number[]> = { dev: [], test: [], all: [] };
    for (const f of facets) {
      const s = f.cands.map((c) => lex * termCosine(tv.get(f.qid)!, tv.get(c)!) + (1 - lex) * dot(vec.get(f.qid)!, vec.get(c)!));
      const order = s.map((x, i) => ({ x, i })).sort((a, b) => b.x - a.x).map((o) => o.i);
      const v = ndcgAt20Percent(order, f.rel);
      by[f.split].push(v);
      by.all.push(v);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push(`lex ${lex}: dev ${mean(by.dev).toFixed(3)} test ${mean(by.test).toFixed(3)} all ${mean(by.all).toFixed(3)}`);
  }
  console.log(`${name} (train ${secs.toFixed(1)} s)\n  ${rows.join('\n  ')}`);
}
