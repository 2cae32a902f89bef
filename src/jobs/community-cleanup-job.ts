import type { Job } from './scheduler.ts';
import type { Store } from '../store/store.ts';

/**
 * Hourly housekeeping for the community tables: expired sessions, used or expired reset links,
 * log-in failure rows idle for a day, rate-limit windows that ended a day ago, expired sign-up
 * and address links, and submission counters of past days. Nothing here is
 * needed for correctness (expired rows are never accepted); it keeps the tables small.
 */
export function communityCleanupJob(store: Store): Job {
  return {
    name: 'community-cleanup',
    schedule: '17 * * * *',
    timezone: 'UTC',
    async run() {
      return store.transaction(async (tx) => ({
        sessions: await tx.sessions.pruneExpired(),
        passwordResets: await tx.passwordResets.prune(),
        loginFailures: await tx.loginFailures.pruneIdle(),
        rateLimitWindows: await tx.rateLimits.prune(),
        accountConfirmations: await tx.accountConfirmations.pruneExpired(),
        submissionQuotaDays: await tx.submissionQuota.pruneBefore(new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)),
      }));
    },
  };
}
