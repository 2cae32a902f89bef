import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { writeLimits } from '../middleware/limits.ts';
import { paperMarkRoutes } from '../paper-mark.ts';

const SeenStateSchema = z.object({ paperId: z.string(), seen: z.boolean() }).meta({ id: 'SeenState' });

/** `PUT` / `DELETE /api/papers/{id}/seen`: mark a paper seen or not seen (idempotent), as the feed cards' form does. */
export function readStateApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  paperMarkRoutes(app, {
    path: '/api/papers/{id}/seen',
    on: 'put',
    summaries: { on: 'Mark a paper seen (idempotent): dimmed on feeds, left out with hideSeen', off: 'Mark a paper not seen (idempotent)' },
    response: SeenStateSchema,
    limits: writeLimits(config, 'seen'),
    set: (c, paperId, on) => c.var.services.readState.set(c.var.user!.id, paperId, on),
  });
  return app;
}
