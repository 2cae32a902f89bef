import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { thumbnailPath } from '../domain/enrichment.ts';
import { siteBase } from './site-url.ts';

/** Absolute URLs of the papers' first-page thumbnails (page size), for the API's `thumbnail` field. */
export async function thumbnailUrls(c: Context<AppEnv>, paperIds: readonly string[]): Promise<Map<string, string>> {
  const thumbs = await c.var.services.enrichment.thumbnails(paperIds);
  const base = siteBase(c);
  return new Map([...thumbs].map(([id, t]) => [id, `${base}${thumbnailPath(t.page)}`]));
}
