import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { ServiceError } from '../../services/errors.ts';
import { badRequest } from '../errors.ts';
import { parsePeriod, type Period, type PeriodKind } from '../../domain/period.ts';
import { presentDailyPaper } from '../presenters/daily-paper.ts';
import { presentPaper } from '../presenters/paper.ts';
import { DailyPaperSchema, DailyPapersQuery, PaperListQuery, PaperPageSchema } from '../schemas/daily-papers.ts';
import { siteBase } from '../site-url.ts';
import { listEnrichments } from '../list-enrichments.ts';

/** `Link: <...>; rel="next"` to the same URL with `changes` applied to its query. */
function nextLink(c: Context<AppEnv>, changes: Record<string, string>): string {
  const url = new URL(c.req.url);
  const next = new URL(`${siteBase(c)}${url.pathname}${url.search}`);
  for (const [k, v] of Object.entries(changes)) next.searchParams.set(k, v);
  return `<${next.toString()}>; rel="next"`;
}

function periodFrom(q: { date?: string; week?: string; month?: string }): Period | null {
  const given = (['date', 'week', 'month'] as const).filter((k) => q[k] !== undefined);
  if (given.length > 1) throw badRequest(`give at most one of date, week and month (got ${given.join(', ')})`, 'invalid_request');
  if (!given.length) return null;
  const key = given[0];
  const kind: PeriodKind = key === 'date' ? 'day' : key;
  const period = parsePeriod(kind, q[key]!);
  if (!period) throw badRequest(`${key}=${q[key]} is not a real ${key === 'date' ? 'calendar date' : key}`, 'invalid_request');
  return period;
}

/** The keyset position of a paper in the newest-first list, as an opaque string. */
const encodeCursor = (p: { publishedAt: string | null; id: string }) => Buffer.from(JSON.stringify([p.publishedAt, p.id])).toString('base64url');

function decodeCursor(s: string): { publishedAt: string | null; id: string } {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && (v[0] === null || typeof v[0] === 'string') && typeof v[1] === 'string') return { publishedAt: v[0], id: v[1] };
  } catch {
    // fall through to the 400
  }
  throw badRequest('cursor is not one this API gave out; start again without it', 'bad_cursor');
}

export function dailyPapersApiRoutes() {
  const app = new Hono<AppEnv>();

  apiRoute(
    app,
    {
      method: 'get',
      path: '/api/daily_papers',
      summary: 'Daily papers: the feed by day, ISO week or month, newest or trending first (Hugging Face Daily Papers shape)',
      tags: ['papers'],
      query: DailyPapersQuery,
      response: z.array(DailyPaperSchema),
      errors: { 400: 'bad parameters (e.g. two periods, or not a real date)', 401: 'hideSeen=true without a session or API token', 429: 'rate limited' },
    },
    async (c, { query }) => {
      const period = periodFrom(query);
      const user = c.var.user;
      if (query.hideSeen && !user) throw new ServiceError(401, 'login_required', 'hideSeen=true needs an API token (Authorization: Bearer …) or a session: it hides what that reader has seen');
      const page = await c.var.services.dailyPapers.list({ period, submitter: query.submitter, sort: query.sort, page: query.p, limit: query.limit, unseenBy: query.hideSeen ? user!.id : undefined });
      if (page.hasMore) c.header('Link', nextLink(c, { p: String(query.p + 1), limit: String(query.limit) }));
      const ids = page.items.map((i) => i.paper.id);
      // The page's enrichments (thumbnails and author-set links too) in one query, beside the seen look-up.
      const [enriched, seen] = await Promise.all([listEnrichments(c, ids), user ? c.var.services.readState.seenAmong(user.id, ids) : null]);
      const present = (i: (typeof page.items)[number]) => presentDailyPaper(i, enriched(i.paper.id));
      if (!seen) return page.items.map(present);
      return page.items.map((i) => ({ ...present(i), seen: seen.has(i.paper.id) }));
    },
  );

  apiRoute(
    app,
    {
      method: 'get',
      path: '/api/papers',
      summary: 'Every paper, newest first, by cursor',
      tags: ['papers'],
      query: PaperListQuery,
      response: PaperPageSchema,
      errors: { 400: 'bad cursor or limit', 429: 'rate limited' },
    },
    async (c, { query }) => {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await c.var.services.papers.newest(query.limit + 1, after);
      const papers = rows.slice(0, query.limit);
      const nextCursor = rows.length > query.limit ? encodeCursor(papers[papers.length - 1]) : null;
      if (nextCursor) c.header('Link', nextLink(c, { cursor: nextCursor, limit: String(query.limit) }));
      const ids = papers.map((p) => p.id);
      const enriched = await listEnrichments(c, ids);
      return { papers: papers.map((p) => presentPaper(p, enriched(p.id))), nextCursor };
    },
  );

  return app;
}
