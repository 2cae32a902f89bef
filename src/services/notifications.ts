import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { NewNotification } from '../store/notifications.ts';
import { kindsParam, MAIL_INTERVAL_MS, MAX_MENTIONS, NOTIFICATION_KINDS, type Notification, type NotificationKind } from '../domain/notification.ts';
import { normalizeEmail } from '../domain/subscription.ts';
import { notificationMail } from '../mail/templates/notifications.ts';
import type { MailService } from './mail.ts';
import { ServiceError } from './errors.ts';
import { visiblePaperOr404 } from './papers.ts';
import { sitePaths } from '../domain/site-paths.ts';

export const NOTIFICATIONS_PAGE = 30;
/** How many of the day's papers count as its top. */
export const TOP_N = 10;

export interface FanOutStats {
  events: number;
  notifications: number;
}

export interface MailBuildStats {
  batches: number;
  enqueued: number;
  skipped: number;
}

/** The profile links the comment renderer wrote for the accounts it mentions (the stored HTML is the truth of what is a mention). */
export function mentionsInHtml(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<a href="\/users\/([^"]+)" class="mention"/g)) {
    try {
      out.add(decodeURIComponent(m[1]).toLowerCase());
    } catch {
      // not a link the renderer wrote
    }
  }
  return [...out];
}

/**
 * Notifications: written by the notify job from the fan-out queue (a comment's reply, mentions and
 * audience), by `notify` for other features (claims decided), and by the top-10 check; read in the
 * inbox; mailed in batches of at most one an hour through the outbox.
 *
 * Nothing leaks: a notification is never written for a paper readers may not see, a deleted
 * comment, a banned actor, or the actor themself; and what is shown or mailed is filtered again
 * when read (NotificationRepository.shown), so a paper hidden later takes its notifications away.
 */
export class NotificationService {
  /** The newest day's votes as the last top-10 check saw them: the check runs again only after they change. */
  private lastVoteSeen: string | null | undefined = undefined;

  constructor(
    private readonly store: Store,
    private readonly mail: MailService,
    private readonly logger: Logger,
  ) {}

  /**
   * Notifies one reader of one event (`dedupeKey`, e.g. `claim:12`): at most once per event, never
   * the actor themself, never from a banned actor, never about a paper readers may not see.
   * Returns whether a notification was written. For other features (claims decided).
   */
  async notify(kind: NotificationKind, n: Omit<NewNotification, 'kind'>, now = new Date()): Promise<boolean> {
    if (n.actorId !== null && n.actorId === n.userId) return false;
    const recipient = await this.store.users.byId(n.userId);
    if (!recipient || recipient.banned) return false;
    if (n.actorId !== null) {
      const actor = await this.store.users.byId(n.actorId);
      if (!actor || actor.banned) return false;
    }
    if (n.paperId !== null && !(await this.store.papers.visible(n.paperId))) return false;
    if (n.commentId !== null) {
      const c = await this.store.comments.get(n.commentId);
      if (!c || c.deleted) return false;
    }
    return this.store.notifications.add({ ...n, kind }, now.toISOString());
  }

  // --- fan-out (the notify job) ------------------------------------------------------------------

  /**
   * Turns queued comments into notifications: the parent's author (reply), the accounts the comment
   * links as mentions, then everyone who submitted, upvoted or watches the paper (one INSERT …
   * SELECT, whatever their number). One notification per reader per comment: a reply that also
   * mentions its parent's author is one "reply". Re-running an event adds nothing twice.
   */
  async processEvents(opts: { limit?: number; signal?: AbortSignal; now?: Date } = {}): Promise<FanOutStats> {
    const stats: FanOutStats = { events: 0, notifications: 0 };
    for (const ev of await this.store.notifications.pendingEvents(opts.limit ?? 500)) {
      if (opts.signal?.aborted) break;
      const now = (opts.now ?? new Date()).toISOString();
      stats.notifications += await this.fanOut(ev.commentId, now, ev.edited);
      await this.store.notifications.markEventDone(ev.id);
      stats.events++;
    }
    return stats;
  }

  /** `edited`: only the accounts the comment mentions now and were not told of it yet (the rest heard when it was posted). */
  private async fanOut(commentId: number, now: string, edited = false): Promise<number> {
    const c = await this.store.comments.get(commentId);
    if (!c || c.deleted) return 0;
    if (!(await this.store.papers.visible(c.paperId))) return 0;
    const actor = await this.store.users.byId(c.userId);
    if (!actor || actor.banned) return 0;
    const key = `comment:${c.id}`;
    const base = { actorId: actor.id, paperId: c.paperId, commentId: c.id, dedupeKey: key };
    let added = 0;
    if (c.parentId !== null && !edited) {
      const parent = await this.store.comments.get(c.parentId);
      if (parent && !parent.deleted && parent.userId !== actor.id) {
        const to = await this.store.users.byId(parent.userId);
        if (to && !to.banned && (await this.store.notifications.add({ ...base, userId: to.id, kind: 'reply' }, now))) added++;
      }
    }
    for (const name of mentionsInHtml(c.html).slice(0, MAX_MENTIONS)) {
      const to = await this.store.users.byUsername(name);
      if (!to || to.banned || to.id === actor.id) continue;
      if (await this.store.notifications.add({ ...base, userId: to.id, kind: 'mention' }, now)) added++;
    }
    if (!edited) added += await this.store.notifications.fanOutComment({ commentId: c.id, paperId: c.paperId, actorId: actor.id }, now);
    return added;
  }

  /**
   * Tells each submitter whose paper is in the newest day's top 10 (as the day page ranks it),
   * once per paper. Runs only when there are votes it has not seen (`force` for tests and the CLI).
   */
  async checkTop10(opts: { now?: Date; force?: boolean } = {}): Promise<number> {
    const votes = await this.store.notifications.newestDayVotes();
    if (!opts.force && votes === this.lastVoteSeen) return 0;
    this.lastVoteSeen = votes;
    const day = await this.store.feed.newestDay();
    if (!day) return 0;
    let added = 0;
    for (const t of await this.store.notifications.dayTop(day, TOP_N)) {
      if (t.submitterId === null) continue;
      const paper = await this.store.papers.visible(t.paperId);
      if (!paper || paper.upvotes === 0) continue;
      const ok = await this.notify('top10', { userId: t.submitterId, actorId: null, paperId: t.paperId, commentId: null, detail: { rank: t.rank, day }, dedupeKey: `top10:${t.paperId}` }, opts.now);
      if (ok) added++;
    }
    return added;
  }

  /** Whether the notify job has anything to do (cheap: asked every few seconds). */
  async hasWork(now = new Date()): Promise<boolean> {
    if (await this.store.notifications.hasPendingEvents()) return true;
    if ((await this.store.notifications.newestDayVotes()) !== this.lastVoteSeen) return true;
    if ((await this.store.notifications.batchesToEnqueue(1)).length) return true;
    return (await this.store.notifications.readersDueForMail(new Date(now.getTime() - MAIL_INTERVAL_MS).toISOString(), 1)).length > 0;
  }

  // --- the inbox ---------------------------------------------------------------------------------

  async list(userId: number, opts: { before?: number; limit?: number } = {}): Promise<{ items: Notification[]; nextBefore: number | null }> {
    const limit = opts.limit ?? NOTIFICATIONS_PAGE;
    const rows = await this.store.notifications.list(userId, { before: opts.before, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return { items, nextBefore: rows.length > limit ? items[items.length - 1].id : null };
  }

  unreadCount(userId: number): Promise<number> {
    return this.store.notifications.unreadCount(userId);
  }

  async markRead(userId: number, id: number): Promise<void> {
    if (!(await this.store.notifications.markRead(userId, id))) throw new ServiceError(404, 'not_found', `notification ${id} not found`);
  }

  markAllRead(userId: number): Promise<number> {
    return this.store.notifications.markAllRead(userId);
  }

  // --- following a paper's discussion ------------------------------------------------------------

  async watching(userId: number, paperId: string): Promise<boolean> {
    return this.store.notifications.watching(userId, paperId);
  }

  async setWatch(userId: number, paperId: string, on: boolean): Promise<void> {
    const paper = await visiblePaperOr404(this.store, paperId);
    if (on) await this.store.notifications.watch(userId, paper.id);
    else await this.store.notifications.unwatch(userId, paper.id);
  }

  // --- mail --------------------------------------------------------------------------------------

  async emailKinds(userId: number): Promise<NotificationKind[]> {
    return (await this.store.notifications.prefs(userId)).emailKinds;
  }

  async setEmailKinds(userId: number, kinds: readonly string[]): Promise<NotificationKind[]> {
    const chosen = NOTIFICATION_KINDS.filter((k) => kinds.includes(k));
    await this.store.notifications.setEmailKinds(userId, chosen);
    return chosen;
  }

  /**
   * The one-click unsubscribe link of a mail. With `kinds` (what the mail is about) it stops mail
   * of those kinds only, and the kinds are signed with the account: a link cannot be edited to
   * reach other kinds or another account. Without, it stops all (links in mails sent before).
   */
  async unsubscribeUrl(userId: number, kinds: readonly NotificationKind[] = []): Promise<string> {
    const signer = await this.mail.signer();
    const k = kindsParam(kinds);
    if (!k) return `${this.mail.siteUrl}${sitePaths.notificationsUnsubscribe({ u: userId, sig: signer.sign('notify-unsubscribe', userId) })}`;
    return `${this.mail.siteUrl}${sitePaths.notificationsUnsubscribe({ u: userId, k, sig: signer.sign('notify-unsubscribe-kinds', userId, k) })}`;
  }

  /** Checks a signed unsubscribe link (`kinds` null: the all-kinds form); the account's name when it is valid. */
  async checkUnsubscribe(userId: number, sig: string, kinds: readonly NotificationKind[] | null = null): Promise<string | null> {
    const signer = await this.mail.signer();
    if (kinds === null) {
      if (!signer.verify(sig, 'notify-unsubscribe', userId)) return null;
    } else if (!signer.verify(sig, 'notify-unsubscribe-kinds', userId, kindsParam(kinds))) return null;
    return (await this.store.users.byId(userId))?.username ?? null;
  }

  /** Turns notification mail off for the link's account: of the link's kinds, or every kind; the kinds still mailed, or null for a bad link. */
  async unsubscribe(userId: number, sig: string, kinds: readonly NotificationKind[] | null = null): Promise<NotificationKind[] | null> {
    if (!(await this.checkUnsubscribe(userId, sig, kinds))) return null;
    const keep = kinds === null ? [] : (await this.emailKinds(userId)).filter((k) => !kinds.includes(k));
    await this.store.notifications.setEmailKinds(userId, keep);
    return keep;
  }

  /**
   * Builds the notification mails into the outbox, exactly once each. First each reader due (mail
   * on, not mailed within the hour, something new) gets a batch: the notifications it holds and the
   * reader's watermark are written in one transaction. Then each batch not yet in the outbox is
   * enqueued under its own key (`notify:<batch>`; the outbox's unique (subscription, period)) and
   * marked enqueued. A crash before the enqueue leaves the batch to the next run (nothing lost); a
   * crash between the enqueue and the mark makes the next run's enqueue a no-op (nothing twice).
   */
  async buildMail(opts: { now?: Date } = {}): Promise<MailBuildStats> {
    const now = opts.now ?? new Date();
    const stats: MailBuildStats = { batches: 0, enqueued: 0, skipped: 0 };
    const since = new Date(now.getTime() - MAIL_INTERVAL_MS).toISOString();
    for (const r of await this.store.notifications.readersDueForMail(since)) {
      if (await this.store.notifications.assignBatch(r.userId, r.kinds, r.afterId, now.toISOString())) stats.batches++;
    }
    for (const batch of await this.store.notifications.batchesToEnqueue()) {
      const outcome = await this.enqueue(batch.id, batch.userId, now);
      await this.store.notifications.markBatchEnqueued(batch.id, outcome, now.toISOString());
      if (outcome === 'enqueued') stats.enqueued++;
      else stats.skipped++;
    }
    if (stats.batches || stats.enqueued || stats.skipped) this.logger.info(stats, 'notification mails built');
    return stats;
  }

  private async enqueue(batchId: number, userId: number, now: Date): Promise<string> {
    const user = await this.store.users.byId(userId);
    if (!user || user.banned) return 'no_account';
    // Only an address its owner proved is theirs gets mail.
    if (!user.emailVerified) return 'unverified';
    const notifications = await this.store.notifications.batchNotifications(userId, batchId);
    if (!notifications.length) return 'nothing_visible';
    const email = normalizeEmail(user.email);
    const address = await this.store.notifications.mailAddress(email, user.id, now.toISOString());
    if (address.paused) return 'paused';
    // The link stops only what this mail is about; the settings page (linked too) stops everything.
    const unsubscribeUrl = await this.unsubscribeUrl(user.id, [...new Set(notifications.map((x) => x.kind))]);
    const host = new URL(this.mail.siteUrl).hostname || 'localhost';
    const m = notificationMail({ username: user.username, notifications, siteUrl: this.mail.siteUrl, unsubscribeUrl, settingsUrl: `${this.mail.siteUrl}${sitePaths.settingsNotifications()}` });
    await this.store.outbox.addMany(
      [
        {
          subscriptionId: address.id,
          period: `notify:${batchId}`,
          to: email,
          subject: m.subject,
          text: m.text,
          html: m.html,
          headers: {
            // One id per batch: a resend after a crash is recognisable as the same message.
            'Message-ID': `<notify.${batchId}@${host}>`,
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'List-Id': `Paperboy notifications <notifications.${host}>`,
          },
          // Not papers "sent" in the digest's sense: a notification never keeps a paper out of For you.
          paperIds: [],
        },
      ],
      now.toISOString(),
    );
    return 'enqueued';
  }
}
