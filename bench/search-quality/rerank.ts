/**
 * Round 26: a learned re-ranking of the served hybrid search's candidates, trained self-supervised.
 *
 * The served search (`services.search.search`, hybrid, as `GET /api/papers/search`) runs with a
 * `rerank` hook that records what it fused (both lists, exact cosines, the BM25 ceiling, the fused
 * order) and answers the fused order; the features are computed from that record (and, for the
 * text features, the candidates' titles and abstracts). Training queries are made from papers
 * outside every dev set: a sentence of the abstract without the title's words, a share of its
 * words dropped; the source paper is the answer. A pairwise logistic model is fitted on them; the
 * tuning blocks of meaning-set.json choose at most its variant, the held-out half is reported.
 *
 *   node --max-old-space-size=5000 --import tsx bench/search-quality/rerank.ts --db /tmp/meaning-rank/work/arxiv.db \
 *     [--train 1000] [--gen notitle|sentence|common] [--cache FILE] [--grid] [--heldout]
 *
 * BENCHMARKS "Round 26 (branch `meaning-rank`)". `--heldout` prints the held-out half (run once, after the pick).
 *
 * `--db`: a store whose serving space is the refined model (refine-served.ts's work copy).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { RerankContext } from '../../src/services/search-experiment.ts';
import { hasTermVectors, termCosine } from '../../src/search/local-embedder.ts';
import { lightStem } from '../../src/search/highlight.ts';
import { STOPWORDS, words } from '../../src/search/query.ts';
import { openHookedSearch } from './hooked-search.ts';
import { rankOf, score } from './metrics.ts';
import { seededRandom } from '../../src/domain/random.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, train: { type: 'string' }, cache: { type: 'string' }, seed: { type: 'string' }, heldout: { type: 'boolean' }, gen: { type: 'string' }, grid: { type: 'boolean' } } });
const here = dirname(fileURLToPath(import.meta.url));
const la = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`load average at the start ${la()}`);
const db = values.db!;
const cacheFile = values.cache ?? '/tmp/meaning-rank/contexts.json';

const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<string, Array<{ paperId: string; query: string }>>;
const dev = JSON.parse(readFileSync(join(here, 'dev-set.json'), 'utf8')) as { descriptive: Array<{ id: string; query: string }>; paraphrase?: Array<{ id: string; query: string }>; exactTitle: string[] };

interface Query {
  set: string;
  id: string;
  query: string;
}
interface Captured extends Query {
  keyword: Array<[string, number]>;
  vector: Array<[string, number]>;
  cosines: Array<[string, number]>;
  ceiling: number | null;
  vw: number;
  fused: string[];
  texts: Record<string, [string, string]>;
  /** For the fused top 30: TF-IDF cosine, soft word match, cosine to the title alone, best cosine to one abstract sentence. */
  model: Record<string, [number, number, number, number]>;
}

const raw = new Database(db, { readonly: true });
const devIds = new Set<string>([...Object.values(meaning).flatMap((b) => (Array.isArray(b) ? b.map((q) => q.paperId) : [])), ...dev.descriptive.map((q) => q.id), ...(dev.paraphrase ?? []).map((q) => q.id), ...dev.exactTitle]);

/**
 * Pseudo-queries, one a paper outside every dev set (`--gen`):
 *   `notitle`: an abstract sentence (not the first) without the title's words, half its other words dropped;
 *   `sentence`: the same with the title's words kept;
 *   `swap`: `notitle`'s, each word with probability ½ replaced by its nearest word by the model's latent rows;
 *   `common`: the same sentence's words without its rarest third (by document frequency: the jargon a
 *   lay description replaces), half of the rest dropped, title words kept.
 */
function pseudoQueries(n: number, seed: number, gen: string): Query[] {
  const all = raw.prepare('select id, title, abstract from papers where deleted = 0 and hidden = 0 order by id').all() as Array<{ id: string; title: string; abstract: string }>;
  const df = new Map<string, number>();
  if (gen === 'common') for (const p of all) for (const w of new Set(words(p.title + ' ' + p.abstract))) df.set(w, (df.get(w) ?? 0) + 1);
  const r = seededRandom(seed);
  const out: Query[] = [];
  while (out.length < n) {
    const p = all[Math.floor(r() * all.length)];
    if (devIds.has(p.id)) continue;
    const sentences = p.abstract.split(/(?<=[.!?])\s+/).filter((s) => words(s).length >= 8);
    if (sentences.length < 2) continue;
    const s = sentences[1 + Math.floor(r() * (sentences.length - 1))];
    const title = new Set(words(p.title).map(lightStem));
    let ws = [...new Set(words(s).filter((w) => !STOPWORDS.has(w) && w.length > 1))];
    if (gen === 'notitle') ws = ws.filter((w) => !title.has(lightStem(w)));
    if (gen === 'common') {
      const cut = [...ws].sort((a, b) => (df.get(a) ?? 0) - (df.get(b) ?? 0)).slice(0, Math.floor(ws.length / 3));
      ws = ws.filter((w) => !cut.includes(w));
    }
    const kept = ws.filter(() => r() < 0.5);
    if (kept.length < 4) continue;
    out.push({ set: 'pseudo', id: p.id, query: kept.slice(0, 16).join(' ') });
  }
  return out;
}

async function capture(queries: Query[], swap = false): Promise<Captured[]> {
  let last: RerankContext | null = null;
  const { search, index, close } = await openHookedSearch(db, async (ctx) => ((last = ctx), ctx.fused));
  const e = await index.embedder();
  const local = e && hasTermVectors(e) ? e : null;
  const rows = local ? local.rowsCopy() : new Float32Array(0);
  const P = local ? local.projectedFeatures : 0;
  const D = local ? local.dimensions : 0;
  const norms = new Float32Array(P);
  for (let i = 0; i < P; i++) {
    let x = 0;
    for (let k = 0; k < D; k++) x += rows[i * D + k] ** 2;
    norms[i] = Math.sqrt(x) || 1;
  }
  const rowCos = (a: number, b: number) => {
    let x = 0;
    for (let k = 0; k < D; k++) x += rows[a * D + k] * rows[b * D + k];
    return x / (norms[a] * norms[b]);
  };
  const dotf = (a: Float32Array, b: Float32Array) => {
    let x = 0;
    for (let k = 0; k < a.length; k++) x += a[k] * b[k];
    return x;
  };
  if (swap && local) {
    // `--gen swap`: each pseudo-query word, with probability one half, replaced by the word whose
    // latent row is nearest to its own (among the 30,000 most frequent single-word features): a
    // synthetic paraphrase, so that the answer no longer holds every query word.
    const r = seededRandom(2626);
    const M = Math.min(P, 30000);
    const single: number[] = [];
    for (let i = 0; i < M; i++) if (!local.featureName(i).includes(' ') && /^[a-z]+$/.test(local.featureName(i))) single.push(i);
    const near = new Map<number, number>();
    const nearest = (a: number) => {
      if (near.has(a)) return near.get(a)!;
      let best = -2;
      let at = a;
      for (const b of single) {
        if (b === a) continue;
        const c = rowCos(a, b);
        if (c > best) (best = c), (at = b);
      }
      near.set(a, at);
      return at;
    };
    for (const q of queries) {
      if (q.set !== 'pseudo') continue;
      q.query = q.query
        .split(' ')
        .map((w) => {
          const ids = local.termVector(w).ids;
          return ids.length === 1 && ids[0] < P && r() < 0.5 ? local.featureName(nearest(ids[0])) : w;
        })
        .join(' ');
    }
    console.log(`swapped: e.g. ${queries.filter((q) => q.set === 'pseudo').slice(0, 3).map((q) => JSON.stringify(q.query)).join(' ')}`);
  }
  const out: Captured[] = [];
  const featureCpu: number[] = [];
  const text = raw.prepare('select title, abstract from papers where id = ?');
  const t0 = performance.now();
  for (const q of queries) {
    last = null;
    await search.search({ q: q.query, mode: 'hybrid', limit: 10 });
    const ctx = last as RerankContext | null;
    if (!ctx) continue;
    const best = ctx.keyword.length ? Math.max(...ctx.keyword.slice(0, ctx.weights.candidates).map((h) => h.score)) : 0;
    const vw = ctx.weights.adaptive && ctx.ceiling ? ctx.weights.adaptive.hi - (ctx.weights.adaptive.hi - ctx.weights.adaptive.lo) * Math.min(1, best / ctx.ceiling) : ctx.weights.vector;
    const ids = new Set(ctx.fused.slice(0, 100).map((h) => h.id));
    const texts: Record<string, [string, string]> = {};
    for (const id of ids) {
      const t = text.get(id) as { title: string; abstract: string } | undefined;
      if (t) texts[id] = [t.title, t.abstract];
    }
    const model: Record<string, [number, number, number, number]> = {};
    const c0 = process.cpuUsage();
    if (local) {
      const qtv = local.termVector(q.query);
      const qv = local.embedOne(q.query);
      for (const id of ctx.fused.slice(0, 30).map((h) => h.id)) {
        const t = texts[id];
        if (!t) continue;
        const dtv = local.termVector(`${t[0]}. ${t[1]}`);
        let soft = 0;
        let tot = 0;
        for (let i = 0; i < qtv.ids.length; i++) {
          const a = qtv.ids[i];
          if (a >= P) continue;
          let best = 0;
          for (const b of dtv.ids) if (b < P) best = Math.max(best, rowCos(a, b));
          soft += qtv.weights[i] * best;
          tot += qtv.weights[i];
        }
        const sents = t[1].split(/(?<=[.!?])\s+/).filter((x) => x.length > 20);
        const sentCos = Math.max(0, ...sents.map((x) => dotf(qv, local.embedOne(x))));
        model[id] = [termCosine(qtv, dtv), tot ? soft / tot : 0, dotf(qv, local.embedOne(t[0])), sentCos];
      }
    }
    const c1 = process.cpuUsage(c0);
    featureCpu.push((c1.user + c1.system) / 1000);
    out.push({ ...q, model, keyword: ctx.keyword.map((h) => [h.id, h.score]), vector: ctx.vector.map((h) => [h.id, h.score]), cosines: [...ctx.cosines], ceiling: ctx.ceiling ?? null, vw, fused: ctx.fused.slice(0, 100).map((h) => h.id), texts });
  }
  const sorted = [...featureCpu].sort((a, b) => a - b);
  console.log(`model features of the fused top 30 (TF-IDF, soft match, title and sentence cosines): CPU a query p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)]?.toFixed(1)} ms`);
  console.log(`captured ${out.length} of ${queries.length} in ${((performance.now() - t0) / 1000).toFixed(1)} s (load ${la()})`);
  await close();
  return out;
}

const evalSets: Query[] = [
  ...(['tuning', 'tuning2', 'tuning3', 'heldout'] as const).flatMap((b) => meaning[b].map((q) => ({ set: b, id: q.paperId, query: q.query }))),
  ...dev.descriptive.map((q) => ({ set: 'descriptive', id: q.id, query: q.query })),
];
const titleRows = raw.prepare(`select id, title from papers where id in (${dev.exactTitle.slice(0, 200).map(() => '?').join(',')})`).all(...dev.exactTitle.slice(0, 200)) as Array<{ id: string; title: string }>;
evalSets.push(...titleRows.map((r) => ({ set: 'titles', id: r.id, query: r.title })));

let data: Captured[];
if (existsSync(cacheFile)) data = JSON.parse(readFileSync(cacheFile, 'utf8'));
else {
  data = await capture([...evalSets, ...pseudoQueries(Number(values.train ?? 1500), Number(values.seed ?? 26), values.gen === 'swap' ? 'notitle' : (values.gen ?? 'sentence'))], values.gen === 'swap');
  writeFileSync(cacheFile, JSON.stringify(data));
}

// ---- features ---------------------------------------------------------------------------------
export const FEATURES = ['fused', 'kwBest', 'kwCeil', 'cos', 'cosRel', 'kwRR', 'vecRR', 'both', 'titleCov', 'absCov', 'allCov', 'titleShare', 'tfidf', 'soft', 'titleCos', 'sentCos'] as const;

function featurize(c: Captured): { ids: string[]; x: number[][] } {
  const kw = new Map(c.keyword.slice(0, 100).map(([id, s], i) => [id, { s, i }]));
  const best = c.keyword.length ? Math.max(...c.keyword.slice(0, 100).map((h) => h[1])) : 1;
  const vec = new Map(c.vector.slice(0, 100).map(([id, s], i) => [id, { s, i }]));
  const exact = new Map(c.cosines);
  const floor = c.vector.length ? Math.min(...c.vector.slice(0, 100).map((h) => h[1])) : 0;
  const cosOf = (id: string) => vec.get(id)?.s ?? exact.get(id) ?? floor;
  const maxCos = Math.max(...c.fused.map(cosOf));
  const stems = [...new Set(words(c.query).filter((w) => !STOPWORDS.has(w) && w.length > 1).map(lightStem))];
  const ids = c.fused.slice(0, 30);
  const x = ids.map((id) => {
    const k = kw.get(id);
    const v = vec.get(id);
    const kwBest = k ? k.s / (best || 1) : 0;
    const cos = cosOf(id);
    const fused = (1 - c.vw) * kwBest + c.vw * cos;
    const [title, abs] = c.texts[id] ?? ['', ''];
    const ts = new Set(words(title).map(lightStem));
    const as = new Set(words(abs).map(lightStem));
    const n = stems.length || 1;
    const inT = stems.filter((s) => ts.has(s)).length;
    const inA = stems.filter((s) => as.has(s)).length;
    const inAll = stems.filter((s) => ts.has(s) || as.has(s)).length;
    const m = c.model?.[id] ?? [0, 0, 0, 0];
    return [fused, kwBest, k && c.ceiling ? k.s / c.ceiling : 0, cos, cos - maxCos, k ? 1 / (1 + k.i) : 0, v ? 1 / (1 + v.i) : 0, k && v ? 1 : 0, inT / n, inA / n, inAll / n, inAll ? inT / inAll : 0, ...m];
  });
  return { ids, x };
}

const feats = new Map(data.map((c) => [c, featurize(c)]));

/** Pairwise logistic regression: the answer above each of the fused list's top `depth` others. */
function train(rows: Captured[], use: number[], opts: { depth: number; l2: number; epochs: number; lr: number }): number[] {
  const w = new Array(use.length).fill(0);
  w[0] = 1; // start at the served fusion
  const pairs: Array<[number[], number[]]> = [];
  for (const c of rows) {
    const f = feats.get(c)!;
    const at = f.ids.indexOf(c.id);
    if (at < 0) continue;
    const pos = use.map((j) => f.x[at][j]);
    for (let i = 0; i < Math.min(opts.depth, f.ids.length); i++) if (i !== at) pairs.push([pos, use.map((j) => f.x[i][j])]);
  }
  const r = seededRandom(7);
  for (let e = 0; e < opts.epochs; e++) {
    for (let i = pairs.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
    }
    for (const [p, n] of pairs) {
      let m = 0;
      for (let j = 0; j < w.length; j++) m += w[j] * (p[j] - n[j]);
      const g = 1 / (1 + Math.exp(m)); // d(-log sigmoid(m))/dm = -g
      for (let j = 0; j < w.length; j++) w[j] += opts.lr * (g * (p[j] - n[j]) - opts.l2 * w[j]);
    }
  }
  return w;
}

function evaluate(rows: Captured[], use: number[] | null, w: number[] | null): { mrr: number; ranks: Array<number | null> } {
  const ranks = rows.map((c) => {
    const f = feats.get(c)!;
    if (!use || !w) return rankOf(f.ids.slice(0, 10), c.id);
    const order = f.ids.map((id, i) => ({ id, s: use.reduce((a, j, k) => a + w[k] * f.x[i][j], 0), i })).sort((a, b) => b.s - a.s || a.i - b.i);
    return rankOf(order.slice(0, 10).map((o) => o.id), c.id);
  });
  return { mrr: score(ranks).mrrAt10, ranks };
}

const bySet = (s: string) => data.filter((c) => c.set === s);
const pseudo = bySet('pseudo');
const tuning = [...bySet('tuning'), ...bySet('tuning2'), ...bySet('tuning3')];
const held = bySet('heldout');
for (const [name, rows] of [['tuning (136)', tuning], ['descriptive', bySet('descriptive')], ['pseudo', pseudo]] as const) {
  const at = (n: number) => (rows.filter((c) => c.fused.slice(0, n).includes(c.id)).length / rows.length).toFixed(3);
  console.log(`${name}: answer in the fused top 10 ${at(10)}, top 30 ${at(30)}, top 100 ${at(100)}`);
}
const found = pseudo.filter((c) => c.fused.includes(c.id)).length;
console.log(`pseudo-queries ${pseudo.length} (answer in the fused top 100: ${found}); served fusion on them MRR@10 ${evaluate(pseudo, null, null).mrr.toFixed(3)}`);

const variants: Record<string, number[]> = {
  'scores only': [0, 1, 2, 3, 4, 5, 6, 7],
  'scores + text': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  'fused + text': [0, 8, 9, 10, 11],
};
const row = (label: string, use: number[] | null, w: number[] | null) => {
  const base = evaluate(held, null, null).ranks;
  const h = evaluate(held, use, w);
  const rr = (r: number | null) => (r === null ? 0 : 1 / r);
  const better = h.ranks.filter((r, i) => rr(r) > rr(base[i])).length;
  const worse = h.ranks.filter((r, i) => rr(r) < rr(base[i])).length;
  console.log(`${label.padEnd(40)} pseudo ${evaluate(pseudo, use, w).mrr.toFixed(3)}  tuning(136) ${evaluate(tuning, use, w).mrr.toFixed(3)}  descriptive ${evaluate(bySet('descriptive'), use, w).mrr.toFixed(3)}  titles ${evaluate(bySet('titles'), use, w).mrr.toFixed(3)}${values.heldout ? `  | held-out ${h.mrr.toFixed(3)} (R@1 ${score(h.ranks).recallAt1.toFixed(3)}, R@10 ${score(h.ranks).recallAt10.toFixed(3)}) [${better}/${worse}]` : ''}`);
};
row('served fusion (baseline)', null, null);
for (const [name, use] of Object.entries(variants)) {
  for (const depth of [30]) {
    const w = train(pseudo, use, { depth, l2: 1e-4, epochs: 3, lr: 0.05 });
    row(`${name} d${depth}`, use, w);
    console.log(`   w = ${use.map((j, k) => `${FEATURES[j]} ${w[k].toFixed(3)}`).join(', ')}`);
  }
}
console.log(`load average ${la()}`);

// ---- one feature added to the served fusion, its weight on the tuning blocks only (`--grid`) ----
if (process.argv.includes('--grid')) {
  for (let j = 1; j < FEATURES.length; j++) {
    const cells = [-0.2, -0.1, -0.05, 0.05, 0.1, 0.2, 0.4, 0.7, 1].map((l) => `${l}: ${evaluate(tuning, [0, j], [1, l]).mrr.toFixed(3)}`);
    console.log(`fused + λ·${FEATURES[j].padEnd(10)} ${cells.join('  ')}`);
  }
}

// ---- the fusion's score plus a learnt correction, scaled by α (the one weight chosen on the tuning blocks) ----
{
  const sets: Record<string, number[]> = {
    'coverage + soft + sentence': [0, 10, 13, 15],
    'coverage + soft + sentence + tfidf + ceil': [0, 2, 10, 12, 13, 15],
    'all': [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  };
  for (const [name, use] of Object.entries(sets)) {
    const w = train(pseudo, use, { depth: 30, l2: 1e-3, epochs: 3, lr: 0.05 });
    // Scale the correction against the fusion's own weight: score = fused + α · (w·x − w0·fused) / w0.
    const rel = w.map((v, k) => (k === 0 ? 1 : v / (w[0] || 1)));
    console.log(`${name}: w = ${use.map((j, k) => `${FEATURES[j]} ${rel[k].toFixed(3)}`).join(', ')}`);
    for (const a of [0.1, 0.25, 0.5, 1]) row(`  α ${a}`, use, rel.map((v, k) => (k === 0 ? 1 : a * v)));
  }
}

// ---- diagnostics: one cheap feature at its best tuning weight (the `--grid` rows) ----
if (values.heldout) {
  row('diagnostic: fused + 0.2 · allCov', [0, 10], [1, 0.2]);
  row('diagnostic: fused + 0.1 · soft', [0, 13], [1, 0.1]);
}
