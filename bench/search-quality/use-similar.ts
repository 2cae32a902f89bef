/**
 * Round 27: does the Universal Sentence Encoder (lite) help "similar papers"? On CSFCube, the served
 * list (`services.search.similar(id, 120)`, as `GET /api/papers/{id}/similar`, on a store that
 * csfcube.ts imported, reindexed and refined: `--keep DIR`) is re-ranked by
 * `(1 − w) · served score + w · USE cosine(query paper, candidate)` (the similar path has no rerank
 * hook; the served list's own scores are what it fused). The text recipe and w are chosen on
 * fold1_dev; fold1_test (held out) is printed for that pick only, beside the served list, with
 * per-facet better/worse counts. USE alone over the whole pool is printed as the model's own level.
 *
 *   node --import tsx bench/search-quality/use-similar.ts --csf-db /tmp/uq-csf/paperboy.db --csfcube ../shared/data/eval/csfcube [--cache /tmp/uq-csf-cache] [--texts title,ta64]
 *     [--weights 0.1,0.2] [--all-test (fold1_test at every weight, post hoc)]
 *
 * BENCHMARKS "Round 27 (branch `use-quality`)".
 */
import { parseArgs } from 'node:util';
import { loadCsfcube, ndcgAt20Percent } from './csfcube-data.ts';
import { loadLine as la, openServed, similarListNdcg } from './served-store.ts';
import { UseCache, dot } from './use-cache.ts';

const { values } = parseArgs({ options: { 'csf-db': { type: 'string' }, csfcube: { type: 'string' }, cache: { type: 'string' }, texts: { type: 'string' }, weights: { type: 'string' }, 'all-test': { type: 'boolean' } } });
if (!values['csf-db'] || !values.csfcube) {
  console.error('usage: use-similar.ts --csf-db FILE --csfcube DIR [--cache DIR] [--texts title,ta64]');
  process.exit(2);
}
console.log(`load average at the start ${la()}`);
const { facets } = loadCsfcube(values.csfcube);
const db = values['csf-db'];
const cache = new UseCache(db, values.cache ?? '/tmp/uq-csf-cache');
const texts = (values.texts ?? 'title,ta64').split(',');

const served = await openServed(db);
console.log(`served model: ${(await served.services.searchIndex.embedder())?.id}`);
const lists = new Map<string, Array<{ id: string; score: number }>>();
for (const f of facets) if (!lists.has(f.qid)) lists.set(f.qid, ((await served.services.search.similar(`csfcube:${f.qid}`, 120)) ?? []).map((r) => ({ id: r.paper.id, score: r.score })));
await served.close();

const ids = [...new Set([...lists].flatMap(([qid, l]) => [`csfcube:${qid}`, ...l.map((h) => h.id), ...facets.filter((f) => f.qid === qid).flatMap((f) => f.cands.map((c) => `csfcube:${c}`))]))];
for (const t of texts) {
  const e = await cache.ensure(t, ids);
  console.log(`embedded ${t}: ${e.n} new papers, ${e.cpuMs.toFixed(1)} ms CPU a paper (load ${la()})`);
}

const vec = (t: string, id: string) => cache.cacheOf(t).get(id)!;
/** NDCG%20 per facet of the served list re-ranked with weight w on USE cosine under text recipe t (w 0: the served list). */
function run(t: string, w: number): number[] {
  return facets.map((f) => {
    const qv = vec(t, `csfcube:${f.qid}`);
    const list = lists.get(f.qid)!;
    const order = list
      .map((h, i) => ({ id: h.id, i, s: (1 - w) * h.score + w * dot(qv, vec(t, h.id)) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((x) => x.id);
    return similarListNdcg(f, order);
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const on = (xs: number[], split: string) => mean(xs.filter((_, i) => facets[i].split === split));
const base = run(texts[0], 0);
console.log(`served list (refined): dev ${on(base, 'dev').toFixed(3)}  (test printed with the pick)`);
for (const t of texts) {
  const alone = facets.map((f) => {
    const qv = vec(t, `csfcube:${f.qid}`);
    const s = f.cands.map((c) => dot(qv, vec(t, `csfcube:${c}`)));
    return ndcgAt20Percent(s.map((x, i) => ({ x, i })).sort((a, b) => b.x - a.x).map((o) => o.i), f.rel);
  });
  console.log(`USE alone (${t}) over the whole pool: dev ${on(alone, 'dev').toFixed(3)}`);
}
let pick = { t: texts[0], w: 0, dev: on(base, 'dev') };
for (const t of texts) {
  const cells: string[] = [];
  for (const w of (values.weights ?? '0.1,0.2,0.3,0.4,0.5,0.7').split(',').map(Number)) {
    const d = on(run(t, w), 'dev');
    cells.push(`${w}: ${d.toFixed(3)}`);
    if (d > pick.dev) pick = { t, w, dev: d };
  }
  console.log(`fold1_dev, served + w · USE(${t}): ${cells.join('  ')}`);
}
const chosen = run(pick.t, pick.w);
const better = chosen.filter((v, i) => facets[i].split === 'test' && v > base[i] + 1e-9).length;
const worse = chosen.filter((v, i) => facets[i].split === 'test' && v < base[i] - 1e-9).length;
console.log(`pick on fold1_dev: ${pick.t} w ${pick.w} (dev ${pick.dev.toFixed(3)})`);
console.log(`fold1_test (held out): served ${on(base, 'test').toFixed(3)}, served + ${pick.w} · USE(${pick.t}) ${on(chosen, 'test').toFixed(3)} [${better} better / ${worse} worse of ${facets.filter((f) => f.split === 'test').length} facets]; all 50: ${mean(base).toFixed(3)} → ${mean(chosen).toFixed(3)}`);
// `--all-test`: fold1_test at every weight (post hoc, after the pick: how much the held-out figure depends on w).
if (values['all-test'])
  for (const t of texts) console.log(`post hoc, fold1_test, served + w · USE(${t}): ${(values.weights ?? '0.1,0.2,0.3,0.4,0.5,0.7').split(',').map((w) => `${w}: ${on(run(t, Number(w)), 'test').toFixed(3)}`).join('  ')}`);
console.log(`load average ${la()}`);
