import type { AuditEntry, User } from '../domain/community.ts';
import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';

function requireAdmin(actor: User): void {
  if (actor.role !== 'admin') throw new ServiceError(403, 'admin_only', 'only admins can do that');
}

/** Admin actions; each is written to the audit log in the same transaction as the change. */
export class ModerationService {
  constructor(private readonly store: Store) {}

  async setPaperHidden(actor: User, paperId: string, hidden: boolean, reason?: string): Promise<void> {
    requireAdmin(actor);
    await this.store.transaction(async (tx) => {
      if (!(await tx.papers.setHidden(paperId, hidden))) throw new ServiceError(404, 'not_found', `paper ${paperId} not found`);
      await tx.auditLog.add({ actorId: actor.id, actorName: actor.username, action: hidden ? 'paper.hide' : 'paper.unhide', targetType: 'paper', targetId: paperId, detail: reason ? JSON.stringify({ reason }) : null });
    });
  }

  /** Bans (or unbans) an account; a ban ends all its sessions at once. */
  async setBanned(actor: User, username: string, banned: boolean, reason?: string): Promise<User> {
    requireAdmin(actor);
    const target = await this.store.users.byUsername(username);
    if (!target) throw new ServiceError(404, 'not_found', `user ${username} not found`);
    if (target.id === actor.id) throw new ServiceError(400, 'cannot_ban_self', 'admins cannot ban themselves');
    await this.store.transaction(async (tx) => {
      await tx.users.setBanned(target.id, banned);
      if (banned) await tx.sessions.deleteForUser(target.id);
      await tx.auditLog.add({ actorId: actor.id, actorName: actor.username, action: banned ? 'user.ban' : 'user.unban', targetType: 'user', targetId: target.username, detail: reason ? JSON.stringify({ reason }) : null });
    });
    return (await this.store.users.byId(target.id))!;
  }

  /** Makes an account an admin: from the CLI (`actor` null, logged as "cli") or by another admin. */
  async promote(actor: User | null, username: string): Promise<User> {
    if (actor) requireAdmin(actor);
    const target = await this.store.users.byUsername(username);
    if (!target) throw new ServiceError(404, 'not_found', `user ${username} not found`);
    await this.store.transaction(async (tx) => {
      await tx.users.setRole(target.id, 'admin');
      await tx.auditLog.add({ actorId: actor?.id ?? null, actorName: actor?.username ?? 'cli', action: 'user.promote', targetType: 'user', targetId: target.username });
    });
    return (await this.store.users.byId(target.id))!;
  }

  async auditLog(actor: User, limit = 100, offset = 0): Promise<AuditEntry[]> {
    requireAdmin(actor);
    return this.store.auditLog.recent(limit, offset);
  }
}
