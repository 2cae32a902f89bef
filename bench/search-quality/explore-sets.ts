import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The query sets the exploration scripts (fusion-explore.ts, wordvec-explore.ts) rank: the three
 * tuning blocks of meaning-set.json, the dev set's descriptive queries and 200 exact titles — or,
 * with `heldout`, only the held-out half, which a script runs once for its chosen candidate.
 */
type Q = { paperId: string; query: string };
const here = dirname(fileURLToPath(import.meta.url));

export type QuerySets = Record<string, Array<{ id: string; query: string }>>;

export function exploreSets(titleOf: (id: string) => string, heldout: boolean): QuerySets {
  const meaning = JSON.parse(readFileSync(join(here, 'meaning-set.json'), 'utf8')) as Record<'tuning' | 'tuning2' | 'tuning3' | 'heldout', Q[]>;
  const dev = JSON.parse(readFileSync(join(here, 'dev-set.json'), 'utf8')) as { descriptive: Array<{ id: string; query: string }>; exactTitle: string[] };
  const asSet = (qs: Q[]) => qs.map((q) => ({ id: q.paperId, query: q.query }));
  if (heldout) return { heldout: asSet(meaning.heldout) };
  return {
    tuning: asSet(meaning.tuning),
    tuning2: asSet(meaning.tuning2),
    tuning3: asSet(meaning.tuning3),
    descriptive: dev.descriptive,
    title200: dev.exactTitle.slice(0, 200).map((id) => ({ id, query: titleOf(id) })),
  };
}
