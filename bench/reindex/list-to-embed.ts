/**
 * The embedding phase's list of papers to embed, as a reindex reads it: every pending paper in
 * 2,000-paper batches (`papersToEmbed`), with every title and abstract (before round 26) or with ids
 * and content hashes only (`textFor` answering false for every paper: the keyword build's analysis
 * stands for all of them), alternately on one imported store with no vectors. CPU of the process and
 * wall of each full walk.
 *
 *   node --import tsx bench/reindex/list-to-embed.ts STORE.db [--rounds 3]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/store/index.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' } } });
if (!positionals[0]) {
  console.error('usage: bench/reindex/list-to-embed.ts STORE.db [--rounds 3]');
  process.exit(2);
}
const opened = await openStore(positionals[0], { migrate: false });
const walk = async (lean: boolean) => {
  const t = performance.now();
  const c = process.cpuUsage();
  let n = 0;
  let after: string | undefined;
  for (;;) {
    const batch = await opened.store.search.papersToEmbed('bench-list', 2000, after, undefined, lean ? { textFor: () => false } : {});
    n += batch.length;
    if (batch.length < 2000) break;
    after = batch[batch.length - 1].id;
  }
  const d = process.cpuUsage(c);
  return `${lean ? 'ids + hashes' : 'with texts  '} ${n} papers: ${((performance.now() - t) / 1000).toFixed(2)} s wall, ${((d.user + d.system) / 1e6).toFixed(2)} s CPU`;
};
console.log(`load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (let r = 0; r < Number(values.rounds ?? 3); r++) {
  for (const lean of r % 2 ? [true, false] : [false, true]) console.log(await walk(lean));
}
console.log(`load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await opened.close();
