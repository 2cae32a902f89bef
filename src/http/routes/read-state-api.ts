import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { paperIdFromPath } from '../params.ts';

const SeenStateSchema = z.object({ paperId: z.string(), seen: z.boolean() }).meta({ id: 'SeenState' });

/** `PUT` / `DELETE /api/papers/{id}/seen`: mark a paper seen or not seen (idempotent), as the feed cards' form does. */
export function readStateApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  for (const method of ['put', 'delete'] as const) {
    apiRoute(
      app,
      {
        method,
        path: '/api/papers/{id}/seen',
        summary: method === 'put' ? 'Mark a paper seen (idempotent): dimmed on feeds, left out with hideSeen' : 'Mark a paper not seen (idempotent)',
        tags: ['community'],
        params: PaperIdParams,
        response: SeenStateSchema,
        auth: 'user',
        errors: { 401: 'not logged in', 403: 'CSRF token missing', 404: 'no such paper', 429: 'rate limited' },
      },
      ...writeLimits(config, 'seen'),
      async (c, { params }) => c.var.services.readState.set(c.var.user!.id, paperIdFromPath(params.id), method === 'put'),
    );
  }
  return app;
}
