import { Hono } from 'hono';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { UpvoteStateSchema } from '../schemas/community.ts';
import { paperIdFromPath } from '../params.ts';

export function upvoteApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const limits = writeLimits(config, 'upvote');
  for (const method of ['post', 'delete'] as const) {
    apiRoute(
      app,
      {
        method,
        path: '/api/papers/{id}/upvote',
        summary: method === 'post' ? 'Upvote a paper (idempotent)' : 'Take back an upvote (idempotent)',
        tags: ['community'],
        params: PaperIdParams,
        response: UpvoteStateSchema,
        auth: 'user',
        errors: { 401: 'not logged in', 403: 'CSRF token missing', 404: 'no such paper', 429: 'rate limited' },
      },
      ...limits,
      async (c, { params }) => c.var.services.upvotes.set(c.var.user!, paperIdFromPath(params.id), method === 'post'),
    );
  }
  return app;
}
