/**
 * Round 19 probe for similar papers on CSFCube (not the served path; csfcube.ts measures that): the
 * offline model trained in-process on the 4,205 papers (as an instance trains on its own), then
 * refined by the served trainer (contrastive-tune.ts → `refineModel`) on the same papers under the
 * served recipe with each grid entry's overrides (`seed=19` is the served recipe itself); each
 * facet's pool ranked directly by the served mix 0.3 × TF-IDF + 0.7 × latent cosine (the TF-IDF
 * side does not change), and by the latent
 * cosine alone. fold1_dev only, unless `--heldout` (then fold1_test and all 50 too).
 *
 *   node --max-old-space-size=4000 --import tsx bench/search-quality/csfcube-contrastive.ts ../shared/data/eval/csfcube \
 *     --grid 'epochs=1;epochs=2,lr=0.001' [--heldout]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { LocalEmbedder, paperText, termCosine } from '../../src/search/local-embedder.ts';
import { fineTune, parseRecipe } from './contrastive-tune.ts';
import { loadCsfcube, ndcgAt20Percent } from './csfcube-data.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { grid: { type: 'string' }, heldout: { type: 'boolean' } } });
const { papers, facets } = loadCsfcube(positionals[0]);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const base = LocalEmbedder.train([...papers.values()]);
const terms = new Map([...papers].map(([id, p]) => [id, base.termVector(paperText(p))]));

function report(name: string, model: LocalEmbedder) {
  const vec = new Map([...papers].map(([id, p]) => [id, model.embedOne(paperText(p))]));
  for (const lex of [0.3, 0]) {
    const by: Record<string, number[]> = { dev: [], test: [], all: [] };
    for (const f of facets) {
      const s = f.cands.map((c) => lex * termCosine(terms.get(f.qid)!, terms.get(c)!) + (1 - lex) * dot(vec.get(f.qid)!, vec.get(c)!));
      const v = ndcgAt20Percent(s.map((x, i) => ({ x, i })).sort((a, b) => b.x - a.x).map((o) => o.i), f.rel);
      by[f.split].push(v);
      by.all.push(v);
    }
    const tail = values.heldout ? `  fold1_test ${mean(by.test).toFixed(3)}  all ${mean(by.all).toFixed(3)}` : '';
    console.log(`  ${`${name}, ${lex ? `served mix (TF-IDF ${lex})` : 'latent only'}`.padEnd(60)} fold1_dev ${mean(by.dev).toFixed(3)}${tail}`);
  }
}

report(`default (SVD) ${base.id}`, base);
for (const spec of (values.grid ?? '').split(';').filter(Boolean)) {
  const tuned = fineTune(base, [...papers.values()], parseRecipe(spec), 'ctr');
  report(`contrastive ${spec} (${tuned.seconds.toFixed(0)} s)`, tuned.model);
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
