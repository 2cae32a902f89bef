import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { visiblePaper } from './visibility.ts';
import { isNotificationKind, type Notification, type NotificationKind } from '../domain/notification.ts';
import { excerptOf } from '../domain/notification.ts';
import type { Database } from './schema.ts';
import { parseJsonArray } from './mappers.ts';
import { inTransaction } from './tx.ts';

export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  actorId: number | null;
  paperId: string | null;
  commentId: number | null;
  detail?: Record<string, unknown>;
  dedupeKey: string;
}

export interface NotificationPrefs {
  emailKinds: NotificationKind[];
  lastMailedAt: string | null;
}

export interface MailBatch {
  id: number;
  userId: number;
  createdAt: string;
}

type Joined = SelectQueryBuilder<
  Database & { n: Database['notifications']; a: Database['users']; p: Database['papers']; c: Database['comments'] },
  'n' | 'a' | 'p' | 'c',
  object
>;

function parseDetail(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Notifications, the fan-out queue, paper watches and the mail batches. Every read a reader sees
 * goes through `shown()`: a notification whose paper is hidden or withdrawn, whose comment was
 * deleted, or whose actor is banned is neither listed nor counted, so one hidden later disappears.
 */
export class NotificationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The reader's notifications joined with what they are about, filtered to what may be shown. */
  private shown(userId: number): Joined {
    return this.db
      .selectFrom('notifications as n')
      .leftJoin('users as a', 'a.id', 'n.actor_id')
      .leftJoin('papers as p', 'p.id', 'n.paper_id')
      .leftJoin('comments as c', 'c.id', 'n.comment_id')
      .where('n.user_id', '=', userId)
      .where(sql<boolean>`(n.paper_id is null or ${visiblePaper('p')})`)
      .where(sql<boolean>`(n.comment_id is null or c.deleted = 0)`)
      .where(sql<boolean>`(n.actor_id is null or a.banned = 0)`) as unknown as Joined;
  }

  /** Adds a notification unless the reader already has one for the same event; returns whether it was added. */
  async add(n: NewNotification, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .insertInto('notifications')
      .values({ user_id: n.userId, kind: n.kind, actor_id: n.actorId, paper_id: n.paperId, comment_id: n.commentId, detail: JSON.stringify(n.detail ?? {}), dedupe_key: n.dedupeKey, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return r !== undefined;
  }

  /**
   * One INSERT … SELECT: a `comment` notification for everyone who submitted, upvoted or watches
   * the paper, except the comment's author and banned accounts; readers who already have one for
   * this comment (a reply, a mention, an earlier run) are left as they are. Returns rows added.
   */
  async fanOutComment(c: { commentId: number; paperId: string; actorId: number }, now = new Date().toISOString()): Promise<number> {
    const key = `comment:${c.commentId}`;
    const audience = sql`(
      select v.user_id as uid from upvotes v where v.paper_id = ${c.paperId}
      union select w.user_id from paper_watches w where w.paper_id = ${c.paperId}
      union select su.id from feed_entries f join users su on lower(su.username) = lower(f.submitted_by) where f.paper_id = ${c.paperId}
    )`;
    const r = await sql`
      insert into notifications (user_id, kind, actor_id, paper_id, comment_id, detail, dedupe_key, created_at)
      select aud.uid, 'comment', ${c.actorId}, ${c.paperId}, ${c.commentId}, '{}', ${key}, ${now}
      from ${audience} aud join users u on u.id = aud.uid
      where aud.uid <> ${c.actorId} and u.banned = 0
      on conflict (user_id, dedupe_key) do nothing`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  async list(userId: number, opts: { before?: number; limit: number }): Promise<Notification[]> {
    let q = this.shown(userId)
      .select(['n.id', 'n.kind', 'n.created_at', 'n.read_at', 'n.paper_id', 'n.comment_id', 'n.detail', 'a.username as actor', 'p.title as paper_title', 'c.body as comment_body'])
      .orderBy('n.id', 'desc')
      .limit(opts.limit);
    if (opts.before !== undefined) q = q.where('n.id', '<', opts.before);
    const rows = (await q.execute()) as unknown as {
      id: number;
      kind: string;
      created_at: string;
      read_at: string | null;
      paper_id: string | null;
      comment_id: number | null;
      detail: string;
      actor: string | null;
      paper_title: string | null;
      comment_body: string | null;
    }[];
    return rows
      .filter((r) => isNotificationKind(r.kind))
      .map((r) => ({
        id: Number(r.id),
        kind: r.kind as NotificationKind,
        createdAt: r.created_at,
        readAt: r.read_at,
        actor: r.actor,
        paperId: r.paper_id,
        paperTitle: r.paper_title,
        commentId: r.comment_id === null ? null : Number(r.comment_id),
        excerpt: r.comment_body ? excerptOf(r.comment_body) : '',
        detail: parseDetail(r.detail),
      }));
  }

  /** Unread notifications that may be shown: the partial index on unread rows, then a look-up per row. */
  async unreadCount(userId: number): Promise<number> {
    const r = await this.shown(userId)
      .where('n.read_at', 'is', null)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number((r as { n: number | string }).n);
  }

  /** Marks one of the reader's notifications read; false when it is not theirs (or not there). */
  async markRead(userId: number, id: number, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.updateTable('notifications').set({ read_at: now }).where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return true;
    const exists = await this.db.selectFrom('notifications').select('id').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return exists !== undefined;
  }

  async markAllRead(userId: number, now = new Date().toISOString()): Promise<number> {
    const r = await this.db.updateTable('notifications').set({ read_at: now }).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * Deletes read notifications created before `before` (at most `limit` a call, so one run never
   * holds the table long; the next run takes the rest). Unread ones stay, however old.
   */
  async pruneRead(before: string, limit = 10_000): Promise<number> {
    const old = this.db.selectFrom('notifications').select('id').where('read_at', 'is not', null).where('created_at', '<', before).limit(limit);
    const r = await this.db.deleteFrom('notifications').where('id', 'in', old).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Which of `names` (lower-cased) are accounts: a comment's `@name` links only to those. */
  async existingUsernames(names: readonly string[]): Promise<Set<string>> {
    if (!names.length) return new Set();
    const rows = await this.db
      .selectFrom('users')
      .select('username')
      .where((eb) => eb(eb.fn('lower', ['username']), 'in', names.map((n) => n.toLowerCase())))
      .execute();
    return new Set(rows.map((r) => r.username.toLowerCase()));
  }

  // --- the fan-out queue -------------------------------------------------------------------------

  /** Queues a comment for the fan-out: `posted` tells everyone concerned, `edited` only accounts the edit mentions. */
  async addEvent(commentId: number, now = new Date().toISOString(), kind: 'posted' | 'edited' = 'posted'): Promise<void> {
    await this.db.insertInto('notification_events').values({ comment_id: commentId, kind, created_at: now }).execute();
  }

  async pendingEvents(limit: number): Promise<{ id: number; commentId: number; edited: boolean }[]> {
    const rows = await this.db.selectFrom('notification_events').select(['id', 'comment_id', 'kind']).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), commentId: Number(r.comment_id), edited: r.kind === 'edited' }));
  }

  async hasPendingEvents(): Promise<boolean> {
    return (await this.pendingEvents(1)).length > 0;
  }

  /** A processed event is deleted, so the queue holds only what is left to do (a crash before this re-runs it, which adds nothing twice). */
  async markEventDone(id: number): Promise<void> {
    await this.db.deleteFrom('notification_events').where('id', '=', id).execute();
  }

  // --- paper watches -----------------------------------------------------------------------------

  async watch(userId: number, paperId: string, now = new Date().toISOString()): Promise<void> {
    await this.db.insertInto('paper_watches').values({ user_id: userId, paper_id: paperId, created_at: now }).onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing()).execute();
  }

  async unwatch(userId: number, paperId: string): Promise<void> {
    await this.db.deleteFrom('paper_watches').where('user_id', '=', userId).where('paper_id', '=', paperId).execute();
  }

  async watching(userId: number, paperId: string): Promise<boolean> {
    return (await this.db.selectFrom('paper_watches').select('user_id').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst()) !== undefined;
  }

  // --- the day's top 10 --------------------------------------------------------------------------

  /** The day's first `n` visible papers as the day page ranks them (upvotes, then feed position), with their submitter's account. */
  async dayTop(day: string, n: number): Promise<{ paperId: string; rank: number; submitterId: number | null }[]> {
    const rows = await this.db
      .selectFrom('feed_entries as f')
      .innerJoin('papers as p', 'p.id', 'f.paper_id')
      .leftJoin('users as u', (j) => j.on(sql`lower(u.username)`, '=', sql`lower(f.submitted_by)`))
      .select(['f.paper_id', 'u.id as uid', 'u.banned'])
      .where('f.day', '=', day)
      .where(visiblePaper('p'))
      .orderBy('p.upvotes', 'desc')
      .orderBy('f.position', 'asc')
      .limit(n)
      .execute();
    return rows.map((r, i) => ({ paperId: r.paper_id, rank: i + 1, submitterId: r.uid === null || Number(r.banned) ? null : Number(r.uid) }));
  }

  /**
   * The newest feed day and its papers' upvotes, as one value that changes whenever a vote on that
   * day does: the top-10 check runs again only then. Two indexed look-ups (the newest day, that
   * day's papers), not a scan of every vote.
   */
  async newestDayVotes(): Promise<string | null> {
    const newest = await this.db.selectFrom('feed_entries').select((eb) => eb.fn.max('day').as('d')).executeTakeFirst();
    const day = (newest?.d as string | null | undefined) ?? null;
    if (!day) return null;
    const r = await this.db
      .selectFrom('feed_entries as f')
      .innerJoin('papers as p', 'p.id', 'f.paper_id')
      .select((eb) => eb.fn.sum<number>('p.upvotes').as('s'))
      .where('f.day', '=', day)
      .executeTakeFirst();
    return `${day}:${Number(r?.s ?? 0)}`;
  }

  // --- mail --------------------------------------------------------------------------------------

  async prefs(userId: number): Promise<NotificationPrefs> {
    const r = await this.db.selectFrom('notification_prefs').select(['email_kinds', 'last_mailed_at']).where('user_id', '=', userId).executeTakeFirst();
    return { emailKinds: r ? parseJsonArray(r.email_kinds).filter(isNotificationKind) : [], lastMailedAt: r?.last_mailed_at ?? null };
  }

  /**
   * Sets the kinds mailed to the reader. Turning mail on from off starts after the newest
   * notification: what came before was not asked for by mail.
   */
  async setEmailKinds(userId: number, kinds: NotificationKind[], now = new Date().toISOString()): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const before = await trx.selectFrom('notification_prefs').select('email_kinds').where('user_id', '=', userId).executeTakeFirst();
      const wasOff = !before || parseJsonArray(before.email_kinds).length === 0;
      const newest = await trx.selectFrom('notifications').select((eb) => eb.fn.max('id').as('m')).where('user_id', '=', userId).executeTakeFirst();
      const watermark = Number(newest?.m ?? 0);
      await trx
        .insertInto('notification_prefs')
        .values({ user_id: userId, email_kinds: JSON.stringify(kinds), mail_after_id: watermark, updated_at: now })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet(wasOff && kinds.length ? { email_kinds: JSON.stringify(kinds), mail_after_id: watermark, updated_at: now } : { email_kinds: JSON.stringify(kinds), updated_at: now }),
        )
        .execute();
    });
  }

  /** Readers with mail on, not mailed within the interval, with notifications past their watermark. */
  async readersDueForMail(notMailedSince: string, limit = 500): Promise<{ userId: number; kinds: NotificationKind[]; afterId: number }[]> {
    const rows = await this.db
      .selectFrom('notification_prefs as np')
      .select(['np.user_id', 'np.email_kinds', 'np.mail_after_id'])
      .where('np.email_kinds', '!=', '[]')
      .where((eb) => eb.or([eb('np.last_mailed_at', 'is', null), eb('np.last_mailed_at', '<=', notMailedSince)]))
      .where((eb) => eb.exists(eb.selectFrom('notifications as n').select('n.id').whereRef('n.user_id', '=', 'np.user_id').whereRef('n.id', '>', 'np.mail_after_id')))
      .orderBy('np.user_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ userId: Number(r.user_id), kinds: parseJsonArray(r.email_kinds).filter(isNotificationKind), afterId: Number(r.mail_after_id) }));
  }

  /**
   * Puts the reader's unread notifications of `kinds` past the watermark into a new mail batch and
   * moves the watermark, in one transaction: a notification is in one batch at most, and a batch,
   * once it exists, holds exactly what it will mail. Returns the batch, or null when nothing
   * qualified (everything read already, or of kinds not mailed): then only the watermark moves.
   */
  async assignBatch(userId: number, kinds: readonly NotificationKind[], afterId: number, now = new Date().toISOString()): Promise<MailBatch | null> {
    return inTransaction(this.db, async (trx) => {
      const newest = await trx.selectFrom('notifications').select((eb) => eb.fn.max('id').as('m')).where('user_id', '=', userId).executeTakeFirst();
      const upTo = Number(newest?.m ?? 0);
      if (upTo <= afterId) return null;
      // Another process took this reader's batch first (the watermark moved): nothing to do.
      const moved = await trx
        .updateTable('notification_prefs')
        .set({ mail_after_id: upTo })
        .where('user_id', '=', userId)
        .where('mail_after_id', '=', afterId)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return null;
      const candidates = await trx
        .selectFrom('notifications')
        .select('id')
        .where('user_id', '=', userId)
        .where('id', '>', afterId)
        .where('id', '<=', upTo)
        .where('read_at', 'is', null)
        .where('mail_batch_id', 'is', null)
        .where('kind', 'in', kinds.length ? [...kinds] : ['-'])
        .execute();
      if (!candidates.length) return null;
      const batch = await trx.insertInto('notification_mail_batches').values({ user_id: userId, created_at: now }).returning('id').executeTakeFirstOrThrow();
      const id = Number(batch.id);
      for (let i = 0; i < candidates.length; i += 500) {
        await trx
          .updateTable('notifications')
          .set({ mail_batch_id: id })
          .where('id', 'in', candidates.slice(i, i + 500).map((c) => Number(c.id)))
          .execute();
      }
      await trx.updateTable('notification_prefs').set({ last_mailed_at: now }).where('user_id', '=', userId).execute();
      return { id, userId, createdAt: now };
    });
  }

  /** Batches assigned but not yet in the outbox (a crash in between leaves them here for the next run). */
  async batchesToEnqueue(limit = 200): Promise<MailBatch[]> {
    const rows = await this.db.selectFrom('notification_mail_batches').select(['id', 'user_id', 'created_at']).where('enqueued_at', 'is', null).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), userId: Number(r.user_id), createdAt: r.created_at }));
  }

  /** The batch's notifications that may still be shown (a paper hidden since is left out). */
  async batchNotifications(userId: number, batchId: number): Promise<Notification[]> {
    const ids = await this.db.selectFrom('notifications').select('id').where('mail_batch_id', '=', batchId).where('user_id', '=', userId).execute();
    if (!ids.length) return [];
    const max = Math.max(...ids.map((r) => Number(r.id)));
    const all = await this.list(userId, { before: max + 1, limit: 10_000 });
    const inBatch = new Set(ids.map((r) => Number(r.id)));
    return all.filter((n) => inBatch.has(n.id));
  }

  async markBatchEnqueued(id: number, outcome: string, now = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('notification_mail_batches').set({ enqueued_at: now, outcome }).where('id', '=', id).where('enqueued_at', 'is', null).execute();
  }

  async batchOutcomes(userId: number): Promise<{ id: number; outcome: string | null }[]> {
    const rows = await this.db.selectFrom('notification_mail_batches').select(['id', 'outcome']).where('user_id', '=', userId).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), outcome: r.outcome }));
  }

  /**
   * The mail_subscriptions row of an address (the outbox and its bounce count hang on one),
   * created without a digest when the address has none: status `unsubscribed` (with no
   * `unsubscribed_at`: nobody left) means no digest, and subscribing later confirms it like any other. Returns its id and whether it is paused
   * (delivery failed too often).
   */
  async mailAddress(email: string, userId: number, now = new Date().toISOString()): Promise<{ id: number; paused: boolean }> {
    await this.db
      .insertInto('mail_subscriptions')
      .values({ email, user_id: userId, frequency: 'daily', categories: '[]', personal_picks: 0, status: 'unsubscribed', created_at: now, updated_at: now, unsubscribed_at: null })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    const r = await this.db.selectFrom('mail_subscriptions').select(['id', 'status']).where('email', '=', email).executeTakeFirstOrThrow();
    return { id: Number(r.id), paused: r.status === 'paused' };
  }
}
