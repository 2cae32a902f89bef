import type { Store } from '../store/store.ts';

/**
 * Pruning of the community tables: expired sessions, used or expired reset links, log-in failure
 * rows idle for a day, and rate-limit windows that ended a day ago. Nothing here is needed for
 * correctness (expired rows are never accepted); it keeps the tables small.
 */
export class HousekeepingService {
  constructor(private readonly store: Store) {}

  /** Prunes everything in one transaction; returns how many rows of each kind went. */
  prune(): Promise<{ sessions: number; passwordResets: number; loginFailures: number; rateLimitWindows: number }> {
    return this.store.transaction(async (tx) => ({
      sessions: await tx.sessions.pruneExpired(),
      passwordResets: await tx.passwordResets.prune(),
      loginFailures: await tx.loginFailures.pruneIdle(),
      rateLimitWindows: await tx.rateLimits.prune(),
    }));
  }
}
