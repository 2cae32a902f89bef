/**
 * What the search page's extras cost on the real corpus: the in-memory index's match count (a
 * union of posting lists) and "did you mean" (bounded edit distance over the lexicon), against the
 * ranked top-26 search the page runs anyway (same index, same run). Reads the listing shards.
 *   npx tsx bench/spelling-and-count.ts /work/shared/data/arxiv-listings
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvertedIndex, type IndexedDoc } from '../src/search/inverted-index.ts';
import { tokenize } from '../src/search/tokenize.ts';
import { words } from '../src/search/query.ts';

const dir = process.argv[2] ?? '/work/shared/data/arxiv-listings';
const docs: IndexedDoc[] = [];
const seen = new Set<string>();
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
  for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const p = JSON.parse(line);
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    docs.push({ id: p.id, title: p.title ?? '', abstract: p.abstract ?? '' });
  }
}
let t = performance.now();
const index = InvertedIndex.build(docs);
console.log(`built ${docs.length} papers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const queries = ['transfromer', 'graph nueral networks', 'difusion models', 'reinforcment learning', 'large language models', 'attention', 'contrastive learning', 'retrieval augmented generation', 'optimizaton', 'quantum'];
const time = (fn: () => unknown, n = 20) => {
  fn();
  const s = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - s) / n;
};
console.log('query | top-26 ms | count ms | total | did-you-mean ms | correction');
for (const q of queries) {
  const terms = tokenize(q);
  const search = time(() => index.searchTerms(terms, 26));
  const count = time(() => index.countMatches(terms));
  const fixes = index.corrections(words(q));
  const dym = time(() => index.corrections(words(q)), 5);
  console.log(`${q} | ${search.toFixed(2)} | ${count.toFixed(2)} | ${index.countMatches(terms).total} | ${dym.toFixed(2)} | ${[...fixes].map(([a, b]) => `${a}→${b}`).join(' ') || '—'}`);
}
t = performance.now();
console.log(`load ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
