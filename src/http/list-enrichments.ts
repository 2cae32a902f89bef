import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { NO_ENRICHMENT } from '../domain/enrichment.ts';
import type { Enriched } from './presenters/paper.ts';
import { siteBase } from './site-url.ts';

/**
 * The enrichments of the papers an API answer lists, read in one query for the whole answer
 * (never one per item), as presenters take them: `(id) => Enriched`.
 */
export async function listEnrichments(c: Context<AppEnv>, paperIds: readonly string[]): Promise<(id: string) => Enriched> {
  const found = await c.var.services.enrichment.forPapers(paperIds);
  const base = siteBase(c);
  return (id) => ({ enrichment: found.get(id) ?? NO_ENRICHMENT, siteBase: base });
}
