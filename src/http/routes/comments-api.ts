import { Hono } from 'hono';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import { presentComment } from '../presenters/community.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { CommentBody, CommentEditBody, CommentIdParams, CommentListSchema, CommentSchema } from '../schemas/community.ts';
import { paperIdFromPath } from '../params.ts';

export function commentApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const limits = writeLimits(config, 'comment');

  apiRoute(
    app,
    { method: 'get', path: '/api/papers/{id}/comments', summary: "A paper's comments, oldest first (replies carry parentId)", tags: ['community'], params: PaperIdParams, response: CommentListSchema, errors: { 404: 'no such paper' } },
    async (c, { params }) => {
      const id = paperIdFromPath(params.id);
      const comments = await c.var.services.comments.list(id);
      return { paperId: id, numComments: comments.filter((x) => !x.deleted).length, comments: comments.map(presentComment) };
    },
  );

  apiRoute(
    app,
    { method: 'post', path: '/api/papers/{id}/comments', summary: 'Comment on a paper, or reply (parentId)', tags: ['community'], params: PaperIdParams, body: CommentBody, response: CommentSchema, status: 201, auth: 'user', errors: { 400: 'empty, too long or bad parent', 404: 'no such paper', 429: 'rate limited' } },
    ...limits,
    async (c, { params, body }) => {
      const comment = await c.var.services.comments.post(c.var.user!, paperIdFromPath(params.id), body.body, body.parentId ?? null);
      return c.json(presentComment(comment), 201);
    },
  );

  apiRoute(
    app,
    { method: 'patch', path: '/api/comments/{id}', summary: 'Edit one of your comments (within the edit window)', tags: ['community'], params: CommentIdParams, body: CommentEditBody, response: CommentSchema, auth: 'user', errors: { 403: 'not yours or too late', 404: 'no such comment' } },
    ...limits,
    async (c, { params, body }) => presentComment(await c.var.services.comments.edit(c.var.user!, params.id, body.body)),
  );

  apiRoute(
    app,
    { method: 'delete', path: '/api/comments/{id}', summary: 'Delete one of your comments (admins: any, audited)', tags: ['community'], params: CommentIdParams, status: 204, auth: 'user', errors: { 403: 'not yours', 404: 'no such comment' } },
    async (c, { params }) => {
      await c.var.services.comments.delete(c.var.user!, params.id);
      return undefined;
    },
  );

  return app;
}
