import type { Store } from '../store/store.ts';

/**
 * Pruning of the community tables: expired sessions, used or expired reset links, log-in failure
 * rows idle for a day, rate-limit windows that ended a day ago, expired sign-up and address links, and
 * submission counters of past days, and read notifications older than NOTIFICATIONS_KEEP_DAYS; and the
 * thumbnail bytes of papers deleted outright. Nothing here is needed for
 * correctness (expired rows are never accepted); it keeps the tables small.
 */
export class HousekeepingService {
  constructor(
    private readonly store: Store,
    /** Read notifications older than this many days go (NOTIFICATIONS_KEEP_DAYS); unread ones stay. */
    private readonly opts: { notificationsKeepDays?: number } = {},
  ) {}

  /**
   * Prunes everything in one transaction, then the thumbnail bytes no paper links to any more (on
   * their own: a render linking the same bytes at that moment fails only this sweep, not the rest,
   * and the next run sweeps again); returns how many rows of each kind went.
   */
  async prune(now = Date.now()): Promise<Record<string, number>> {
    const pruned = await this.store.transaction(async (tx) => ({
      sessions: await tx.sessions.pruneExpired(),
      passwordResets: await tx.passwordResets.prune(),
      loginFailures: await tx.loginFailures.pruneIdle(),
      rateLimitWindows: await tx.rateLimits.prune(),
      accountConfirmations: await tx.accountConfirmations.pruneExpired(),
      // Quota counters of days before yesterday (UTC) are never read again.
      submissionQuotaDays: await tx.submissionQuota.pruneBefore(new Date(now - 2 * 86_400_000).toISOString().slice(0, 10)),
      readNotifications: await tx.notifications.pruneRead(new Date(now - (this.opts.notificationsKeepDays ?? 180) * 86_400_000).toISOString()),
    }));
    return { ...pruned, unlinkedThumbnails: await this.store.enrichment.pruneUnlinkedThumbnails() };
  }
}
