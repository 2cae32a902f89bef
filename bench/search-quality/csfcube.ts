/**
 * "Similar papers" quality on CSFCube (../shared/data/eval/csfcube) through the code path that
 * `GET /api/papers/{id}/similar` serves: the collection's 4,205 papers are imported into a fresh
 * SQLite store by the real `paperboy import`, `paperboy reindex` trains the offline embedder on them
 * (as an instance trains on its own corpus), and each query paper's similar papers come from
 * `services.search.similar(id, 120)` — the service call the route makes, at the API's largest page.
 * Each facet's expert-graded pool is ranked in the order that list gives (pool papers it does not
 * return rank below, as a reader never sees them), and scored by NDCG at 20 % of the pool (linear
 * gains 0–3). Plain TF-IDF cosine over the whole pool (the collection's baseline, same analyser) is
 * measured in the same run.
 *
 * Since round 25 a server refines its local model in the background (the job `search:refine-model`)
 * and then serves the refined one (`…-ctr1`): after the rows of the model reindex stored, the job's
 * own code (`ModelRefinementService.run`: the refinement, then every paper embedded with it) runs on
 * the same store and the served rows are measured again — both models and TF-IDF in one run.
 * `--no-refine` stops after the first (the before-figure alone).
 *
 * Splits: evaluation_splits.json's fold1_dev is what SIMILAR_WEIGHTS was tuned on; fold1_test (the
 * other half) is reported separately, with all 50 facets. The refinement's recipe was chosen on
 * search by meaning's tuning half, not on CSFCube.
 *
 *   node --import tsx bench/search-quality/csfcube.ts ../shared/data/eval/csfcube [--no-refine] [--sweep] [--keep DIR]
 *
 * --sweep: also ranks with other lexical/semantic weights (a SearchService built like the served one,
 * `similar` weights overridden) — the tuning run; --candidates 150,300 sweeps the neighbours each list
 * contributes too (for each model), --lexical 0.1,0.2 the lexical weights (semantic the rest); --paired
 * prints each sweep row's per-facet difference from its model's served row (mean ± standard error). --reuse with --keep DIR: the store an earlier --keep run left, not
 * imported again (a store a refining run left serves the refined model already: its rows say so).
 *
 * --mode z|minmax|rank|pow<p> (default `served`, the served mix): the sweep rows (without --sweep,
 * one row at the served weights) mix the two similarities that way instead (`similarMixOf` in
 * served-store.ts: z-scored or min–max scaled over the candidates, a rank mix, the cosine raised
 * to the power p), through the search service's `similarMix` experiment (`SearchExperiment`); the served row stays the served
 * code, so --paired compares each mode row with it. Round 26's unserved mixes, on the current code.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSearch } from '../../src/services/search.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { SIMILAR_WEIGHTS } from '../../src/search/fusion.ts';
import { isRefinedModelId } from '../../src/search/local-embedder-refine.ts';
import { loadCsfcube, ndcgAt20Percent, tfidfCosine } from './csfcube-data.ts';
import { openServed, refineInPlace, similarListNdcg, similarMixOf } from './served-store.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { sweep: { type: 'boolean' }, 'no-refine': { type: 'boolean' }, keep: { type: 'string' }, reuse: { type: 'boolean' }, candidates: { type: 'string' }, lexical: { type: 'string' }, paired: { type: 'boolean' }, mode: { type: 'string', default: 'served' } } });
const dir = positionals[0];
if (!dir) {
  console.error('usage: bench/search-quality/csfcube.ts <csfcube dir> [--no-refine] [--sweep] [--keep DIR] [--mode served|z|minmax|rank|pow<p>]');
  process.exit(2);
}
const mode = values.mode!;
let similarMix: ReturnType<typeof similarMixOf>;
try {
  similarMix = similarMixOf(mode);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
console.log(`load average at the start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const { papers, facets } = loadCsfcube(dir);
const byScore = (scores: number[]) => scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s).map((o) => o.i);

// Baseline: TF-IDF cosine (sublinear tf, idf over the collection) of the query paper and each pool paper.
const tfidf = tfidfCosine(papers);

// The served path: the real CLI imports and reindexes, then the service answers in-process.
const work = values.keep ?? mkdtempSync(join(tmpdir(), 'pb-csfcube-'));
mkdirSync(work, { recursive: true }); // --keep may name a directory not made yet
const db = join(work, 'paperboy.db');
const input = join(work, 'csfcube.jsonl');
writeFileSync(input, [...papers].map(([pid, p]) => JSON.stringify({ id: pid, title: p.title, abstract: p.abstract || p.title })).join('\n') + '\n');
const cli = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--db', db, '--quiet'], { env: { ...process.env, LOG_LEVEL: 'warn', SEARCH_EMBEDDER: 'local' }, encoding: 'utf8' });
let t = performance.now();
if (!values.reuse) {
  cli('import', input, '--format', 'generic', '--source', 'csfcube');
  const importS = (performance.now() - t) / 1000;
  t = performance.now();
  const reindexOut = cli('reindex');
  console.log(`import ${importS.toFixed(1)} s, reindex ${((performance.now() - t) / 1000).toFixed(1)} s: ${reindexOut.trim()}`);
} else console.log(`reusing the store in ${work} (imported and reindexed by an earlier --keep run)`);

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const rows: Record<string, Record<string, number[]>> = {};
/** A sweep row's served row (the same model's), for --paired. */
const servedRowOf = new Map<string, string>();
const add = (name: string, f: (typeof facets)[number], v: number) => {
  const r = (rows[name] ??= {});
  for (const key of [f.facet, f.split, 'all']) (r[key] ??= []).push(v);
};
for (const f of facets) add('tf-idf cosine (whole pool)', f, ndcgAt20Percent(byScore(f.cands.map((c) => tfidf(f.qid, c))), f.rel));

/** The served rows (and --sweep's) for the model the store serves now. */
let calls = 0;
let callMs = 0;
async function measureServed(): Promise<void> {
  const served = await openServed(db);
  const { config, logger, opened, services } = served;
  const id = (await services.searchIndex.embedder())?.id ?? 'none';
  const model = isRefinedModelId(id) ? 'refined' : 'LSA';
  console.log(`served model: ${id}`);
  const rankers: Array<{ name: string; similar: (id: string) => Promise<string[]> }> = [
    { name: `served ${model} (${SIMILAR_WEIGHTS.lexical}/${SIMILAR_WEIGHTS.semantic})`, similar: async (id) => ((await services.search.similar(id, 120)) ?? []).map((r) => r.paper.id) },
  ];
  // The sweep's rows, or with --mode alone one row at the served weights in that mix.
  if (values.sweep || similarMix) {
    const embedder = async () => embedderProvider('local')!.open({ config, store: opened.store, logger });
    const engine = new InvertedIndexEngine(opened.store, new StoreKeywordEngine(opened.store));
    const prefix = similarMix ? `${model} ${mode}` : model;
    const sweep = (list: string | undefined, all: string, served: number) => (values.sweep ? (list ?? all) : String(served)).split(',').map(Number);
    for (const candidates of sweep(values.candidates, String(SIMILAR_WEIGHTS.candidates), SIMILAR_WEIGHTS.candidates)) {
      for (const lexical of sweep(values.lexical, '0,0.3,0.4,0.5,0.6,0.7,1', SIMILAR_WEIGHTS.lexical)) {
        const { search: s } = openSearch(opened.store, { engine, embedder, similar: { lexical, semantic: 1 - lexical, candidates } }, { similarMix });
        const name = `${prefix} lex ${lexical} / sem ${+(1 - lexical).toFixed(2)}, ${candidates} c.`;
        servedRowOf.set(name, rankers[0].name);
        rankers.push({ name, similar: async (id) => ((await s.similar(id, 120)) ?? []).map((r) => r.paper.id) });
      }
    }
  }
  const t0 = performance.now();
  for (const r of rankers) {
    // A query paper's three facets rank the same list: one call each.
    const lists = new Map<string, string[]>();
    for (const f of facets) {
      if (!lists.has(f.qid)) lists.set(f.qid, await r.similar(`csfcube:${f.qid}`));
      add(r.name, f, similarListNdcg(f, lists.get(f.qid)!));
    }
    calls += lists.size;
  }
  callMs += performance.now() - t0;
  await served.close();
}

await measureServed();
if (!values['no-refine']) {
  await refineInPlace(db);
  await measureServed();
}
const ms = callMs / calls;
console.log(`CSFCube: ${papers.size} papers, ${facets.length} query facets (${facets.filter((f) => f.split === 'dev').length} in fold1_dev, tuned on; ${facets.filter((f) => f.split === 'test').length} in fold1_test); ${ms.toFixed(0)} ms per similar() call; load ${loadavg()[0].toFixed(2)}`);
console.log(`${'ranking'.padEnd(34)} ${['background', 'method', 'result', 'dev', 'test', 'all'].map((k) => k.padStart(10)).join('')}  (NDCG%20)`);
for (const [name, r] of Object.entries(rows)) console.log(`${name.padEnd(34)} ${['background', 'method', 'result', 'dev', 'test', 'all'].map((k) => mean(r[k] ?? []).toFixed(3).padStart(10)).join('')}`);
if (values.paired) {
  // Per-facet difference from the same model's served row, mean ± its standard error, on each fold.
  const paired = (a: number[], b: number[]) => {
    const d = a.map((x, i) => x - b[i]);
    const m = mean(d);
    return `${m >= 0 ? '+' : ''}${m.toFixed(3)} ± ${(Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1) / d.length)).toFixed(3)}`;
  };
  for (const [name, served] of servedRowOf) console.log(`${name.padEnd(34)} against ${served}: dev ${paired(rows[name].dev, rows[served].dev)}, test ${paired(rows[name].test, rows[served].test)}`);
}
if (!values.keep && !values.reuse) rmSync(work, { recursive: true, force: true });
