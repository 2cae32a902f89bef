/**
 * Round 26 (branch `meaning-recipe`): the served refinement (`refineModel`, src; its copy recipe-refine.ts) under other
 * recipes — harder in-batch negatives (`hardBits`), sentence pseudo-queries without the title's
 * words (`dropTitleWords`), more passes, a falling learning rate — trained on every paper from
 * fusion-explore.ts's cached default model and written next to it as `model-<tag>.bin`, so that
 * `fusion-explore.ts --models 'default;<tag>' --only 'served,adaptive 0.2-0.7'` measures it on the
 * tuning blocks (and `--heldout` once for a pick). Prints the refinement's CPU.
 *
 *   node --max-old-space-size=6000 --import tsx bench/search-quality/recipe-explore.ts ../shared/data/arxiv-listings \
 *     --cache /tmp/meaning-recipe/cache --tag hard6 --options '{"hardBits":6}'
 *
 * Tags: letters and digits only (fusion-explore.ts's cache key for `--models` turns others into `_`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalEmbedder } from '../../src/search/local-embedder.ts';
import { refineRecipe } from './recipe-refine.ts';
import { loadCorpus } from './corpus.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { cache: { type: 'string' }, tag: { type: 'string' }, options: { type: 'string' } } });
if (!positionals[0] || !values.cache || !values.tag) {
  console.error('usage: recipe-explore.ts <arxiv-listings dir> --cache DIR --tag NAME [--options JSON]');
  process.exit(2);
}
const la = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const corpus = loadCorpus(positionals[0]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const base = LocalEmbedder.fromBuffer(readFileSync(join(values.cache, 'model-default.bin')));
const options = JSON.parse(values.options ?? '{}');
console.log(`${values.tag}: ${JSON.stringify(options)} on ${corpus.length} papers from ${base.id}; load ${la()}`);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const model = refineRecipe(base, corpus.map((p) => ({ title: p.title, abstract: p.abstract })), options);
const cpu = process.cpuUsage(cpu0);
console.log(`${values.tag}: refined in ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${((performance.now() - t0) / 1000).toFixed(1)} s wall; load ${la()}`);
// The tag in the id: fusion-explore.ts caches each model's paper vectors under its id, and every
// recipe's id would otherwise be the same (the base's + `-ctr1`), each run reading another's vectors.
writeFileSync(join(values.cache, `model-${values.tag}.bin`), model.withRows(model.rowsCopy(), `${model.id}-${values.tag}`).toBuffer());
