import { Hono } from 'hono';
import { z } from 'zod';
import { rowIdParam } from '../schemas/common.ts';
import type { Config } from '../../config.ts';
import { REPORT_REASON_KEYS, type ReportReason } from '../../domain/report.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';

const Reason = z.enum(REPORT_REASON_KEYS as [ReportReason, ...ReportReason[]]);
const ReportBody = z.object({
  target: z.enum(['comment', 'paper']),
  targetId: z.string().min(1).max(220).describe('a paper id, or a comment id'),
  reason: Reason,
  note: z.string().max(1000).optional(),
});
const QueuedReportSchema = z
  .object({
    id: z.number().int(),
    target: z.enum(['comment', 'paper']),
    targetId: z.string(),
    paperId: z.string(),
    summary: z.string(),
    author: z.string().nullable(),
    reason: Reason,
    note: z.string().nullable(),
    reporter: z.string(),
    reportsOnTarget: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'QueuedReport' });
const ResolveBody = z.object({ action: z.enum(['hide_paper', 'delete_comment', 'ban_author', 'dismiss']), reason: z.string().max(500).optional() });
const ReportIdParams = z.object({ id: rowIdParam('a report id') });

/** Reports by readers, and the moderation queue for admins. */
export function reportApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  apiRoute(
    app,
    { method: 'post', path: '/api/reports', summary: 'Report a comment or a paper to the moderators', tags: ['reports'], body: ReportBody, response: z.object({ id: z.number().int() }), status: 201, auth: 'user', errors: { 404: 'no such visible comment or paper' } },
    ...writeLimits(config, 'report'),
    async (c, { body }) => c.json(await c.var.services.reports.file(c.var.user!, body), 201),
  );
  apiRoute(
    app,
    { method: 'get', path: '/api/admin/reports', summary: 'Open reports, most reported targets first', tags: ['admin'], response: z.object({ reports: z.array(QueuedReportSchema) }), auth: 'admin' },
    async (c) => ({
      reports: (await c.var.services.reports.queue(c.var.user!)).map((r) => ({
        id: r.id,
        target: r.target,
        targetId: r.targetId,
        paperId: r.paperId,
        summary: r.summary,
        author: r.author,
        reason: r.reason,
        note: r.note,
        reporter: r.reporter,
        reportsOnTarget: r.reportsOnTarget,
        createdAt: r.createdAt,
      })),
    }),
  );
  apiRoute(
    app,
    { method: 'post', path: '/api/admin/reports/{id}/resolve', summary: "Act on a report's target (hide the paper, delete the comment, ban its author) or dismiss it; closes every open report on that target", tags: ['admin'], params: ReportIdParams, body: ResolveBody, response: z.object({ closed: z.number().int() }), auth: 'admin', errors: { 404: 'no such report', 409: 'already resolved' } },
    async (c, { params, body }) => c.var.services.reports.resolve(c.var.user!, params.id, body.action, body.reason),
  );
  return app;
}
