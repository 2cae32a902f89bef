import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from './env.ts';
import { apiRoute } from './api-route.ts';
import { PaperIdParams } from './schemas/common.ts';
import { paperIdFromPath } from './params.ts';

/** A reader's own on/off mark on a paper (an upvote, "seen"), as its two routes declare it. */
export interface PaperMark {
  /** `/api/papers/{id}/…`: the method `on` sets the mark there, `DELETE` takes it back. */
  path: string;
  on: 'put' | 'post';
  summaries: { on: string; off: string };
  /** The mark's state, which both answer. */
  response: z.ZodType;
  /** The write preset's limits (`writeLimits`), shared by both methods. */
  limits: MiddlewareHandler<AppEnv>[];
  set: (c: Context<AppEnv>, paperId: string, on: boolean) => Promise<unknown>;
}

/**
 * Declares a mark's two routes on `app`: both idempotent, for an account (`auth: 'user'`; the app
 * checks CSRF), rate limited, the paper id checked by `PaperIdParams` and canonicalised by
 * `paperIdFromPath`.
 */
export function paperMarkRoutes(app: Hono<AppEnv>, mark: PaperMark): void {
  for (const method of [mark.on, 'delete'] as const) {
    const on = method !== 'delete';
    apiRoute(
      app,
      {
        method,
        path: mark.path,
        summary: on ? mark.summaries.on : mark.summaries.off,
        tags: ['community'],
        params: PaperIdParams,
        response: mark.response,
        auth: 'user',
        errors: { 401: 'not logged in', 403: 'CSRF token missing', 404: 'no such paper', 429: 'rate limited' },
      },
      ...mark.limits,
      async (c, { params }) => mark.set(c, paperIdFromPath(params.id), on),
    );
  }
}
