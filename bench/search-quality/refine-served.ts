/**
 * Round 25: the contrastive refinement of the offline model (`src/search/local-embedder-refine.ts`)
 * measured through the served code paths, against the served LSA model in the same run:
 *
 *   - search by meaning: `services.search.search` (hybrid, as `GET /api/papers/search`) on the
 *     held-out half of meaning-set.json, with the older descriptive set and 200 exact titles as
 *     guards — the LSA model (fixed fusion, as served), BM25 alone, and the refined model under the
 *     fixed fusion and under the fusion the service picks for it (adaptive);
 *   - similar papers: `services.search.similar(id, 120)` (as `GET /api/papers/{id}/similar`) on
 *     CSFCube, NDCG%20 by fold (fold1_test is the held-out one), LSA against refined.
 *
 * Each store is a copy of one the real CLI imported and reindexed (`--db`, `--csf-db`, e.g. left
 * by `csfcube.ts --keep DIR`); in the copy the background job's code (`ModelRefinementService.run`)
 * refines the stored model, stores it and embeds every paper with it, as in a served instance.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/refine-served.ts --db /tmp/cs/arxiv/paperboy.db \
 *     [--csfcube ../shared/data/eval/csfcube --csf-db /tmp/cs/csf/paperboy.db] [--work /tmp/cs/work]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Services } from '../../src/services/index.ts';
import { DEFAULT_FUSION } from '../../src/search/fusion.ts';
import type { SearchService } from '../../src/services/search.ts';
import { fmt, rankOf, score } from './metrics.ts';
import { loadCsfcube } from './csfcube-data.ts';
import { loadLine as la, openServed as open, refineInPlace, similarListNdcg } from './served-store.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, csfcube: { type: 'string' }, 'csf-db': { type: 'string' }, work: { type: 'string' }, 'measure-only': { type: 'boolean' } } });
if (!values.db && !values['csf-db']) {
  console.error('usage: refine-served.ts --db FILE [--csfcube DIR --csf-db FILE] [--work DIR]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const work = values.work ?? '/tmp/refine-served';
mkdirSync(work, { recursive: true });
console.log(`load average at the start ${la()}`);

/** A copy of the store (and its published files' directory is not needed: the services rebuild what they miss). */
function copyStore(src: string, name: string): string {
  const dst = join(work, `${name}.db`);
  for (const ext of ['', '-wal', '-shm']) if (existsSync(src + ext)) copyFileSync(src + ext, dst + ext);
  return dst;
}

if (values.db) {
  const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<string, Array<{ paperId: string; query: string }>>;
  const dev = JSON.parse(readFileSync(join(here, 'dev-set.json'), 'utf8')) as { descriptive: Array<{ id: string; query: string }>; exactTitle: string[] };
  const db = copyStore(values.db, 'arxiv');
  const sets: Record<string, Array<{ id: string; query: string }>> = {
    'held-out': meaning.heldout.map((q) => ({ id: q.paperId, query: q.query })),
    descriptive: dev.descriptive,
  };
  const perQuery = new Map<string, Array<number | null>>();
  const measure = async (label: string, search: SearchService, mode: 'hybrid' | 'keyword', titles?: Map<string, string>) => {
    const cols: string[] = [];
    const all: Record<string, Array<{ id: string; query: string }>> = { ...sets };
    if (titles) all['titles 200'] = dev.exactTitle.slice(0, 200).map((id) => ({ id, query: titles.get(id)! }));
    for (const [name, qs] of Object.entries(all)) {
      const ranks = [];
      for (const q of qs) ranks.push(rankOf((await search.search({ q: q.query, mode, limit: 10 })).results.map((r) => r.paper.id), q.id));
      let paired = '';
      if (name === 'held-out') {
        const base = perQuery.get('base');
        if (!base) perQuery.set('base', ranks);
        else {
          const rr = (r: number | null) => (r === null ? 0 : 1 / r);
          paired = ` [${ranks.filter((r, i) => rr(r) > rr(base[i])).length} better / ${ranks.filter((r, i) => rr(r) < rr(base[i])).length} worse]`;
        }
      }
      cols.push(`${name} ${name === 'held-out' ? fmt(score(ranks)) : score(ranks).mrrAt10.toFixed(3)}${paired}`);
    }
    console.log(`${label.padEnd(36)} ${cols.join('  ')}`);
  };
  let s = await open(db);
  const titles = new Map((await s.opened.store.papers.getMany(dev.exactTitle.slice(0, 200))).map((p) => [p.id, p.title]));
  console.log(`search: ${(await s.services.searchIndex.embedder())?.id}; engine ${s.services.searchIndex.engineName}`);
  await measure(`${values['measure-only'] ? 'as stored' : 'LSA'} : served fusion (baseline)`, s.services.search, 'hybrid', titles);
  await measure('BM25 (keyword mode)', s.services.search, 'keyword', titles);
  await s.close();
  // --measure-only: the rows above for a store as it is (e.g. one the refinement job refined).
  if (values['measure-only']) process.exit(0);
  await refineInPlace(db);
  s = await open(db);
  console.log(`search: ${(await s.services.searchIndex.embedder())?.id}`);
  await measure('refined : as served (adaptive)', s.services.search, 'hybrid', titles);
  await s.close();
  s = await open(db, DEFAULT_FUSION);
  await measure('refined : fixed 0.7/0.3', s.search, 'hybrid', titles);
  await s.close();
  console.log(`load average ${la()}`);
}

if (values['csf-db'] && values.csfcube) {
  const { facets } = loadCsfcube(values.csfcube);
  const db = copyStore(values['csf-db'], 'csfcube');
  const measure = async (label: string, services: Services) => {
    const rows: Record<string, number[]> = {};
    for (const f of facets) {
      const v = similarListNdcg(f, ((await services.search.similar(`csfcube:${f.qid}`, 120)) ?? []).map((r) => r.paper.id));
      for (const k of [f.facet, f.split, 'all']) (rows[k] ??= []).push(v);
    }
    const mean = (xs: number[] = []) => (xs.reduce((a, b) => a + b, 0) / (xs.length || 1)).toFixed(3);
    console.log(`${label.padEnd(30)} ${['background', 'method', 'result', 'dev', 'test', 'all'].map((k) => `${k} ${mean(rows[k])}`).join('  ')}  (NDCG%20; test = fold1_test, held out)`);
  };
  let s = await open(db);
  console.log(`CSFCube similar: ${(await s.services.searchIndex.embedder())?.id}`);
  await measure('LSA (served, baseline)', s.services);
  await s.close();
  await refineInPlace(db);
  s = await open(db);
  console.log(`CSFCube similar: ${(await s.services.searchIndex.embedder())?.id}`);
  await measure('refined (served)', s.services);
  await s.close();
  console.log(`load average ${la()}`);
}
