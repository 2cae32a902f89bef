import { Hono } from 'hono';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import { presentFollow, presentFollowing, presentForYou, presentInterest } from '../presenters/discovery.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { FollowBody, FollowSchema, FollowingQuery, FollowingSchema, ForYouQuery, ForYouSchema, InterestBody, InterestSchema, NotInterestedSchema, NumericIdParams } from '../schemas/discovery.ts';
import { paperIdFromPath } from '../params.ts';
import { listEnrichments } from '../list-enrichments.ts';
import { z } from 'zod';

/** "For you", not-interested marks, cold-start interests and follows (all need a session or a token). */
export function discoveryApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const writes = writeLimits(config, 'discovery');
  const errors = { 401: 'not logged in' };

  apiRoute(
    app,
    { method: 'get', path: '/api/papers/for-you', summary: 'Recent papers picked for the reader, each with the reason', tags: ['discovery'], query: ForYouQuery, response: ForYouSchema, auth: 'user', errors },
    async (c, { query }) => {
      const r = await c.var.services.forYou.picksFor(c.var.user!.id, query.limit);
      return presentForYou(r, await listEnrichments(c, r.picks.map((p) => p.paper.id)));
    },
  );

  for (const method of ['post', 'delete'] as const) {
    apiRoute(
      app,
      {
        method,
        path: '/api/papers/{id}/not-interested',
        summary: method === 'post' ? 'Mark a paper "not interested" (idempotent)' : 'Take a "not interested" mark back',
        tags: ['discovery'],
        params: PaperIdParams,
        response: NotInterestedSchema,
        auth: 'user',
        errors: { ...errors, 403: 'CSRF token missing', 404: 'no such paper', 429: 'rate limited' },
      },
      ...writes,
      async (c, { params }) => {
        const id = paperIdFromPath(params.id);
        const { forYou } = c.var.services;
        return method === 'post' ? forYou.markNotInterested(c.var.user!.id, id) : forYou.unmarkNotInterested(c.var.user!.id, id);
      },
    );
  }

  apiRoute(
    app,
    { method: 'get', path: '/api/me/interests', summary: 'The categories, authors and papers the reader picked', tags: ['discovery'], response: z.object({ items: z.array(InterestSchema) }), auth: 'user', errors },
    async (c) => ({ items: (await c.var.services.forYou.interests(c.var.user!.id)).map(presentInterest) }),
  );
  apiRoute(
    app,
    { method: 'post', path: '/api/me/interests', summary: 'Add an interest (cold start)', tags: ['discovery'], body: InterestBody, response: InterestSchema, status: 201, auth: 'user', errors: { ...errors, 404: 'no such paper', 409: 'too many', 429: 'rate limited' } },
    ...writes,
    async (c, { body }) => c.json(presentInterest(await c.var.services.forYou.addInterest(c.var.user!.id, body.kind, body.value)), 201),
  );
  apiRoute(
    app,
    { method: 'delete', path: '/api/me/interests/{fid}', summary: 'Remove an interest', tags: ['discovery'], params: NumericIdParams, status: 204, auth: 'user', errors: { ...errors, 404: 'no such interest' } },
    ...writes,
    async (c, { params }) => {
      await c.var.services.forYou.removeInterest(c.var.user!.id, Number(params.fid));
      return undefined;
    },
  );

  apiRoute(
    app,
    { method: 'get', path: '/api/following', summary: 'New papers of the authors, categories and saved searches the reader follows', tags: ['discovery'], query: FollowingQuery, response: FollowingSchema, auth: 'user', errors },
    async (c, { query }) => {
      const news = await c.var.services.following.newFor(c.var.user!.id, query.since ?? (await c.var.services.following.defaultSince()), { limit: query.limit });
      return presentFollowing(news, await listEnrichments(c, news.items.map((i) => i.item.paper.id)));
    },
  );
  apiRoute(
    app,
    { method: 'post', path: '/api/following', summary: 'Follow an author, a category or a saved search', tags: ['discovery'], body: FollowBody, response: FollowSchema, status: 201, auth: 'user', errors: { ...errors, 409: 'too many', 429: 'rate limited' } },
    ...writes,
    async (c, { body }) => c.json(presentFollow(await c.var.services.following.follow(c.var.user!.id, body.kind, body.value)), 201),
  );
  apiRoute(
    app,
    { method: 'delete', path: '/api/following/{fid}', summary: 'Stop following', tags: ['discovery'], params: NumericIdParams, status: 204, auth: 'user', errors: { ...errors, 404: 'no such follow' } },
    ...writes,
    async (c, { params }) => {
      await c.var.services.following.unfollow(c.var.user!.id, Number(params.fid));
      return undefined;
    },
  );
  return app;
}
