/**
 * Round-18 probe for similar papers on CSFCube (not the served path; csfcube.ts measures that), each
 * facet's pool ranked directly with the offline model trained in-process on the 4,205 papers (as
 * csfcube-lexical.ts does). Ideas no earlier round tried:
 *
 *  - sentence max-sim: each abstract split into sentences (the title one of them); a pair of papers
 *    scored by how well each sentence of one is matched by its best sentence of the other (the
 *    served mix of TF-IDF and LSA cosine per sentence pair), mean over sentences, both directions;
 *  - shared neighbours (second order): two papers are similar when the same papers are near both —
 *    cosine of their top-k rows of the served similarity over the whole collection;
 *  - pivoted length normalisation: a candidate's score divided by (1 − s) + s × its length ÷ the mean;
 *  - phrase features: word pairs kept only when they are collocations (adjacent in the text with no
 *    stopword between, count ≥ 3, normalised PMI ≥ t) next to single words in the TF-IDF side.
 *
 * Each is added to the served mix (0.3 × model TF-IDF + 0.7 × LSA) at weight γ, or replaces it.
 * fold1_dev is what a choice may be made on; fold1_test is printed only with --heldout rows.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/csfcube-meaning.ts ../shared/data/eval/csfcube [--heldout 'name,name']
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { LocalEmbedder, paperText, termCosine, type TermVector } from '../../src/search/local-embedder.ts';
import { scanWords, analyseWord } from '../../src/search/tokenize.ts';
import { loadCsfcube, ndcgAt20Percent, type CsfcubeFacet } from './csfcube-data.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { heldout: { type: 'string' }, only: { type: 'string' }, rows: { type: 'string', default: 'served' } } });
const dir = positionals[0];
if (!dir) {
  console.error('usage: csfcube-meaning.ts <csfcube dir> [--heldout names] [--only family]');
  process.exit(2);
}
const heldout = new Set((values.heldout ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const only = values.only;
const { papers, facets } = loadCsfcube(dir);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const order = (s: number[]) => s.map((x, i) => ({ x, i })).sort((a, b) => b.x - a.x).map((o) => o.i);
const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

console.log(`load average ${load()}`);
let t0 = performance.now();
const model = LocalEmbedder.train([...papers.values()]);
console.log(`trained ${model.id} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const ids = [...papers.keys()];
const index = new Map(ids.map((x, i) => [x, i]));
const vec = ids.map((pid) => model.embedOne(paperText(papers.get(pid)!)));
const terms = ids.map((pid) => model.termVector(paperText(papers.get(pid)!)));
type Sim = (q: number, c: number) => number;
const latent: Sim = (q, c) => dot(vec[q], vec[c]);
const tfidf: Sim = (q, c) => termCosine(terms[q], terms[c]);
const served: Sim = (q, c) => 0.3 * tfidf(q, c) + 0.7 * latent(q, c);

/** NDCG%20 on fold1_dev (and on fold1_test and all 50 when the row is named in --heldout). */
function report(name: string, sim: Sim): void {
  const by: Record<'dev' | 'test' | 'all', number[]> = { dev: [], test: [], all: [] };
  for (const f of facets) {
    const q = index.get(f.qid)!;
    if (f.split === 'test' && !heldout.has(name)) continue;
    const v = ndcgAt20Percent(order(f.cands.map((c) => sim(q, index.get(c)!))), f.rel);
    by[f.split].push(v);
    by.all.push(v);
  }
  const test = heldout.has(name) ? `  fold1_test ${mean(by.test).toFixed(3)}  all ${mean(by.all).toFixed(3)}` : '';
  const fac = (k: string) => mean(facets.filter((f) => f.split === 'dev' && f.facet === k).map((f) => ndcgAt20Percent(order(f.cands.map((c) => sim(index.get(f.qid)!, index.get(c)!))), f.rel)));
  console.log(`${name.padEnd(56)} fold1_dev ${mean(by.dev).toFixed(3)} (bg ${fac('background').toFixed(3)} me ${fac('method').toFixed(3)} re ${fac('result').toFixed(3)})${test}`);
}
const plus = (a: Sim, g: number, b: Sim): Sim => (q, c) => a(q, c) + g * b(q, c);

report('served mix (0.3 TF-IDF + 0.7 LSA)', served);
report('TF-IDF alone', tfidf);
report('LSA alone', latent);

// ---- sentence max-sim ------------------------------------------------------------------------
if (!only || only === 'sentences') {
  t0 = performance.now();
  const split = (text: string) => text.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).map((s) => s.trim()).filter((s) => s.length > 20);
  const sents = ids.map((pid) => {
    const p = papers.get(pid)!;
    const ss = [p.title, ...split(p.abstract)];
    return { t: ss.map((s) => model.termVector(s)), v: ss.map((s) => model.embedOne(s)) };
  });
  console.log(`sentences: ${mean(sents.map((s) => s.t.length)).toFixed(1)} a paper, embedded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const pairSim = (a: number, i: number, b: number, j: number, lex: number) => lex * termCosine(sents[a].t[i], sents[b].t[j]) + (1 - lex) * dot(sents[a].v[i], sents[b].v[j]);
  /** Mean over a's sentences of the best match among b's. */
  const dir = (a: number, b: number, lex: number) => {
    let s = 0;
    const n = sents[a].t.length;
    for (let i = 0; i < n; i++) {
      let best = -1;
      for (let j = 0; j < sents[b].t.length; j++) best = Math.max(best, pairSim(a, i, b, j, lex));
      s += best;
    }
    return s / n;
  };
  /** Mean of the m best sentence pairs. */
  const topPairs = (a: number, b: number, m: number, lex: number) => {
    const xs: number[] = [];
    for (let i = 0; i < sents[a].t.length; i++) for (let j = 0; j < sents[b].t.length; j++) xs.push(pairSim(a, i, b, j, lex));
    xs.sort((x, y) => y - x);
    return mean(xs.slice(0, m));
  };
  const cache = new Map<string, number>();
  const memo = (key: string, f: () => number) => {
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = f()));
    return v;
  };
  for (const lex of [0.3, 1]) {
    const sym: Sim = (q, c) => memo(`s${lex}:${q}:${c}`, () => 0.5 * (dir(q, c, lex) + dir(c, q, lex)));
    const qside: Sim = (q, c) => memo(`q${lex}:${q}:${c}`, () => dir(q, c, lex));
    report(`maxsim sym (sentence lex ${lex}) alone`, sym);
    report(`maxsim q→c (sentence lex ${lex}) alone`, qside);
    for (const g of [0.25, 0.5, 1]) {
      report(`served + ${g} × maxsim sym (lex ${lex})`, plus(served, g, sym));
      report(`served + ${g} × maxsim q→c (lex ${lex})`, plus(served, g, qside));
    }
    for (const m of [1, 3]) {
      const tp: Sim = (q, c) => memo(`t${m}:${lex}:${q}:${c}`, () => topPairs(q, c, m, lex));
      report(`top-${m} sentence pairs (lex ${lex}) alone`, tp);
      for (const g of [0.25, 0.5]) report(`served + ${g} × top-${m} pairs (lex ${lex})`, plus(served, g, tp));
    }
  }
  console.log(`sentence family done, load ${load()}`);
}

// ---- shared neighbours -----------------------------------------------------------------------
if (!only || only === 'neighbours') {
  t0 = performance.now();
  const n = ids.length;
  // TF-IDF similarities by an inverted index over feature ids.
  const postings = new Map<number, Array<[number, number]>>();
  terms.forEach((t, d) => t.ids.forEach((f, x) => {
    let l = postings.get(f);
    if (!l) postings.set(f, (l = []));
    l.push([d, t.weights[x]]);
  }));
  const row = new Float64Array(n);
  const K = values.rows === 'lsa' ? [10, 50] : [10, 25, 50, 100];
  const nbr: Array<Map<number, { ids: Int32Array; w: Float32Array }>> = [];
  for (let d = 0; d < n; d++) {
    row.fill(0);
    const t = terms[d];
    // --rows lsa: the neighbours an ANN search of the stored vectors would give (no TF-IDF side).
    const lexShare = values.rows === 'lsa' ? 0 : 0.3;
    if (lexShare) for (let x = 0; x < t.ids.length; x++) for (const [e, w] of postings.get(t.ids[x])!) row[e] += lexShare * w * t.weights[x];
    for (let e = 0; e < n; e++) row[e] += (1 - lexShare) * dot(vec[d], vec[e]);
    row[d] = 1;
    const top = Array.from(row.keys()).sort((a, b) => row[b] - row[a]).slice(0, K[K.length - 1] + 1);
    const m = new Map<number, { ids: Int32Array; w: Float32Array }>();
    for (const k of K) {
      const sel = top.slice(0, k + 1).sort((a, b) => a - b);
      m.set(k, { ids: Int32Array.from(sel), w: Float32Array.from(sel.map((e) => row[e])) });
    }
    nbr.push(m);
  }
  console.log(`neighbour rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const sparseCos = (a: { ids: Int32Array; w: Float32Array }, b: { ids: Int32Array; w: Float32Array }) => {
    let i = 0;
    let j = 0;
    let s = 0;
    let na = 0;
    let nb = 0;
    for (const w of a.w) na += w * w;
    for (const w of b.w) nb += w * w;
    while (i < a.ids.length && j < b.ids.length) {
      if (a.ids[i] === b.ids[j]) s += a.w[i++] * b.w[j++];
      else if (a.ids[i] < b.ids[j]) i++;
      else j++;
    }
    return s / Math.sqrt(na * nb || 1);
  };
  const sharedCount = (a: { ids: Int32Array }, b: { ids: Int32Array }) => {
    let i = 0;
    let j = 0;
    let s = 0;
    while (i < a.ids.length && j < b.ids.length) {
      if (a.ids[i] === b.ids[j]) {
        s++;
        i++;
        j++;
      } else if (a.ids[i] < b.ids[j]) i++;
      else j++;
    }
    return s / Math.sqrt(a.ids.length * b.ids.length);
  };
  for (const k of K) {
    const s2: Sim = (q, c) => sparseCos(nbr[q].get(k)!, nbr[c].get(k)!);
    const s2b: Sim = (q, c) => sharedCount(nbr[q].get(k)!, nbr[c].get(k)!);
    report(`shared neighbours k ${k}, weighted, alone`, s2);
    report(`shared neighbours k ${k}, count, alone`, s2b);
    for (const g of [0.1, 0.25, 0.5, 1]) {
      report(`served + ${g} × shared neighbours k ${k} (weighted${values.rows === 'lsa' ? ', LSA rows' : ''})`, plus(served, g, s2));
      report(`served + ${g} × shared neighbours k ${k} (count${values.rows === 'lsa' ? ', LSA rows' : ''})`, plus(served, g, s2b));
    }
  }
  console.log(`neighbour family done, load ${load()}`);
}

// ---- phrase features (collocations) ----------------------------------------------------------
if (!only || only === 'phrases') {
  /** Stems in order, a null where a stopword (or sentence punctuation) breaks adjacency. */
  const streams = ids.map((pid) => {
    const p = papers.get(pid)!;
    const out: Array<string | null> = [];
    for (const part of `${p.title}. ${p.abstract}`.split(/[.,;:!?()]/)) {
      scanWords(part, (w) => out.push(analyseWord(w)));
      out.push(null);
    }
    return out;
  });
  const uni = new Map<string, number>();
  const bi = new Map<string, number>();
  let tokens = 0;
  let pairsN = 0;
  const df = new Map<string, number>();
  for (const s of streams) {
    const seen = new Set<string>();
    for (let i = 0; i < s.length; i++) {
      const a = s[i];
      if (a === null) continue;
      tokens++;
      uni.set(a, (uni.get(a) ?? 0) + 1);
      seen.add(a);
      const b = s[i + 1];
      if (b) {
        const k = `${a} ${b}`;
        pairsN++;
        bi.set(k, (bi.get(k) ?? 0) + 1);
        seen.add(k);
      }
    }
    for (const x of seen) df.set(x, (df.get(x) ?? 0) + 1);
  }
  const npmi = (k: string) => {
    const [a, b] = k.split(' ');
    const pab = bi.get(k)! / pairsN;
    const pa = uni.get(a)! / tokens;
    const pb = uni.get(b)! / tokens;
    return Math.log(pab / (pa * pb)) / -Math.log(pab);
  };
  const N = ids.length;
  const build = (keep: (k: string) => boolean, beta: number) =>
    streams.map((s) => {
      const tf = new Map<string, number>();
      for (let i = 0; i < s.length; i++) {
        const a = s[i];
        if (a === null) continue;
        if ((df.get(a) ?? 0) >= 1) tf.set(a, (tf.get(a) ?? 0) + 1);
        const b = s[i + 1];
        if (b && keep(`${a} ${b}`)) tf.set(`${a} ${b}`, (tf.get(`${a} ${b}`) ?? 0) + 1);
      }
      const v = new Map<string, number>();
      let n2 = 0;
      for (const [x, f] of tf) {
        const w = (1 + Math.log(f)) * Math.log(N / df.get(x)!) * (x.includes(' ') ? beta : 1);
        v.set(x, w);
        n2 += w * w;
      }
      const norm = Math.sqrt(n2) || 1;
      for (const [x, w] of v) v.set(x, w / norm);
      return v;
    });
  const cos = (a: Map<string, number>, b: Map<string, number>) => {
    let s = 0;
    for (const [x, w] of a) s += w * (b.get(x) ?? 0);
    return s;
  };
  const variants: Array<[string, (k: string) => boolean, number]> = [
    ['words only', () => false, 1],
    ['words + every adjacent pair', (k) => (bi.get(k) ?? 0) >= 2, 1],
  ];
  for (const t of [0.2, 0.35, 0.5]) for (const beta of [1, 1.5]) variants.push([`words + collocations npmi ≥ ${t}, β ${beta}`, (k) => (bi.get(k) ?? 0) >= 3 && npmi(k) >= t, beta]);
  for (const [name, keep, beta] of variants) {
    const vs = build(keep, beta);
    const lex: Sim = (q, c) => cos(vs[q], vs[c]);
    for (const w of [0.3, 0.5]) report(`${name}: × ${w} + LSA`, (q, c) => w * lex(q, c) + (1 - w) * latent(q, c));
    report(`${name}: served + 0.3 × it`, plus(served, 0.3, lex));
  }
  console.log(`phrase family done, load ${load()}`);
}
// ---- pivoted length normalisation of the candidate's score --------------------------------------
if (!only || only === 'pivot') {
  // Cosine favours short candidates (few terms, each weighing more); pivoting divides a candidate's
  // score by (1 − s) + s × its length ÷ the mean length, length = distinct features of its text.
  const len = terms.map((t) => t.ids.length);
  const avg = mean(len);
  for (const s of [-0.2, -0.1, 0.1, 0.2, 0.3]) {
    report(`served ÷ pivot s ${s}`, (q, c) => served(q, c) / (1 - s + (s * len[c]) / avg));
    report(`served, TF-IDF side ÷ pivot s ${s}`, (q, c) => (0.3 * tfidf(q, c)) / (1 - s + (s * len[c]) / avg) + 0.7 * latent(q, c));
  }
  console.log(`pivot family done, load ${load()}`);
}
void ({} as CsfcubeFacet);
console.log(`load average at the end ${load()}`);
