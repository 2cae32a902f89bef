import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import type { SiteLinks } from '../services/feeds.ts';
import { sitePaths } from '../domain/site-paths.ts';

/**
 * The absolute base URL for links in feeds and `Link` headers: `PUBLIC_URL` when set (behind a
 * proxy the request's own host may be internal), else the origin the request came to.
 */
export function siteBase(c: Context<AppEnv>): string {
  const configured = c.var.services.config.publicUrl;
  return (configured ?? new URL(c.req.url).origin).replace(/\/+$/, '');
}

export function siteLinks(c: Context<AppEnv>): SiteLinks {
  return { base: siteBase(c), paperPage: sitePaths.paper };
}
