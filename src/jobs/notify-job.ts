import type { Job } from './scheduler.ts';
import type { Services } from '../services/index.ts';

/**
 * The notify job: turns queued comments into notifications (a paper with 10,000 followers is one
 * INSERT … SELECT here, never work on the request that posted the comment), checks the newest
 * day's top 10 after new votes, builds the notification mails that are due into the outbox and
 * sends them. It ticks often; `due` asks the store whether there is anything to do, so an idle
 * site takes no lease and records no run.
 */
export function notifyJob(services: Pick<Services, 'notifications' | 'outbox' | 'config'>): Job {
  return {
    name: 'notify',
    schedule: services.config.notifySchedule,
    timezone: 'UTC',
    leaseMs: Math.max(60_000, services.config.mailClaimSeconds * 1000),
    due: () => services.notifications.hasWork(),
    async run(signal) {
      const fanOut = await services.notifications.processEvents({ signal });
      const top10 = signal.aborted ? 0 : await services.notifications.checkTop10();
      const mail = signal.aborted ? { batches: 0, enqueued: 0, skipped: 0 } : await services.notifications.buildMail();
      const sent = mail.enqueued && !signal.aborted ? await services.outbox.sendDue({ signal }) : null;
      return { ...fanOut, top10, ...mail, sent: sent?.sent ?? 0, stopped: signal.aborted || !!sent?.stopped };
    },
  };
}
