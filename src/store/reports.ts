import { sql, type Kysely } from 'kysely';
import type { QueuedReport, Report, ReportReason, ReportStatus, ReportTarget } from '../domain/report.ts';
import type { Database } from './schema.ts';

/** Readers' reports and their resolution (see migration 1102). */
export class ReportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Files a report, or updates (and reopens) the reporter's earlier one on the same target. */
  async file(r: { reporterId: number; target: ReportTarget; targetId: string; reason: ReportReason; note: string | null }, now = new Date().toISOString()): Promise<number> {
    const row = await this.db
      .insertInto('reports')
      .values({ reporter_id: r.reporterId, target_type: r.target, target_id: r.targetId, reason: r.reason, note: r.note, status: 'open', created_at: now })
      .onConflict((oc) =>
        oc.columns(['reporter_id', 'target_type', 'target_id']).doUpdateSet({ reason: r.reason, note: r.note, status: 'open', created_at: now, resolved_by: null, resolved_at: null }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async get(id: number): Promise<Report | null> {
    const r = await this.base().where('r.id', '=', id).executeTakeFirst();
    return r ? toReport(r) : null;
  }

  async countOpen(): Promise<number> {
    const r = await this.db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'open').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Open reports, most reported targets first, then oldest; with what each points at. */
  async queue(limit = 100): Promise<QueuedReport[]> {
    const rows = await this.base()
      .leftJoin('comments as c', (j) => j.on('r.target_type', '=', 'comment').on(sql`cast(c.id as text)`, '=', sql.ref('r.target_id')))
      .leftJoin('users as cu', 'cu.id', 'c.user_id')
      .leftJoin('papers as p', (j) => j.on(sql.ref('p.id'), '=', sql`case when r.target_type = 'paper' then r.target_id else c.paper_id end`))
      .select(['c.body as comment_body', 'c.paper_id as comment_paper', 'cu.username as comment_author', 'p.title as paper_title', 'p.id as paper_id'])
      .select((eb) =>
        eb
          .selectFrom('reports as o')
          .select((e2) => e2.fn.countAll<number>().as('n'))
          .whereRef('o.target_type', '=', 'r.target_type')
          .whereRef('o.target_id', '=', 'r.target_id')
          .where('o.status', '=', 'open')
          .as('on_target'),
      )
      .where('r.status', '=', 'open')
      .orderBy('on_target', 'desc')
      .orderBy('r.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      ...toReport(r),
      summary: r.target_type === 'comment' ? firstWords(r.comment_body ?? '(comment gone)') : (r.paper_title ?? '(paper gone)'),
      paperId: r.paper_id ?? r.comment_paper ?? r.target_id,
      author: r.comment_author ?? null,
      reportsOnTarget: Number(r.on_target ?? 1),
    }));
  }

  /** Closes every open report on a target; returns how many. */
  async resolveTarget(target: ReportTarget, targetId: string, status: Exclude<ReportStatus, 'open'>, by: string, now = new Date().toISOString()): Promise<number> {
    const r = await this.db
      .updateTable('reports')
      .set({ status, resolved_by: by, resolved_at: now })
      .where('target_type', '=', target)
      .where('target_id', '=', targetId)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  private base() {
    return this.db
      .selectFrom('reports as r')
      .innerJoin('users as u', 'u.id', 'r.reporter_id')
      .select(['r.id', 'r.reporter_id', 'u.username as reporter', 'r.target_type', 'r.target_id', 'r.reason', 'r.note', 'r.status', 'r.created_at', 'r.resolved_by', 'r.resolved_at']);
  }
}

function firstWords(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 157)}…` : t;
}

function toReport(r: { id: number; reporter_id: number; reporter: string; target_type: string; target_id: string; reason: string; note: string | null; status: string; created_at: string; resolved_by: string | null; resolved_at: string | null }): Report {
  return {
    id: Number(r.id),
    reporterId: Number(r.reporter_id),
    reporter: r.reporter,
    target: r.target_type as ReportTarget,
    targetId: r.target_id,
    reason: r.reason as ReportReason,
    note: r.note,
    status: r.status as ReportStatus,
    createdAt: r.created_at,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
  };
}
