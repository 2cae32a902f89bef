import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/store.ts';
import { Importer, emptySummary, type ImportSummary } from '../ingest/importer.ts';

const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/demo');
export const DEMO_FILE = path.join(DEMO_DIR, 'papers.jsonl');
/** The seed papers found in the arXiv corpus (written by scripts/match-demo.ts): id, authors, categories. */
export const DEMO_MATCHES_FILE = path.join(DEMO_DIR, 'arxiv-matches.json');
/** The seed page's "Aug 1". */
export const DEMO_DAY = '2025-08-01';

interface DemoPaper {
  id: string;
  title: string;
  abstract: string;
}
interface ArxivMatch {
  arxivId: string;
  authors: string[];
  categories: string[];
  primaryCategory: string | null;
  listingDate: string | null;
}

/**
 * The demo set as import lines, in the seed page's order: a paper found in the arXiv corpus becomes
 * an arXiv listing line (its id, authors, categories and arXiv links, with the seed page's own title
 * and abstract); the others stay generic `demo:` papers.
 */
export function demoLines(): Array<{ format: 'listing' | 'generic'; line: string }> {
  const matches = (JSON.parse(fs.readFileSync(DEMO_MATCHES_FILE, 'utf8')) as { matches: Record<string, ArxivMatch> }).matches;
  return fs
    .readFileSync(DEMO_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const p = JSON.parse(line) as DemoPaper;
      const m = matches[p.id];
      if (!m) return { format: 'generic' as const, line };
      const listing = {
        id: m.arxivId,
        title: p.title,
        authors: m.authors,
        abstract: p.abstract,
        categories: m.categories,
        primary_category: m.primaryCategory,
        comment: null,
        listing_date: m.listingDate,
        abs_url: `https://arxiv.org/abs/${m.arxivId}`,
        pdf_url: `https://arxiv.org/pdf/${m.arxivId}`,
      };
      return { format: 'listing' as const, line: JSON.stringify(listing) };
    });
}

/** Loads the 69 seed-page papers onto the feed of 2025-08-01 when the store has no papers at all. */
export async function loadDemoIfEmpty(store: Store): Promise<ImportSummary | null> {
  if ((await store.papers.count()) > 0) return null;
  const importer = new Importer(store);
  const summary = emptySummary();
  // Runs of one format at a time, in order, so the feed keeps the seed page's order.
  const lines = demoLines();
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && lines[j].format === lines[i].format) j++;
    const chunk = lines.slice(i, j).map((l) => `${l.line}\n`).join('');
    await importer.importStream(Readable.from([chunk]), 'demo', { format: lines[i].format, source: 'demo', feedDay: DEMO_DAY }, summary);
    i = j;
  }
  await importer.close();
  return summary;
}
