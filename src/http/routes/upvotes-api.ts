import { Hono } from 'hono';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { writeLimits } from '../middleware/limits.ts';
import { UpvoteStateSchema } from '../schemas/community.ts';
import { paperMarkRoutes } from '../paper-mark.ts';

/** `POST` / `DELETE /api/papers/{id}/upvote`: upvote a paper or take the upvote back (idempotent). */
export function upvoteApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  paperMarkRoutes(app, {
    path: '/api/papers/{id}/upvote',
    on: 'post',
    summaries: { on: 'Upvote a paper (idempotent)', off: 'Take back an upvote (idempotent)' },
    response: UpvoteStateSchema,
    limits: writeLimits(config, 'upvote'),
    set: (c, paperId, on) => c.var.services.upvotes.set(c.var.user!, paperId, on),
  });
  return app;
}
