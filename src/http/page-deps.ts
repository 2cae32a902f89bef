import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { addDays, type Period } from '../domain/period.ts';

/**
 * What a cached anonymous page was rendered from, so that a vote makes stale only the pages it can
 * change (`PageCache.voted`). A route declares them with `pageDependsOn`; a page that declares
 * nothing is made stale by every vote (as every page is by any other write).
 *
 * - `paper:<id>`: the page shows that paper's vote count (a paper page, a search answer's results);
 * - `day:<YYYY-MM-DD>`: the page ranks that feed day's papers by votes (a vote on any of them can
 *   reorder it, or move a paper onto it from the next page);
 * - `votes`: the page ranks across the whole site by votes (trending, a search sorted by votes).
 */
export const VOTES_DEP = 'votes';
export const paperDep = (id: string) => `paper:${id}`;
export const dayDep = (day: string) => `day:${day}`;

/** Every day of a period (at most 31), as dependencies. */
export function periodDeps(p: Pick<Period, 'from' | 'to'>): string[] {
  const out: string[] = [];
  for (let d = p.from; d <= p.to && out.length < 31; d = addDays(d, 1)) out.push(dayDep(d));
  return out;
}

/** Declares what the page this request renders depends on (read by the page cache middleware). */
export function pageDependsOn(c: Context<AppEnv>, deps: readonly string[]): void {
  c.set('pageDeps', deps);
}

/**
 * The page this request renders may be served from the anonymous page cache for `ms` at most
 * (less than PAGE_CACHE_SECONDS): a page that stands in for the real one (a paper page showing
 * same-day papers because its similar papers were late) is not kept as if it were that page.
 */
export function pageFreshFor(c: Context<AppEnv>, ms: number): void {
  const now = c.get('pageTtlMs');
  c.set('pageTtlMs', now === undefined ? ms : Math.min(now, ms));
}
