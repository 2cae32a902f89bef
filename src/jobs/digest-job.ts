import type { Job } from './scheduler.ts';
import type { Services } from '../services/index.ts';
import { duePeriods } from '../domain/digest-period.ts';

/**
 * The digest job for `serve`: on each tick it builds the digests due today (daily on weekdays,
 * weekly on Mondays; a no-op once built, and nothing while the period has no papers yet) and
 * sends what the outbox has due, retries included. The job's lease keeps it to one process at a
 * time; the outbox's claims would keep two senders apart anyway.
 */
export function digestJob(services: Services, opts: { today?: () => string } = {}): Job {
  const today = opts.today ?? (() => new Date().toISOString().slice(0, 10));
  return {
    name: 'digest',
    schedule: services.config.digestSchedule,
    timezone: 'UTC',
    leaseMs: Math.max(60_000, services.config.mailClaimSeconds * 1000),
    async run(signal) {
      const built: Record<string, number> = {};
      for (const period of duePeriods(today())) {
        if (signal.aborted) break;
        built[period.key] = (await services.digests.build(period)).created;
      }
      const sent = await services.outbox.sendDue({ signal });
      // Stopped by a shutdown before or during the sending: recorded as interrupted, the next run sends the rest.
      return { built, ...sent, stopped: sent.stopped || signal.aborted };
    },
  };
}
