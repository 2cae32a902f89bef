/**
 * Finds the seed page's 69 papers in an arXiv listings corpus and writes the small derived matches
 * (arXiv id, authors, categories, listing day) that the demo loader uses, so the demo's paper pages
 * show real authors, categories and arXiv links. Only these few fields are committed, never the corpus.
 *
 *   npx tsx scripts/match-demo.ts [--corpus /work/shared/data/arxiv-listings] [--out fixtures/demo/arxiv-matches.json]
 *
 * A title matches when its normalised form (accents, case, punctuation and spacing folded) is equal;
 * otherwise the closest title by character-trigram Dice is accepted when it is very close (>= 0.9),
 * or close (>= 0.7) and the abstracts agree too (>= 0.5), so a near-namesake is not taken for the paper.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { diceSimilarity, normaliseTitle, trigrams } from '../src/domain/title-match.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: '/work/shared/data/arxiv-listings' },
    demo: { type: 'string', default: path.join(root, 'fixtures/demo/papers.jsonl') },
    out: { type: 'string', default: path.join(root, 'fixtures/demo/arxiv-matches.json') },
  },
});

interface Listing { id: string; title: string; authors: string[]; abstract: string; categories: string[]; primary_category: string | null; listing_date: string | null }
interface Seed { id: string; title: string; abstract: string; tri: Set<string>; absTri: Set<string>; best?: { score: number; abs: number; paper: Listing } }

const seeds: Seed[] = fs
  .readFileSync(values.demo!, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { id: string; title: string; abstract: string })
  .map((p) => ({ id: p.id, title: p.title, abstract: p.abstract, tri: trigrams(normaliseTitle(p.title)), absTri: trigrams(normaliseTitle(p.abstract.slice(0, 600))) }));
const byNorm = new Map(seeds.map((s) => [normaliseTitle(s.title), s]));
const exact = new Map<string, Listing>();

const files = fs.readdirSync(values.corpus!).filter((f) => f.endsWith('.jsonl')).sort();
let read = 0;
for (const f of files) {
  const rl = readline.createInterface({ input: fs.createReadStream(path.join(values.corpus!, f)), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const p = JSON.parse(line) as Listing;
    read++;
    const norm = normaliseTitle(p.title);
    const hit = byNorm.get(norm);
    if (hit && !exact.has(hit.id)) exact.set(hit.id, p);
    if (hit) continue;
    const tri = trigrams(norm);
    for (const s of seeds) {
      if (exact.has(s.id)) continue;
      const score = diceSimilarity(s.tri, tri);
      if (score >= 0.7 && score > (s.best?.score ?? 0)) s.best = { score, abs: diceSimilarity(s.absTri, trigrams(normaliseTitle(p.abstract.slice(0, 600)))), paper: p };
    }
  }
}

const pick = (p: Listing, how: string, score: number) => ({
  arxivId: p.id,
  matchedBy: how,
  score: Math.round(score * 1000) / 1000,
  title: p.title,
  authors: p.authors,
  categories: p.categories.filter((c) => !/^[A-K]\.\d/.test(c)),
  primaryCategory: p.primary_category,
  listingDate: p.listing_date,
});
const matches: Record<string, ReturnType<typeof pick>> = {};
const report: string[] = [];
for (const s of seeds) {
  const e = exact.get(s.id);
  if (e) matches[s.id] = pick(e, 'title', 1);
  else if (s.best && (s.best.score >= 0.9 || s.best.abs >= 0.5)) matches[s.id] = pick(s.best.paper, 'fuzzy', s.best.score);
  const m = matches[s.id];
  report.push(`${m ? `${m.matchedBy.padEnd(5)} ${m.arxivId.padEnd(11)}` : 'none  '.padEnd(17)} ${s.title.slice(0, 70)}${s.best && !e ? `  (closest ${s.best.score.toFixed(2)}/${s.best.abs.toFixed(2)}: ${s.best.paper.title.slice(0, 50)})` : ''}`);
}
fs.writeFileSync(values.out!, `${JSON.stringify({ corpus: 'arxiv-listings', papersRead: read, matches }, null, 1)}\n`);
console.log(report.join('\n'));
console.log(`${Object.keys(matches).length} of ${seeds.length} seed papers matched among ${read} corpus papers -> ${path.relative(root, values.out!)}`);
