/**
 * Round 28: the Universal Sentence Encoder (lite) as what it was trained to be — a *sentence*
 * encoder. Round 27 (use-fusion.ts) embedded a paper whole (title, or title + abstract cut at 64/128
 * tokens) and found its cosine adds nothing over the served hybrid. Here a candidate paper is scored
 * by how well the query matches the paper's *own sentences*: the title and every abstract sentence
 * (split as the served refinement splits them, `sentencesOf`) embedded one by one, the query's
 * cosine to each, pooled (max, top-2/3 mean, log-sum-exp "softmax" pooling, abstract-only max…), and
 * that fused into the served (refined) hybrid's fused top K with the same forms as round 27
 * (`use-rerank.ts`, shared with use-fusion.ts).
 *
 * The model runs through the served ONNX path (`EMBEDDINGS_MODEL=use-lite`: `ensureUseLiteModel` +
 * `OnnxEncoder`, one intra-op thread so that CPU is one core's), not TF.js: the same vectors (cosine
 * ≥ 0.9999995, round 27 `use-encoder`) at a fraction of the CPU.
 *
 * Phases (each reads what the earlier ones left in `--cache`):
 *   1. use-fusion.ts --capture --cache DIR records the served fused list and BM25's top 200 for the
 *      192 meaning-set queries (run it first, on the same store);
 *   2. --embed K [--with-bm25]: every sentence of the papers in the fused (and BM25's) top K of every query, cached
 *      per paper in DIR/sentences.tsv (a paper is never embedded twice), with the CPU a sentence;
 *   3. --grid [--pools a,b]: pools × K × forms × weights on the tuning blocks only (tuning, tuning2,
 *      tuning3: 136 pooled), served hybrid and BM25 as same-run baselines;
 *   4. --heldout RECIPE: the picked recipe ONCE on the held-out half, live through the served search's
 *      `rerank` hook (the query embedded in the hook, the papers' sentence vectors read from the cache
 *      as a served instance would read stored ones), beside the served hybrid (no hook) and BM25
 *      (keyword mode) in the same process, with better/worse counts and the hook's CPU a query.
 *
 *   node --max-old-space-size=4000 --import tsx bench/search-quality/use-fusion.ts --db /tmp/us/work/arxiv.db --cache /tmp/us/cache --capture
 *   node --max-old-space-size=4000 --import tsx bench/search-quality/use-sentences.ts --db /tmp/us/work/arxiv.db --cache /tmp/us/cache --embed 50
 *   node --max-old-space-size=4000 --import tsx bench/search-quality/use-sentences.ts --db /tmp/us/work/arxiv.db --cache /tmp/us/cache --grid
 *   node --max-old-space-size=4000 --import tsx bench/search-quality/use-sentences.ts --db /tmp/us/work/arxiv.db --cache /tmp/us/cache --heldout three:smax:50:mm:0.1:raw
 *
 * --posthoc GRIDFILE:N (after the held-out run; a diagnostic): the N best tuning rows of a saved grid
 * scored offline on the held-out queries' captured lists.
 *
 * The second lever (`--pools lpmax,lp2max,lpcov,lcov`, `LEX_POOLS`): the same sentences matched
 * lexically — best-passage BM25 from the candidate's text at query time, no model.
 *
 * BENCHMARKS "Round 28 (branch `use-sentences`)".
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { sentencesOf } from '../../src/search/local-embedder-refine.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { ensureUseLiteModel } from '../../src/search/onnx/use-lite.ts';
import { OnnxEncoder } from '../../src/search/onnx/encoder.ts';
import { heldOutRun, openHookedSearch, type RerankHook } from './hooked-search.ts';
import { rankOf, score } from './metrics.ts';
import { loadLine as la } from './served-store.ts';
import { parseRecipe, recipeName, rerankList, rerankServed, type Recipe } from './use-rerank.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    cache: { type: 'string' },
    models: { type: 'string' },
    embed: { type: 'string' },
    sets: { type: 'string' },
    'with-bm25': { type: 'boolean' },
    grid: { type: 'boolean' },
    pools: { type: 'string' },
    heldout: { type: 'string' },
    posthoc: { type: 'string' },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const db = values.db;
if (!db) {
  console.error('usage: use-sentences.ts --db FILE [--cache DIR] [--embed K] [--grid] [--heldout RECIPE]');
  process.exit(2);
}
const cacheDir = values.cache ?? '/tmp/us/cache';
console.log(`load average at the start ${la()}`);

const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<string, Array<{ paperId: string; query: string }>>;
const TUNING = ['tuning', 'tuning2', 'tuning3'];
interface Captured {
  set: string;
  id: string;
  query: string;
  terms: string;
  fused: Array<[string, number]>;
  bm25: Array<[string, number]>;
  ceiling: number | null;
}
const captureFile = join(cacheDir, 'captured.json');
if (!existsSync(captureFile)) throw new Error(`${captureFile} missing: run use-fusion.ts --capture --cache ${cacheDir} first`);
const data = JSON.parse(readFileSync(captureFile, 'utf8')) as Captured[];

// ---- the encoder and the per-paper sentence vectors ---------------------------------------------
const encoder = await OnnxEncoder.open(await ensureUseLiteModel(values.models ?? '/tmp/us/models'), { threads: 1 });
const DIM = 512;
const textOf = new Database(db, { readonly: true }).prepare('select title, abstract from papers where id = ?');
/** A paper's texts as scored here: the title first, then every abstract sentence. */
function sentencesOfPaper(id: string): string[] {
  const t = textOf.get(id) as { title: string; abstract: string } | undefined;
  if (!t) return [];
  return [t.title, ...sentencesOf(t.abstract ?? '')];
}
const sentFile = join(cacheDir, 'sentences.tsv');
/** id → the sentences' vectors, row-major [n × 512] (row 0 the title). */
const sentVecs = new Map<string, Float32Array>();
if (existsSync(sentFile))
  for (const line of readFileSync(sentFile, 'utf8').split('\n')) {
    if (!line) continue;
    const [id, n, b64] = line.split('\t');
    const buf = Buffer.from(b64, 'base64');
    if (buf.byteLength === Number(n) * DIM * 4) sentVecs.set(id, new Float32Array(buf.buffer, buf.byteOffset, Number(n) * DIM).slice());
  }

async function ensurePapers(ids: string[]): Promise<{ papers: number; sentences: number; cpuMs: number; tokens: number }> {
  const missing = [...new Set(ids)].filter((id) => !sentVecs.has(id));
  let cpu = 0;
  let sentences = 0;
  let tokens = 0;
  const t0 = performance.now();
  const CHUNK = 32;
  for (let i = 0; i < missing.length; i += CHUNK) {
    const part = missing.slice(i, i + CHUNK).map((id) => ({ id, s: sentencesOfPaper(id) }));
    const flat = part.flatMap((p) => p.s);
    for (const s of flat) tokens += encoder.tokenize(s).length;
    const c0 = process.cpuUsage();
    const vs = await encoder.encode(flat);
    const c1 = process.cpuUsage(c0);
    cpu += (c1.user + c1.system) / 1000;
    sentences += flat.length;
    let at = 0;
    let lines = '';
    for (const p of part) {
      const m = new Float32Array(p.s.length * DIM);
      for (let j = 0; j < p.s.length; j++) m.set(vs[at + j], j * DIM);
      at += p.s.length;
      sentVecs.set(p.id, m);
      lines += `${p.id}\t${p.s.length}\t${Buffer.from(m.buffer).toString('base64')}\n`;
    }
    appendFileSync(sentFile, lines);
    if ((i / CHUNK) % 40 === 0) console.log(`  ${i + part.length}/${missing.length} papers, ${sentences} sentences (${((performance.now() - t0) / 1000).toFixed(0)} s wall, load ${la()})`);
  }
  return { papers: missing.length, sentences, cpuMs: cpu, tokens };
}

const queryVecs = new Map<string, Float32Array>();
async function queryVec(text: string): Promise<Float32Array> {
  const hit = queryVecs.get(text);
  if (hit) return hit;
  const [v] = await encoder.encode([text]);
  queryVecs.set(text, v);
  return v;
}

/** The query's cosine to each of the paper's sentences (row 0: the title); memoised per query vector. */
const simMemo = new WeakMap<Float32Array, Map<string, Float32Array | undefined>>();
function sentenceSims(qv: Float32Array, id: string): Float32Array | undefined {
  let m = simMemo.get(qv);
  if (!m) simMemo.set(qv, (m = new Map()));
  if (m.has(id)) return m.get(id);
  const v = sentVecs.get(id);
  let out: Float32Array | undefined;
  if (v) {
    const n = v.length / DIM;
    out = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let d = 0; d < DIM; d++) x += qv[d] * v[j * DIM + d];
      out[j] = x;
    }
  }
  m.set(id, out);
  return out;
}

/**
 * Pools of the sentence cosines c[0] (title), c[1..n] (abstract sentences):
 *   title; smax max of all; amax max of the abstract's; topN mean of the N best; smean mean of all;
 *   lseT τ·log(mean exp(c/τ)) (softmax pooling, from the mean at τ → ∞ to the max at τ → 0);
 *   tamax (title + amax) / 2; smaxc smax − smean (how much the best sentence stands out).
 */
export const POOLS = ['title', 'smax', 'amax', 'top2', 'top3', 'smean', 'lse0.03', 'lse0.05', 'lse0.1', 'lse0.2', 'tamax', 'smaxc'];
function pool(name: string, c: Float32Array): number {
  const n = c.length;
  const desc = () => [...c].sort((a, b) => b - a);
  if (name === 'title') return c[0];
  if (name === 'smax') return Math.max(...c);
  if (name === 'amax') return n > 1 ? Math.max(...c.subarray(1)) : c[0];
  const top = /^top(\d+)$/.exec(name);
  if (top) {
    const d = desc().slice(0, Number(top[1]));
    return d.reduce((a, b) => a + b, 0) / d.length;
  }
  const mean = () => c.reduce((a, b) => a + b, 0) / n;
  if (name === 'smean') return mean();
  const lse = /^lse([\d.]+)$/.exec(name);
  if (lse) {
    const t = Number(lse[1]);
    const mx = Math.max(...c);
    let s = 0;
    for (const x of c) s += Math.exp((x - mx) / t);
    return mx + t * Math.log(s / n);
  }
  if (name === 'tamax') return (c[0] + (n > 1 ? Math.max(...c.subarray(1)) : c[0])) / 2;
  if (name === 'smaxc') return Math.max(...c) - mean();
  throw new Error(`unknown pool ${name}`);
}

// ---- the second lever: the query's words matched sentence by sentence (best-passage BM25) --------
/**
 * Lexical pools, scored from the candidate's own text at query time (no model): the title and each
 * abstract sentence is a passage, scored by BM25 (k1 1.2, b 0.75, the corpus's idf, the mean
 * passage length of the candidates), and the paper takes its best passage — the query's words found
 * *together* rather than anywhere in the abstract, which a bag-of-words BM25 over the whole paper
 * cannot tell apart:
 *   lpmax  best passage's BM25 ÷ the query's ideal (Σ idf·(k1 + 1) over its distinct words);
 *   lp2max the same over windows of two neighbouring sentences (the title alone as one);
 *   lpcov  the best passage's idf-weighted share of the query's distinct words;
 *   lcov   the whole paper's idf-weighted share (round 26's "coverage", a same-run reference).
 */
export const LEX_POOLS = ['lpmax', 'lp2max', 'lpcov', 'lcov'];
const dfFile = join(cacheDir, 'df.json');
let dfs: Map<string, number> | null = null;
let nDocs = 0;
function df(): Map<string, number> {
  if (dfs) return dfs;
  if (existsSync(dfFile)) {
    const j = JSON.parse(readFileSync(dfFile, 'utf8')) as { n: number; df: Record<string, number> };
    nDocs = j.n;
    return (dfs = new Map(Object.entries(j.df)));
  }
  const t0 = performance.now();
  dfs = new Map();
  const all = new Database(db!, { readonly: true }).prepare('select title, abstract from papers').iterate() as Iterable<{ title: string; abstract: string }>;
  for (const p of all) {
    nDocs++;
    for (const t of new Set(tokenize(`${p.title} ${p.abstract ?? ''}`))) dfs.set(t, (dfs.get(t) ?? 0) + 1);
  }
  writeFileSync(dfFile, JSON.stringify({ n: nDocs, df: Object.fromEntries(dfs) }));
  console.log(`document frequencies of ${dfs.size} terms over ${nDocs} papers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return dfs;
}
const idf = (t: string) => {
  const d = df().get(t) ?? 0;
  return Math.log(1 + (nDocs - d + 0.5) / (d + 0.5));
};
/** A paper's passages as term lists (row 0 the title), cached. */
const passageMemo = new Map<string, string[][]>();
function passages(id: string): string[][] {
  let p = passageMemo.get(id);
  if (!p) passageMemo.set(id, (p = sentencesOfPaper(id).map((x) => tokenize(x))));
  return p;
}
const AVG_PASSAGE = 16; // set from the candidates' passages before the grid (meanPassage)
let avgPassage = AVG_PASSAGE;
function meanPassage(ids: string[]): number {
  let n = 0;
  let len = 0;
  for (const id of ids) for (const s of passages(id)) (n++, (len += s.length));
  return n ? len / n : AVG_PASSAGE;
}
function bm25Passage(q: Map<string, number>, terms: string[]): number {
  const tf = new Map<string, number>();
  for (const t of terms) if (q.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  let s = 0;
  const norm = 1.2 * (1 - 0.75 + (0.75 * terms.length) / avgPassage);
  for (const [t, f] of tf) s += (q.get(t)! * f * 2.2) / (f + norm);
  return s;
}
const lexMemo = new Map<string, Map<string, number>>();
/** The lexical pool `name` of paper `id` for the query text `qtext`. */
function lexical(name: string, qtext: string, id: string): number {
  let m = lexMemo.get(qtext);
  if (!m) lexMemo.set(qtext, (m = new Map()));
  const key = `${name}\t${id}`;
  const hit = m.get(key);
  if (hit !== undefined) return hit;
  const q = new Map([...new Set(tokenize(qtext))].map((t) => [t, idf(t)]));
  const ideal = [...q.values()].reduce((a, b) => a + b * 2.2, 0) || 1;
  const idfSum = [...q.values()].reduce((a, b) => a + b, 0) || 1;
  const ps = passages(id);
  const cov = (terms: string[]) => [...new Set(terms)].filter((t) => q.has(t)).reduce((a, t) => a + q.get(t)!, 0) / idfSum;
  let v = 0;
  if (name === 'lpmax') v = Math.max(0, ...ps.map((p) => bm25Passage(q, p))) / ideal;
  else if (name === 'lp2max') {
    const wins = [ps[0] ?? [], ...ps.slice(1).map((p, i) => (i + 2 < ps.length ? [...p, ...ps[i + 2]] : p))];
    v = Math.max(0, ...wins.map((p) => bm25Passage(q, p))) / ideal;
  } else if (name === 'lpcov') v = Math.max(0, ...ps.map(cov));
  else if (name === 'lcov') v = cov(ps.flat());
  else throw new Error(`unknown lexical pool ${name}`);
  m.set(key, v);
  return v;
}

/** The second signal of recipe `r`: a USE sentence pool (needs `qv`) or a lexical one (needs the query text). */
const simOf = (r: Recipe, qv: Float32Array, qtext = '') => (id: string) => {
  if (LEX_POOLS.includes(r.text)) return lexical(r.text, qtext, id);
  const c = sentenceSims(qv, id);
  return c && c.length ? pool(r.text, c) : undefined;
};

const candidateIds = (k: number, sets: string[], withBm25: boolean) =>
  [...new Set(data.filter((c) => sets.includes(c.set)).flatMap((c) => [...c.fused.slice(0, k), ...(withBm25 ? c.bm25.slice(0, k) : [])].map(([id]) => id)))];

// ---- phase 2: embed ----------------------------------------------------------------------------
if (values.embed) {
  const k = Number(values.embed);
  const sets = values.sets?.split(',') ?? [...TUNING, 'heldout'];
  const ids = candidateIds(k, sets, !!values['with-bm25']);
  console.log(`candidates at K ${k} (fused${values['with-bm25'] ? ' ∪ BM25' : ''}, ${sets.join(',')}): ${ids.length} papers, ${ids.filter((id) => sentVecs.has(id)).length} cached`);
  const t0 = performance.now();
  const e = await ensurePapers(ids);
  if (e.papers)
    console.log(
      `embedded ${e.papers} papers, ${e.sentences} sentences (${(e.sentences / e.papers).toFixed(2)} a paper, ${(e.tokens / e.sentences).toFixed(1)} tokens a sentence): ` +
        `${(e.cpuMs / e.sentences).toFixed(2)} ms CPU a sentence, ${(e.cpuMs / e.papers).toFixed(1)} ms a paper (the model's run, one thread), ${((performance.now() - t0) / 1000).toFixed(0)} s wall (load ${la()})`,
    );
}

// ---- phase 3: grid on the tuning blocks ---------------------------------------------------------
const mrr = (ranks: Array<number | null>) => score(ranks).mrrAt10;
const rr = (x: number | null) => (x === null ? 0 : 1 / x);
function covered(design: Recipe['design'], k: number, rows: Captured[], pools: string[]): boolean {
  if (pools.every((p) => LEX_POOLS.includes(p))) return true;
  return rows.every((c) => (design === 'three' ? c.fused : c.bm25).slice(0, k).every(([id]) => sentVecs.has(id)));
}
const NO_VEC = new Float32Array(0);
async function evalRecipe(r: Recipe, rows: Captured[]): Promise<Array<number | null>> {
  const out: Array<number | null> = [];
  for (const c of rows) {
    const qt = r.qtext === 'raw' ? c.query : c.terms;
    const qv = LEX_POOLS.includes(r.text) ? NO_VEC : await queryVec(qt);
    const list = r.design === 'three' ? c.fused : c.bm25;
    out.push(rankOf(rerankList(r, list, simOf(r, qv, qt), c.ceiling, c.bm25[0]?.[1] ?? 0).slice(0, 10), c.id));
  }
  return out;
}

if (values.grid) {
  const tun = data.filter((c) => TUNING.includes(c.set));
  const per = (ranks: Array<number | null>) => TUNING.map((s) => mrr(ranks.filter((_, i) => tun[i].set === s)).toFixed(3)).join('/');
  const served = tun.map((c) => rankOf(c.fused.slice(0, 10).map(([id]) => id), c.id));
  const bm = tun.map((c) => rankOf(c.bm25.slice(0, 10).map(([id]) => id), c.id));
  console.log(`tuning (${tun.length} pooled) served hybrid ${mrr(served).toFixed(3)} (${per(served)}), BM25 ${mrr(bm).toFixed(3)} (${per(bm)})`);
  for (const n of [10, 20, 50, 100]) console.log(`  answer in the fused top ${n}: ${(tun.filter((c) => c.fused.slice(0, n).some(([id]) => id === c.id)).length / tun.length).toFixed(3)}`);
  const pools = values.pools?.split(',') ?? POOLS;
  if (pools.some((p) => LEX_POOLS.includes(p))) avgPassage = meanPassage([...new Set(tun.flatMap((c) => c.fused.slice(0, 50).map(([id]) => id)))]);
  const results: Array<{ name: string; pooled: number; per: string; better: number; worse: number }> = [];
  const t0 = performance.now();
  for (const design of ['three', 'bm25'] as const)
    for (const k of [10, 20, 30, 50]) {
      if (!covered(design, k, tun, pools)) {
        console.log(`  (${design} K ${k}: not every candidate embedded, skipped)`);
        continue;
      }
      for (const text of pools)
        for (const qtext of ['raw', 'terms'] as const) {
          const forms: Recipe[] = [];
          for (const w of [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1]) forms.push({ design, text, k, form: 'cvx', w, qtext }, { design, text, k, form: 'mm', w, qtext });
          for (const w of [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]) forms.push({ design, text, k, form: 'z', w, qtext });
          for (const w of [0.5, 1, 1.5, 2]) forms.push({ design, text, k, form: 'rrf', w, qtext });
          for (const lo of [0.05, 0.1, 0.2, 0.3]) for (const hi of [0.2, 0.3, 0.5, 0.7]) if (hi > lo) forms.push({ design, text, k, form: 'ad', w: 0, lo, hi, qtext });
          for (const r of forms) {
            const ranks = await evalRecipe(r, tun);
            results.push({ name: recipeName(r), pooled: mrr(ranks), per: per(ranks), better: ranks.filter((x, i) => rr(x) > rr(served[i])).length, worse: ranks.filter((x, i) => rr(x) < rr(served[i])).length });
          }
        }
    }
  console.log(`${results.length} recipes in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const row = (x: (typeof results)[number]) => `  ${x.name.padEnd(40)} ${x.pooled.toFixed(3)}  (${x.per})  ${x.better}/${x.worse}`;
  console.log(`\nthe pools alone (w 1) over the fused / BM25 top K (tuning pooled, per block, better/worse than served):`);
  for (const x of results.filter((y) => /:cvx:1:raw$/.test(y.name))) console.log(row(x));
  const bestOf = new Map<string, (typeof results)[number]>();
  for (const x of results) {
    const p = x.name.split(':');
    const key = [p[0], p[1], p[2], p[3], p[5]].join(':');
    if (!bestOf.has(key) || bestOf.get(key)!.pooled < x.pooled) bestOf.set(key, x);
  }
  console.log(`\nbest weight of each design:pool:K:form:qtext, the top 60 (tuning pooled, per block, better/worse than served):`);
  for (const x of [...bestOf.values()].sort((a, b) => b.pooled - a.pooled).slice(0, 60)) console.log(row(x));
  console.log(`\nbest of each pool (any design, K, form, weight, query text):`);
  for (const p of pools) {
    const xs = results.filter((x) => x.name.split(':')[1] === p).sort((a, b) => b.pooled - a.pooled);
    if (xs.length) console.log(row(xs[0]));
  }
  console.log(`\nthree:*:*:cvx weight curves, raw query (K 20):`);
  for (const p of pools) {
    const xs = results.filter((x) => x.name.startsWith(`three:${p}:20:cvx:`) && x.name.endsWith(':raw'));
    console.log(`  ${p.padEnd(8)} ${xs.map((x) => `${x.name.split(':')[4]}: ${x.pooled.toFixed(3)}`).join('  ')}`);
  }
  writeFileSync(join(cacheDir, `sentence-grid-${pools.join('+')}.json`), JSON.stringify(results));
  console.log(`load average ${la()}`);
}

// ---- phase 4: held out, live through the hook ---------------------------------------------------
type Hook = RerankHook;
const openHooked = (hook: { fn: Hook | null }) => openHookedSearch(db!, async (ctx) => (hook.fn ? hook.fn(ctx) : ctx.fused));

if (values.heldout) {
  const r = parseRecipe(values.heldout);
  const heldQueries = meaning.heldout.map((q) => ({ id: q.paperId, query: q.query }));
  console.log(`recipe ${recipeName(r)} (chosen on the tuning blocks) — held-out half, live through the served path`);
  // The candidates' sentence vectors as a served instance would have them stored: embedded beforehand.
  const e = await ensurePapers(candidateIds(Math.max(r.k, 50), ['heldout'], r.design === 'bm25'));
  if (e.papers) console.log(`  embedded ${e.papers} held-out candidates, ${e.sentences} sentences: ${(e.cpuMs / e.sentences).toFixed(2)} ms CPU a sentence`);
  const lex = LEX_POOLS.includes(r.text);
  if (lex) {
    // The passage length the grid used (the tuning queries' fused top 50), not the held-out ones'.
    avgPassage = meanPassage([...new Set(data.filter((c) => TUNING.includes(c.set)).flatMap((c) => c.fused.slice(0, 50).map(([id]) => id)))]);
    passageMemo.clear();
    console.log(`  mean passage ${avgPassage.toFixed(2)} terms; ${df().size} terms' document frequencies`);
  }
  const hookCpu: number[] = [];
  let live = false;
  let qtextNow = '';
  const hook: { fn: Hook | null } = { fn: null };
  const s = await openHooked(hook);
  const useHook: Hook = async (ctx) => {
    const c0 = process.cpuUsage();
    const qt = r.qtext === 'raw' ? qtextNow : ctx.q.terms.join(' ');
    const qv = lex ? NO_VEC : await queryVec(qt);
    const hits = await rerankServed(r, ctx, (k) => s.index.engine.search(ctx.q, { limit: k, offset: 0, sort: 'relevance' }), simOf(r, qv, qt));
    const c1 = process.cpuUsage(c0);
    if (live) hookCpu.push((c1.user + c1.system) / 1000);
    return hits;
  };
  const run = async (label: string, mode: 'keyword' | 'hybrid', fn: Hook | null, base?: Array<number | null>) => {
    hook.fn = fn;
    return heldOutRun(s.search, heldQueries, {
      label: label.padEnd(40),
      mode,
      base,
      before: (query) => {
        qtextNow = query;
        // Each measured query embeds its own USE vector (none kept from the grid or an earlier run) …
        queryVecs.clear();
        // … and reads its candidates' texts again (a served hook would read the top K's texts a query).
        passageMemo.clear();
        lexMemo.clear();
      },
    });
  };
  const served = await run('served hybrid (no hook)', 'hybrid', null);
  await run('BM25 (keyword mode)', 'keyword', null, served);
  await queryVec('warm up the encoder');
  live = true;
  const ranks = await run(`${lex ? 'passage BM25' : 'USE sentences'} ${recipeName(r)}`, 'hybrid', useHook, served);
  live = false;
  const moved = heldQueries.map((q, i) => ({ q: q.query, from: served[i], to: ranks[i] })).filter((x) => x.from !== x.to);
  for (const m of moved) console.log(`  ${String(m.from ?? '–').padStart(2)} → ${String(m.to ?? '–').padStart(2)}  ${m.q}`);
  const sorted = [...hookCpu].sort((a, b) => a - b);
  console.log(`the hook's CPU a query (${lex ? `${r.k} papers' texts read, split and scored passage by passage` : `USE of the query + ${r.k} papers' sentence cosines`} + the sort): p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)} ms`);
  await s.close();
  console.log(`load average ${la()}`);
}

// ---- post hoc (after the one held-out run): the tuning grid's best rows on the captured held-out lists
if (values.posthoc) {
  // `--posthoc GRIDFILE:N`: the N best rows (pooled tuning) of a saved grid, scored offline on the held-out
  // queries' captured fused lists. A diagnostic of how the picked row's neighbours fare — never a pick.
  const [file, n] = values.posthoc.split(':');
  const grid = JSON.parse(readFileSync(join(cacheDir, file), 'utf8')) as Array<{ name: string; pooled: number }>;
  const held = data.filter((c) => c.set === 'heldout');
  const served = held.map((c) => rankOf(c.fused.slice(0, 10).map(([id]) => id), c.id));
  if (values.pools?.includes('l') || grid.some((g) => LEX_POOLS.includes(g.name.split(':')[1])))
    avgPassage = meanPassage([...new Set(data.filter((c) => TUNING.includes(c.set)).flatMap((c) => c.fused.slice(0, 50).map(([id]) => id)))]);
  console.log(`post hoc: held-out captured served ${mrr(served).toFixed(3)} (the live run's figure if equal)`);
  const top = [...grid].sort((a, b) => b.pooled - a.pooled).slice(0, Number(n));
  let up = 0;
  let down = 0;
  const deltas: number[] = [];
  for (const g of top) {
    const ranks = await evalRecipe(parseRecipe(g.name), held);
    const d = mrr(ranks) - mrr(served);
    deltas.push(d);
    if (d > 0) up++;
    else if (d < 0) down++;
    console.log(`  ${g.name.padEnd(40)} tuning ${g.pooled.toFixed(3)}  held out ${mrr(ranks).toFixed(3)} (${d >= 0 ? '+' : ''}${d.toFixed(3)})  ${ranks.filter((x, i) => rr(x) > rr(served[i])).length}/${ranks.filter((x, i) => rr(x) < rr(served[i])).length}`);
  }
  deltas.sort((a, b) => a - b);
  console.log(`the ${top.length} best tuning rows held out: ${up} above served, ${down} below; median ${deltas[deltas.length >> 1].toFixed(3)}, range ${deltas[0].toFixed(3)} … ${deltas[deltas.length - 1].toFixed(3)}`);
}
await encoder.close();
