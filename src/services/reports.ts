import { z } from 'zod';
import type { User } from '../domain/community.ts';
import { REPORT_REASON_KEYS, type QueuedReport, type ReportAction, type ReportReason, type ReportTarget } from '../domain/report.ts';
import type { Store } from '../store/store.ts';
import { canonicalPaperId } from '../domain/arxiv-id.ts';
import type { CommentService } from './comments.ts';
import type { ModerationService } from './moderation.ts';
import { ServiceError } from './errors.ts';

export const ReportInput = z.object({
  target: z.enum(['comment', 'paper']),
  targetId: z.string().min(1).max(220),
  reason: z.enum(REPORT_REASON_KEYS as [ReportReason, ...ReportReason[]]),
  note: z.string().trim().max(1000, 'a note has at most 1000 characters').nullish(),
});

function requireAdmin(actor: User): void {
  if (actor.role !== 'admin') throw new ServiceError(403, 'admin_only', 'only admins can do that');
}

/**
 * Readers report comments and papers; moderators work through the queue and act (hide the paper,
 * delete the comment, ban its author) or dismiss. Actions go through the moderation and comment
 * services, so each is audit-logged as when taken directly; the queue's outcome is logged too.
 */
export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly moderation: ModerationService,
    private readonly comments: CommentService,
  ) {}

  async file(user: User, input: z.input<typeof ReportInput>): Promise<{ id: number }> {
    const parsed = ReportInput.safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_report', parsed.error.issues.map((i) => `${i.path.join('.') || 'report'}: ${i.message}`).join('; '));
    const { target, targetId, reason, note } = parsed.data;
    await this.requireVisibleTarget(target, targetId);
    return { id: await this.store.reports.file({ reporterId: user.id, target, targetId, reason, note: note || null }) };
  }

  async queue(actor: User, limit = 100): Promise<QueuedReport[]> {
    requireAdmin(actor);
    return this.store.reports.queue(limit);
  }

  async countOpen(actor: User): Promise<number> {
    requireAdmin(actor);
    return this.store.reports.countOpen();
  }

  /** Acts on a report's target (or dismisses it) and closes every open report on that target. */
  async resolve(actor: User, reportId: number, action: ReportAction, reason?: string): Promise<{ closed: number }> {
    requireAdmin(actor);
    const report = await this.store.reports.get(reportId);
    if (!report) throw new ServiceError(404, 'not_found', `report ${reportId} not found`);
    if (report.status !== 'open') throw new ServiceError(409, 'already_resolved', `report ${reportId} was already ${report.status}`);
    const why = reason || `report ${reportId}: ${report.reason}`;
    if (action === 'hide_paper') {
      if (report.target !== 'paper') throw new ServiceError(400, 'wrong_action', 'hide_paper applies to paper reports');
      await this.moderation.setPaperHidden(actor, report.targetId, true, why);
    } else if (action === 'delete_comment') {
      if (report.target !== 'comment') throw new ServiceError(400, 'wrong_action', 'delete_comment applies to comment reports');
      await this.comments.delete(actor, Number(report.targetId), why);
    } else if (action === 'ban_author') {
      if (report.target !== 'comment') throw new ServiceError(400, 'wrong_action', 'ban_author applies to comment reports');
      const c = await this.store.comments.get(Number(report.targetId));
      if (!c) throw new ServiceError(404, 'not_found', 'the reported comment is gone');
      await this.moderation.setBanned(actor, c.username, true, why);
      if (!c.deleted) await this.comments.delete(actor, c.id, why);
    }
    return this.store.transaction(async (tx) => {
      const closed = await tx.reports.resolveTarget(report.target, report.targetId, action === 'dismiss' ? 'dismissed' : 'actioned', actor.username);
      await tx.auditLog.add({ actorId: actor.id, actorName: actor.username, action: `report.${action}`, targetType: report.target, targetId: report.targetId, detail: JSON.stringify({ report: reportId, closed, reason: reason ?? null }) });
      return { closed };
    });
  }

  /** What a report would point at, as the form shows it; 404 for what a reader cannot see. */
  async describeTarget(target: string | undefined, rawId: string | undefined): Promise<{ target: ReportTarget; id: string; summary: string; paperId: string }> {
    if (target === 'paper') {
      const id = canonicalPaperId(rawId ?? '');
      const p = id ? await this.store.papers.get(id) : null;
      if (p && !p.hidden && !p.deleted) return { target: 'paper', id: p.id, summary: p.title, paperId: p.id };
    } else if (target === 'comment' && /^\d{1,12}$/.test(rawId ?? '')) {
      const c = await this.store.comments.get(Number(rawId));
      const p = c && !c.deleted ? await this.store.papers.get(c.paperId) : null;
      if (c && p && !p.hidden && !p.deleted) {
        const words = c.body.replace(/\s+/g, ' ').trim();
        return { target: 'comment', id: String(c.id), summary: words.length > 200 ? `${words.slice(0, 197)}…` : words, paperId: c.paperId };
      }
    }
    throw new ServiceError(404, 'not_found', 'there is nothing to report there');
  }

  private async requireVisibleTarget(target: ReportTarget, id: string): Promise<void> {
    await this.describeTarget(target, id);
  }
}
