import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/store.ts';
import { Importer, type ImportSummary } from '../ingest/importer.ts';

export const DEMO_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/demo/papers.jsonl');
/** The seed page's "Aug 1". */
export const DEMO_DAY = '2025-08-01';

/** Loads the 69 seed-page papers onto the feed of 2025-08-01 when the store has no papers at all. */
export async function loadDemoIfEmpty(store: Store): Promise<ImportSummary | null> {
  if ((await store.papers.count()) > 0) return null;
  return new Importer(store).importFile(DEMO_FILE, { format: 'generic', source: 'demo', feedDay: DEMO_DAY });
}
