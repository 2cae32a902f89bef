import type { Kysely } from 'kysely';
import type { AuditEntry } from '../domain/community.ts';
import type { Database } from './schema.ts';

export interface NewAuditEntry {
  actorId: number | null;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string;
  detail?: string | null;
}

/** Who did what to what, and when: every moderation action. */
export class AuditLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async add(e: NewAuditEntry, now = new Date().toISOString()): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({ actor_id: e.actorId, actor_name: e.actorName, action: e.action, target_type: e.targetType, target_id: e.targetId, detail: e.detail ?? null, created_at: now })
      .execute();
  }

  async recent(limit = 100, offset = 0): Promise<AuditEntry[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      actorId: r.actor_id === null ? null : Number(r.actor_id),
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      detail: r.detail,
      createdAt: r.created_at,
    }));
  }
}
