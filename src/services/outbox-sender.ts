import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { MailSendError, type MailSender } from '../mail/sender.ts';
import { mailSends } from '../metrics.ts';

export interface SendStats {
  sent: number;
  /** Temporary failures put back for a later attempt. */
  deferred: number;
  /** Permanent failures, and messages out of attempts. */
  failed: number;
  /** Addresses paused by this run after repeated permanent failures. */
  paused: number;
  /** True when the run stopped early: the server was unreachable or the signal aborted. */
  stopped: boolean;
}

/** After this many attempts a temporarily failing message is given up (about a day of back-off). */
export const MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3600_000;

/** 1, 2, 4, … minutes after the n-th failed attempt, at most 6 hours. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Sends the outbox. Each batch is claimed for this run (see OutboxRepository.claim), so several
 * senders share the work and none sends a row another holds; a row is marked sent right after
 * the server accepted it, and never claimed again. A sender killed between the server's "250"
 * and that update leaves one row whose claim expires and is sent again with the same Message-ID;
 * so does an exchange abandoned at the shutdown deadline after the server took the message. Those
 * narrow windows are the only ways a duplicate can arise.
 */
export class OutboxSender {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly sender: MailSender,
    private readonly logger: Logger,
  ) {}

  /** Messages in the outbox not sent yet (due now or later). */
  countUnsent(): Promise<number> {
    return this.store.outbox.countUnsent();
  }

  async sendDue(opts: { now?: () => Date; signal?: AbortSignal; batchSize?: number; onSent?: (n: number) => void } = {}): Promise<SendStats> {
    const now = opts.now ?? (() => new Date());
    const stats: SendStats = { sent: 0, deferred: 0, failed: 0, paused: 0, stopped: false };
    const claimMs = this.config.mailClaimSeconds * 1000;
    const interval = 1000 / this.config.mailRate;
    let nextSlot = Date.now();
    const batchSize = opts.batchSize ?? Math.max(1, Math.min(100, Math.floor(this.config.mailRate * this.config.mailClaimSeconds / 4)));

    while (!opts.signal?.aborted) {
      const token = randomUUID();
      const batch = await this.store.outbox.claim(token, batchSize, claimMs, now());
      if (!batch.length) break;
      let stop = false;
      let renewedAt = Date.now();
      for (const msg of batch) {
        if (opts.signal?.aborted || stop) break;
        if (Date.now() - renewedAt > claimMs / 3) {
          await this.store.outbox.renewClaims(token, claimMs, now());
          renewedAt = Date.now();
        }
        const wait = nextSlot - Date.now();
        if (wait > 0) await sleep(wait, opts.signal);
        nextSlot = Math.max(nextSlot, Date.now()) + interval;
        try {
          await this.sender.send({ to: msg.to, subject: msg.subject, text: msg.text, html: msg.html, headers: msg.headers });
        } catch (err) {
          const e = err instanceof MailSendError ? err : new MailSendError((err as Error).message, false);
          if (e.permanent) {
            await this.store.outbox.markFailed(msg.id, token, e.message);
            stats.failed++;
            mailSends.inc({ kind: 'digest', outcome: 'rejected' });
            if (await this.store.subscriptions.recordBounce(msg.subscriptionId, this.config.mailMaxBounces)) stats.paused++;
            this.logger.warn({ outbox: msg.id, to: msg.to, error: e.message }, 'mail rejected permanently');
          } else if (msg.attempts >= MAX_ATTEMPTS) {
            await this.store.outbox.markFailed(msg.id, token, `gave up after ${msg.attempts} attempts: ${e.message}`);
            stats.failed++;
            mailSends.inc({ kind: 'digest', outcome: 'gave_up' });
          } else {
            const next = new Date(now().getTime() + backoffMs(msg.attempts)).toISOString();
            await this.store.outbox.markRetry(msg.id, token, next, e.message);
            stats.deferred++;
            mailSends.inc({ kind: 'digest', outcome: 'deferred' });
            this.logger.info({ outbox: msg.id, attempts: msg.attempts, next, error: e.message }, 'mail deferred');
          }
          // The server is unreachable or closing on us: later messages would fail the same way.
          if (e.connectionLevel) stop = true;
          continue;
        }
        await this.store.outbox.markSent(msg.id, token, new Date().toISOString());
        if (msg.bounces > 0) await this.store.subscriptions.resetBounces(msg.subscriptionId);
        stats.sent++;
        mailSends.inc({ kind: 'digest', outcome: 'sent' });
        opts.onSent?.(stats.sent);
      }
      await this.store.outbox.release(token);
      if (stop || opts.signal?.aborted) {
        stats.stopped = true;
        break;
      }
    }
    return stats;
  }
}
