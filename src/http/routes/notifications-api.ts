import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import { rowId, rowIdParam } from '../schemas/common.ts';
import { NOTIFICATION_KINDS, notificationText, type Notification } from '../../domain/notification.ts';
import { notificationHref } from '../../mail/templates/notifications.ts';

const NotificationSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(NOTIFICATION_KINDS),
    text: z.string().meta({ description: 'What happened, as one sentence' }),
    url: z.string().meta({ description: 'Where it happened on the site (a path)' }),
    actor: z.string().nullable(),
    paperId: z.string().nullable(),
    paperTitle: z.string().nullable(),
    commentId: z.number().int().nullable(),
    excerpt: z.string(),
    createdAt: z.string(),
    read: z.boolean(),
  })
  .meta({ id: 'Notification' });

const NotificationListSchema = z
  .object({
    unread: z.number().int(),
    notifications: z.array(NotificationSchema),
    nextBefore: z.number().int().nullable().meta({ description: 'Pass as `before` for the next (older) page; null on the last page' }),
  })
  .meta({ id: 'NotificationList' });

const NotificationListQuery = z.object({
  before: rowIdParam('a notification id').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

const MarkReadBody = z
  .union([z.object({ ids: z.array(rowId).min(1).max(100) }).strict(), z.object({ all: z.literal(true) }).strict()])
  .meta({ id: 'MarkNotificationsRead', description: '`{"ids": [1, 2]}` marks those read; `{"all": true}` marks every one read' });

const MarkReadResult = z.object({ unread: z.number().int() }).meta({ id: 'MarkNotificationsReadResult' });

function present(n: Notification): z.infer<typeof NotificationSchema> {
  return {
    id: n.id,
    kind: n.kind,
    text: notificationText(n),
    url: notificationHref(n),
    actor: n.actor,
    paperId: n.paperId,
    paperTitle: n.paperTitle,
    commentId: n.commentId,
    excerpt: n.excerpt,
    createdAt: n.createdAt,
    read: n.readAt !== null,
  };
}

/** `GET /api/notifications` (newest first, paged by `before`) and `POST /api/notifications/read`. */
export function notificationApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  apiRoute(
    app,
    {
      method: 'get',
      path: '/api/notifications',
      summary: "Your notifications, newest first, with the unread count (hidden papers and deleted comments are left out)",
      tags: ['community'],
      query: NotificationListQuery,
      response: NotificationListSchema,
      auth: 'user',
      errors: { 401: 'not logged in' },
    },
    async (c, { query }) => {
      const userId = c.var.user!.id;
      const [page, unread] = await Promise.all([c.var.services.notifications.list(userId, { before: query.before, limit: query.limit }), c.var.services.notifications.unreadCount(userId)]);
      return { unread, notifications: page.items.map(present), nextBefore: page.nextBefore };
    },
  );
  apiRoute(
    app,
    {
      method: 'post',
      path: '/api/notifications/read',
      summary: 'Mark notifications read: some by id, or all',
      tags: ['community'],
      body: MarkReadBody,
      response: MarkReadResult,
      auth: 'user',
      errors: { 401: 'not logged in', 403: 'CSRF token missing', 404: 'a notification that is not yours', 429: 'rate limited' },
    },
    ...writeLimits(config, 'discovery'),
    async (c, { body }) => {
      const userId = c.var.user!.id;
      if ('all' in body) await c.var.services.notifications.markAllRead(userId);
      else for (const id of body.ids) await c.var.services.notifications.markRead(userId, id);
      return { unread: await c.var.services.notifications.unreadCount(userId) };
    },
  );
  return app;
}
