import { genericFormat } from './generic.ts';
import { listingFormat } from './listing.ts';
import { snapshotFormat } from './snapshot.ts';
import type { FormatName, ImportFormat } from './types.ts';

export * from './types.ts';

/** Most specific first: a generic line would also match the others' loose shape. */
export const FORMATS: Record<FormatName, ImportFormat> = {
  listing: listingFormat,
  snapshot: snapshotFormat,
  generic: genericFormat,
};

export function detectFormat(obj: Record<string, unknown>): ImportFormat | null {
  for (const f of Object.values(FORMATS)) if (f.matches(obj)) return f;
  return null;
}
