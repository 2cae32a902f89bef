/**
 * Round 19, document-side expansion (doc2query in spirit): each paper gets a few words that the
 * corpus model predicts for it but its own text lacks — the unigram features whose latent rows are
 * nearest the paper's latent vector — searched by BM25 as a separate low-weight field (its own
 * document frequencies and length normalisation, as the PDF-text field is: the probe puts the words
 * in `pdfText`, so `pdfWeight` is the field's weight). Unlike query expansion (rounds 15–17), the
 * whole abstract chooses the words, so a reader's lay word can meet a paper that never uses it.
 *
 * Ranked in-process exactly as the served hybrid (BM25 with spelling variants, top 100, convex
 * 0.7 × BM25/best + 0.3 × exact cosine, plus the top 100 by cosine); its `bm25` and `served` rows
 * without expansion reproduce served.ts. Tuning data only by default; `--heldout 'm w,…'` runs the
 * held-out half once for the settings named.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/doc-expansion.ts ../shared/data/arxiv-listings \
 *     --cache /tmp/meaning-r19/cache --grid '5 0.1;10 0.2' [--model-spec default] [--heldout '10 0.2']
 *
 * Round 20, cheaper lists: `--ivf C:P` scores only the words of each paper's P best of C word
 * clusters (JavaScript loops, or usearch's exact search per cluster with `--native`, centred only);
 * `--vocab n` keeps the n candidate words of highest document frequency. Each form caches its own lists.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import usearch from 'usearch';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { parseQuery } from '../../src/search/query.ts';
import { queryTermsWithVariants } from '../../src/search/spelling-variants.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { loadCorpus } from './corpus.ts';
import { surfaceWords } from './surface-words.ts';
import { exploreSets } from './explore-sets.ts';
import { rankOf, score } from './metrics.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { cache: { type: 'string' }, grid: { type: 'string' }, heldout: { type: 'string' }, 'model-spec': { type: 'string' }, max: { type: 'string' }, 'min-cos': { type: 'string' }, 'max-df': { type: 'string' }, centre: { type: 'boolean' }, native: { type: 'boolean' }, ivf: { type: 'string' }, vocab: { type: 'string' } },
});
if (!positionals[0] || !values.cache) {
  console.error('usage: doc-expansion.ts <arxiv-listings dir> --cache DIR --grid "m weight;…" [--heldout "m weight,…"]');
  process.exit(2);
}
const spec = values['model-spec'] ?? 'default';
const M = Number(values.max ?? 20);
const minCos = Number(values['min-cos'] ?? 0);
const maxDfShare = Number(values['max-df'] ?? 0.05);
const corpus = loadCorpus(positionals[0]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const byId = new Map(corpus.map((p) => [p.id, p]));
const N = corpus.length;
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${N} papers`);

// The model and vectors fusion-explore.ts cached (run it once with the same --cache first).
const model = LocalEmbedder.fromBuffer(readFileSync(join(values.cache, `model-${spec.replace(/[^a-zA-Z0-9=,.]/g, '_')}.bin`)));
const D = model.dimensions;
const vectors = new Float32Array(new Uint8Array(readFileSync(join(values.cache, `vectors-${model.id}.f32`))).buffer);
if (vectors.length !== N * D) throw new Error('vectors do not match the corpus');

let t = performance.now();
const plain = InvertedIndex.build(corpus);
console.log(`plain index in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// Candidate words: unigram features with a latent row, letters only, in 5 papers up to maxDf of them.
const surface = surfaceWords(corpus);
/** The stem's most frequent word, which tokenizes back to the stem (checked). */
const wordOf = new Map<string, string>();
for (const [s, m] of surface) {
  const w = [...m].sort((a, b) => b[1] - a[1])[0][0];
  if (tokenize(w)[0] === s) wordOf.set(s, w);
}
const cands: string[] = [];
for (let f = 0; f < model.featureCount; f++) {
  const name = model.featureName(f);
  if (name.includes(' ') || !wordOf.has(name)) continue;
  const df = plain.docFrequency(name);
  if (df >= 5 && df <= maxDfShare * N) cands.push(name);
}
let rows = new Float32Array(cands.length * D);
cands.forEach((f, i) => rows.set(model.embedOne(f), i * D));
// Only features with a latent row (a lone unprojected word embeds to the fixed fallback vector).
const fallback = 1 / Math.sqrt(D);
const usable = cands.map((_, i) => !(rows[i * D] === fallback && rows[i * D + 1] === fallback));
console.log(`${cands.length} candidate words (${usable.filter(Boolean).length} with a latent row)`);

// --vocab n (round 20): only the n candidate words of highest document frequency.
if (values.vocab && Number(values.vocab) < cands.length) {
  const keep = cands.map((c, i) => ({ c, i, df: plain.docFrequency(c) })).sort((a, b) => b.df - a.df || a.i - b.i).slice(0, Number(values.vocab)).sort((a, b) => a.i - b.i);
  const r2 = new Float32Array(keep.length * D);
  keep.forEach((k, j) => r2.set(rows.subarray(k.i * D, (k.i + 1) * D), j * D));
  const u2 = keep.map((k) => usable[k.i]);
  cands.length = 0;
  cands.push(...keep.map((k) => k.c));
  rows = r2;
  usable.length = 0;
  usable.push(...u2);
  console.log(`vocabulary cut to the ${cands.length} most frequent candidate words`);
}
const wordRows = rows;
const ivfSpec = values.ivf?.split(':').map(Number);
const expFile = join(values.cache, `docexp-${model.id}-M${M}-df${maxDfShare}${values.centre ? '-centre' : ''}${values.vocab ? `-v${values.vocab}` : ''}${ivfSpec ? `-ivf${ivfSpec.join('x')}` : ''}${values.native ? '-native' : ''}.json`);
// --centre: a word's score is its cosine to the paper minus its cosine to the mean paper, so that
// words near every abstract (the first runs' "addresse, although, among") do not fill the lists.
const generic = new Float32Array(cands.length);
if (values.centre) {
  const mean = new Float64Array(D);
  for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mean[d] += vectors[i * D + d] / N;
  for (let v = 0; v < cands.length; v++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += wordRows[v * D + d] * mean[d];
    generic[v] = s;
  }
}
/** The K best (word, score) pairs seen, by a running threshold (most words fall below it at once). */
class RunningTop {
  readonly items: Array<[number, number]> = [];
  private floor = -Infinity;
  constructor(private readonly k: number) {}
  offer(v: number, s: number): void {
    if (s <= this.floor) return;
    this.items.push([v, s]);
    if (this.items.length >= 2 * this.k) {
      this.items.sort((a, b) => b[1] - a[1]);
      this.items.length = this.k;
      this.floor = this.items[this.k - 1][1];
    }
  }
  sorted(): Array<[number, number]> {
    return this.items.sort((a, b) => b[1] - a[1]);
  }
}

/** A paper's expansion: its best-scoring candidate words (at most M) that its own text does not hold. */
function expansionOf(i: number, ranked: Array<[number, number]>): string[] {
  const own = new Set(tokenize(paperText(corpus[i])));
  const list: string[] = [];
  for (const [v, s] of ranked) {
    if (list.length >= M) break;
    if (s > 0 && !own.has(cands[v])) list.push(`${cands[v]}:${s.toFixed(3)}`);
  }
  return list;
}

let expansions: string[][];
if (existsSync(expFile)) expansions = JSON.parse(readFileSync(expFile, 'utf8')) as string[][];
else if (ivfSpec) expansions = ivfExpansions(ivfSpec[0], ivfSpec[1]);
else {
  t = performance.now();
  expansions = [];
  const V = cands.length;
  const K = M + 40;
  const sc = new Float32Array(4 * V);
  for (let i0 = 0; i0 < N; i0 += 4) {
    // Four papers per pass over the word rows: each row is loaded once for the four.
    const nb = Math.min(4, N - i0);
    const o0 = i0 * D;
    const o1 = (i0 + Math.min(1, nb - 1)) * D;
    const o2 = (i0 + Math.min(2, nb - 1)) * D;
    const o3 = (i0 + Math.min(3, nb - 1)) * D;
    for (let v = 0; v < V; v++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const r = v * D;
      for (let d = 0; d < D; d++) {
        const x = wordRows[r + d];
        s0 += vectors[o0 + d] * x;
        s1 += vectors[o1 + d] * x;
        s2 += vectors[o2 + d] * x;
        s3 += vectors[o3 + d] * x;
      }
      const u = usable[v];
      const gv = generic[v];
      sc[v] = u ? s0 - gv : -2;
      sc[V + v] = u ? s1 - gv : -2;
      sc[2 * V + v] = u ? s2 - gv : -2;
      sc[3 * V + v] = u ? s3 - gv : -2;
    }
    for (let b = 0; b < nb; b++) {
      const i = i0 + b;
      const base = b * V;
      const top = new RunningTop(K);
      for (let v = 0; v < V; v++) top.offer(v, sc[base + v]);
      expansions.push(expansionOf(i, top.sorted()));
      if (i % 5000 === 0) console.log(`  expanded ${i} papers, ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  }
  writeFileSync(expFile, JSON.stringify(expansions));
  console.log(`expansions of ${N} papers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
/**
 * Round 20: the same centred scores, but each paper scores only the words of its P best clusters of
 * C (spherical k-means over the unit word rows, 8 rounds from an evenly spaced start; a cluster's
 * score is its centroid's dot product with the query, paper − mean paper when centred). Prints the
 * time and CPU of the clustering and of the lists, and how many of the exhaustive lists' words a
 * sample of 2,000 papers keeps.
 */
function ivfExpansions(C: number, P: number): string[][] {
  const V = cands.length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const live = Array.from({ length: V }, (_, v) => v).filter((v) => usable[v]);
  const cent = new Float32Array(C * D);
  for (let c = 0; c < C; c++) cent.set(wordRows.subarray(live[Math.floor((c * live.length) / C)] * D, live[Math.floor((c * live.length) / C)] * D + D), c * D);
  const assign = new Int32Array(V).fill(-1);
  for (let round = 0; round < 8; round++) {
    for (const v of live) {
      let best = -Infinity;
      let bc = 0;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let d = 0, o = c * D, r = v * D; d < D; d++) s += cent[o + d] * wordRows[r + d];
        if (s > best) (best = s), (bc = c);
      }
      assign[v] = bc;
    }
    cent.fill(0);
    for (const v of live) for (let d = 0; d < D; d++) cent[assign[v] * D + d] += wordRows[v * D + d];
    for (let c = 0; c < C; c++) {
      let n = 0;
      for (let d = 0; d < D; d++) n += cent[c * D + d] ** 2;
      n = Math.sqrt(n) || 1;
      for (let d = 0; d < D; d++) cent[c * D + d] /= n;
    }
  }
  // Words grouped by cluster, their rows copied together so a probed cluster is one contiguous scan.
  const members: number[][] = Array.from({ length: C }, () => []);
  for (const v of live) members[assign[v]].push(v);
  const order = members.flat();
  const start = new Int32Array(C + 1);
  for (let c = 0; c < C; c++) start[c + 1] = start[c] + members[c].length;
  const packed = new Float32Array(order.length * D);
  order.forEach((v, j) => packed.set(wordRows.subarray(v * D, v * D + D), j * D));
  const packedGeneric = Float32Array.from(order, (v) => generic[v]);
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  const mean = new Float64Array(D);
  if (values.centre) for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mean[d] += vectors[i * D + d] / N;
  const q = new Float32Array(D);
  const cs = new Float32Array(C);
  const K = M + 40;
  const out: string[][] = [];
  let scored = 0;
  if (values.native) {
    // --native: the same lists from usearch's exact search (native, one thread): the clusters each
    // paper probes, then one exact search per cluster over the papers that probe it.
    if (!values.centre) throw new Error('--native scores centred words only');
    const Q = new Float32Array(N * D);
    for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) Q[i * D + d] = vectors[i * D + d] - mean[d];
    const probes = usearch.exactSearch(cent, Q, D, P, usearch.MetricKind.IP, 1) as InstanceType<typeof usearch.BatchMatches>;
    const probers: number[][] = Array.from({ length: C }, () => []);
    for (let i = 0; i < N; i++) for (let j = 0; j < P; j++) probers[Number(probes.keys[i * P + j])].push(i);
    const found: Array<Array<[number, number]>> = Array.from({ length: N }, () => []);
    for (let c = 0; c < C; c++) {
      const size = start[c + 1] - start[c];
      if (!size || !probers[c].length) continue;
      const Qc = new Float32Array(probers[c].length * D);
      probers[c].forEach((i, r) => Qc.set(Q.subarray(i * D, i * D + D), r * D));
      const k = Math.min(K, size);
      const m = usearch.exactSearch(packed.subarray(start[c] * D, start[c + 1] * D), Qc, D, k, usearch.MetricKind.IP, 1) as InstanceType<typeof usearch.BatchMatches>;
      probers[c].forEach((i, r) => {
        for (let j = 0; j < k; j++) found[i].push([order[start[c] + Number(m.keys[r * k + j])], 1 - m.distances[r * k + j]]);
      });
      scored += size * probers[c].length;
    }
    for (let i = 0; i < N; i++) {
      out.push(expansionOf(i, found[i].sort((a, b) => b[1] - a[1])));
    }
  }
  for (let i = 0; i < (values.native ? 0 : N); i++) {
    for (let d = 0; d < D; d++) q[d] = vectors[i * D + d] - mean[d];
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let d = 0, o = c * D; d < D; d++) s += cent[o + d] * q[d];
      cs[c] = s;
    }
    const probe = Array.from({ length: C }, (_, c) => c).sort((a, b) => cs[b] - cs[a]).slice(0, P);
    const top = new RunningTop(K);
    for (const c of probe)
      for (let j = start[c]; j < start[c + 1]; j++) {
        let s = 0;
        for (let d = 0, o = j * D; d < D; d++) s += packed[o + d] * vectors[i * D + d];
        s -= packedGeneric[j];
        scored++;
        top.offer(order[j], s);
      }
    out.push(expansionOf(i, top.sorted()));
  }
  const t2 = performance.now();
  const cpu2 = process.cpuUsage(cpu0);
  const cpuS = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
  console.log(
    `IVF ${C} clusters, ${P} probed: clustering ${((t1 - t0) / 1000).toFixed(1)} s wall / ${cpuS(cpu1).toFixed(1)} s CPU; lists ${((t2 - t1) / 1000).toFixed(1)} s wall / ${(cpuS(cpu2) - cpuS(cpu1)).toFixed(1)} s CPU (own-word tokenising included); ${(scored / N).toFixed(0)} words scored a paper of ${live.length}`,
  );
  // Recall against the exhaustive lists, on every 37th paper.
  let kept = 0;
  let total = 0;
  for (let i = 0; i < N; i += 37) {
    for (let d = 0; d < D; d++) q[d] = vectors[i * D + d];
    const all: Array<[number, number]> = [];
    for (const v of live) {
      let s = 0;
      for (let d = 0, o = v * D; d < D; d++) s += wordRows[o + d] * q[d];
      all.push([v, s - generic[v]]);
    }
    all.sort((a, b) => b[1] - a[1]);
    const own = new Set(tokenize(paperText(corpus[i])));
    const want = new Set<string>();
    for (const [v, s] of all) {
      if (want.size >= M) break;
      if (s > 0 && !own.has(cands[v])) want.add(cands[v]);
    }
    kept += out[i].filter((e) => want.has(e.split(':')[0])).length;
    total += want.size;
  }
  console.log(`the exhaustive lists' words kept (every 37th paper): ${kept} of ${total} (${((100 * kept) / total).toFixed(1)} %)`);
  writeFileSync(expFile, JSON.stringify(out));
  return out;
}
for (const i of [0, 1000, 20000]) console.log(`  e.g. "${corpus[i].title.slice(0, 70)}": ${expansions[i].slice(0, 10).join(' ')}`);

const heldoutPicks = values.heldout?.split(',').map((s) => s.trim());
const sets = exploreSets((id) => byId.get(id)!.title, heldoutPicks !== undefined);
const row = new Map(corpus.map((p, i) => [p.id, i]));

function cosines(text: string): Float32Array {
  const q = model.embedOne(text);
  const cos = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let c = 0, o = i * D; c < D; c++) s += q[c] * vectors[o + c];
    cos[i] = s;
  }
  return cos;
}
const texts: Record<string, string[]> = Object.fromEntries(Object.entries(sets).map(([set, qs]) => [set, qs.map((q) => parseQuery(q.query).terms.join(' '))]));
t = performance.now();
const cosOf: Record<string, Array<{ cos: Float32Array; vecTop: number[] }>> = {};
for (const [set, ts] of Object.entries(texts))
  cosOf[set] = ts.map((x) => {
    const cos = cosines(x);
    return { cos, vecTop: Array.from({ length: N }, (_, i) => i).sort((a, b) => cos[b] - cos[a]).slice(0, 100) };
  });
console.log(`query cosines in ${((performance.now() - t) / 1000).toFixed(1)} s`);

/** The served convex mix over BM25's top 100 and the top 100 by cosine, exact cosines. */
function served(bm: Array<{ i: number; s: number }>, c: { cos: Float32Array; vecTop: number[] }, w = 0.3): number[] {
  const kw = bm.slice(0, 100);
  const best = kw[0]?.s || 1;
  const bmOf = new Map(kw.map((h) => [h.i, h.s]));
  const out: Array<[number, number]> = [];
  for (const i of new Set([...kw.map((h) => h.i), ...c.vecTop])) out.push([i, (1 - w) * ((bmOf.get(i) ?? 0) / best) + w * c.cos[i]]);
  return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([i]) => i);
}

function runIndex(label: string, index: InvertedIndex) {
  for (const [name, fuse] of [['bm25', (bm: Array<{ i: number; s: number }>) => bm.map((h) => h.i)], ['served', served]] as const) {
    const cols = Object.entries(sets).map(([set, qs]) => {
      const s = score(
        qs.map((q, k) => {
          const terms = queryTermsWithVariants(texts[set][k], (x) => index.docFrequency(x));
          const bm = index.searchTerms(terms, 100).map((h) => ({ i: row.get(h.id)!, s: h.score }));
          return rankOf(fuse(bm, cosOf[set][k]).slice(0, 10).map((i) => corpus[i].id), q.id);
        }),
      );
      return `${set} ${s.mrrAt10.toFixed(3)}${heldoutPicks ? ` (R@1 ${s.recallAt1.toFixed(3)} R@10 ${s.recallAt10.toFixed(3)})` : ''}`;
    });
    console.log(`  ${`${label}: ${name}`.padEnd(34)} ${cols.join('  ')}`);
  }
}

runIndex('no expansion', plain);
const grid = (heldoutPicks ?? values.grid?.split(';') ?? ['10 0.2']).map((s) => s.trim().split(/\s+/).map(Number));
for (const [m, weight, cosFloor] of grid) {
  t = performance.now();
  const index = InvertedIndex.build(
    corpus.map((p, i) => ({
      id: p.id,
      title: p.title,
      abstract: p.abstract,
      pdfText: expansions[i]
        .slice(0, m)
        .map((e) => e.split(':'))
        .filter(([, c]) => Number(c) >= (cosFloor ?? minCos))
        .map(([s]) => wordOf.get(s)!)
        .join(' '),
    })),
    { pdfWeight: weight },
  );
  runIndex(`m ${m} w ${weight}${cosFloor !== undefined ? ` cos≥${cosFloor}` : ''} (${((performance.now() - t) / 1000).toFixed(0)} s)`, index);
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
