import type { ApiToken, AuditEntry, Collection, Comment, User } from '../../domain/community.ts';
import { renderCommentMarkdown } from '../../domain/comment-markdown.ts';

export function presentUser(u: User) {
  return { id: u.id, username: u.username, role: u.role, createdAt: u.createdAt };
}

export function presentToken(t: ApiToken) {
  return { id: t.id, name: t.name, prefix: t.prefix, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, scopes: t.scopes, expiresAt: t.expiresAt };
}

export function presentComment(c: Comment) {
  return {
    id: c.id,
    paperId: c.paperId,
    parentId: c.parentId,
    author: c.deleted ? null : c.username,
    body: c.deleted ? '' : c.body,
    html: c.deleted ? '' : renderCommentMarkdown(c.body),
    createdAt: c.createdAt,
    editedAt: c.editedAt,
    deleted: c.deleted,
  };
}

export function presentCollection(c: Collection) {
  return { id: c.id, name: c.name, description: c.description, public: c.isPublic, owner: c.owner, paperCount: c.paperCount, createdAt: c.createdAt };
}

export function presentAuditEntry(e: AuditEntry) {
  return { id: e.id, actor: e.actorName, action: e.action, targetType: e.targetType, targetId: e.targetId, detail: e.detail, createdAt: e.createdAt };
}
