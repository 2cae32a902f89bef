import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { presentAuditEntry, presentUser } from '../presenters/community.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { AuditEntrySchema, BanBody, CommentIdParams, HideBody, UserSchema, UsernameParams } from '../schemas/community.ts';
import { paperIdFromPath } from '../params.ts';

export function adminApiRoutes() {
  const app = new Hono<AppEnv>();
  const tags = ['admin'];

  apiRoute(
    app,
    { method: 'post', path: '/api/admin/papers/{id}/hide', summary: 'Hide (or, with hidden:false, show) a paper', tags, params: PaperIdParams, body: HideBody.optional(), status: 204, auth: 'admin' },
    async (c, { params, body }) => {
      await c.var.services.moderation.setPaperHidden(c.var.user!, paperIdFromPath(params.id), body?.hidden ?? true, body?.reason);
      return undefined;
    },
  );

  apiRoute(app, { method: 'delete', path: '/api/admin/comments/{id}', summary: 'Delete any comment', tags, params: CommentIdParams, status: 204, auth: 'admin' }, async (c, { params }) => {
    await c.var.services.comments.delete(c.var.user!, params.id);
    return undefined;
  });

  apiRoute(
    app,
    { method: 'post', path: '/api/admin/users/{name}/ban', summary: 'Ban (or, with banned:false, unban) an account; ends its sessions', tags, params: UsernameParams, body: BanBody.optional(), response: z.object({ user: UserSchema, banned: z.boolean() }), auth: 'admin' },
    async (c, { params, body }) => {
      const user = await c.var.services.moderation.setBanned(c.var.user!, params.name, body?.banned ?? true, body?.reason);
      return { user: presentUser(user), banned: user.banned };
    },
  );

  apiRoute(
    app,
    { method: 'get', path: '/api/admin/audit', summary: 'The moderation audit log, newest first', tags, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }), response: z.object({ entries: z.array(AuditEntrySchema) }), auth: 'admin' },
    async (c, { query }) => ({ entries: (await c.var.services.moderation.auditLog(c.var.user!, query.limit, query.offset)).map(presentAuditEntry) }),
  );

  return app;
}
