import type { PaperWithStats } from '../domain/paper.ts';
import type { Config } from '../config.ts';
import type { Comment, User } from '../domain/community.ts';
import { CommentRenderError, renderCommentMarkdown } from '../domain/comment-markdown.ts';
import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';
import { visiblePaperOr404 } from './papers.ts';
import { mentionedNames } from '../domain/notification.ts';

export const COMMENT_MAX = 10_000;

/**
 * The comment's text and its HTML, rendered now so that reads never render. A comment beyond the
 * rendering budget (nested too deep, too much math, too slow) is refused before anything is stored.
 */
async function checkBody(store: Store, body: string): Promise<{ text: string; html: string }> {
  const b = body.replace(/\r\n/g, '\n').trim();
  if (!b) throw new ServiceError(400, 'empty_comment', 'a comment cannot be empty');
  if (b.length > COMMENT_MAX) throw new ServiceError(400, 'comment_too_long', `a comment has at most ${COMMENT_MAX} characters`);
  // `@name` of an existing account becomes a link to its profile (and notifies it); any other stays text.
  const known = await store.notifications.existingUsernames(mentionedNames(b));
  try {
    return { text: b, html: renderCommentMarkdown(b, undefined, known) };
  } catch (err) {
    if (err instanceof CommentRenderError) throw new ServiceError(400, 'comment_too_complex', err.message);
    throw err;
  }
}

/** Threaded comments: post, reply, edit within the edit window, delete one's own (admins: any). */
export class CommentService {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
  ) {}

  async list(paperId: string): Promise<Comment[]> {
    await visiblePaperOr404(this.store, paperId);
    return this.store.comments.forPaper(paperId);
  }

  /** The comments of a paper the caller has just read as visible (`visiblePaperOr404`): one read fewer than `list`. */
  listOfVisible(paper: PaperWithStats): Promise<Comment[]> {
    return this.store.comments.forPaper(paper.id);
  }

  async post(user: User, paperId: string, body: string, parentId: number | null = null): Promise<Comment> {
    const { text, html } = await checkBody(this.store, body);
    await visiblePaperOr404(this.store, paperId);
    if (parentId !== null) {
      const parent = await this.store.comments.get(parentId);
      if (!parent || parent.paperId !== paperId) throw new ServiceError(400, 'bad_parent', `comment ${parentId} is not on paper ${paperId}`);
      if (parent.deleted) throw new ServiceError(400, 'bad_parent', 'cannot reply to a deleted comment');
    }
    // The comment and its notification event commit together; the notify job fans it out later.
    return this.store.transaction(async (tx) => {
      const c = await tx.comments.create({ paperId, userId: user.id, parentId, body: text, html });
      await tx.notifications.addEvent(c.id);
      return c;
    });
  }

  /** One of the user's own live comments (for its edit form); someone else's or a deleted one is not found. */
  async own(user: User, id: number): Promise<Comment> {
    const c = await this.store.comments.get(id);
    if (!c || c.deleted || c.userId !== user.id) throw new ServiceError(404, 'not_found', 'no such comment of yours');
    return c;
  }

  /** A live comment `user` may delete (their own; an admin, anyone's), or a 404. */
  async deletable(user: User, id: number): Promise<Comment> {
    const c = await this.store.comments.get(id);
    if (!c || c.deleted || (c.userId !== user.id && user.role !== 'admin')) throw new ServiceError(404, 'not_found', 'no such comment that you may delete');
    return c;
  }

  /** Whether `user` may still edit `c` at `now`. */
  canEdit(user: User | null, c: Comment, now = Date.now()): boolean {
    return !!user && user.id === c.userId && !c.deleted && now - Date.parse(c.createdAt) <= this.config.commentEditMinutes * 60_000;
  }

  async edit(user: User, id: number, body: string): Promise<Comment> {
    const { text, html } = await checkBody(this.store, body);
    const c = await this.store.comments.get(id);
    if (!c || c.deleted) throw new ServiceError(404, 'not_found', `comment ${id} not found`);
    if (c.userId !== user.id) throw new ServiceError(403, 'not_yours', 'you can only edit your own comments');
    if (!this.canEdit(user, c)) throw new ServiceError(403, 'edit_window_closed', `comments can be edited for ${this.config.commentEditMinutes} minutes after posting`);
    // An edit that mentions someone new tells them (the job skips those already told of this comment).
    await this.store.transaction(async (tx) => {
      await tx.comments.updateBody(id, text, html);
      if (html.includes('class="mention"')) await tx.notifications.addEvent(id, undefined, 'edited');
    });
    return (await this.store.comments.get(id))!;
  }

  /** Deletes one's own comment; an admin may delete anyone's, and that is written to the audit log. */
  async delete(user: User, id: number, reason?: string): Promise<Comment> {
    const c = await this.store.comments.get(id);
    if (!c || c.deleted) throw new ServiceError(404, 'not_found', `comment ${id} not found`);
    const own = c.userId === user.id;
    if (!own && user.role !== 'admin') throw new ServiceError(403, 'not_yours', 'you can only delete your own comments');
    await this.store.transaction(async (tx) => {
      await tx.comments.delete(id);
      if (!own) {
        await tx.auditLog.add({ actorId: user.id, actorName: user.username, action: 'comment.delete', targetType: 'comment', targetId: String(id), detail: JSON.stringify({ paperId: c.paperId, author: c.username, reason: reason ?? null }) });
      }
    });
    return c;
  }
}
