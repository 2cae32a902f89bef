import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { SubscriptionPrefs } from '../store/subscriptions.ts';
import { normalizeEmail, type Subscription } from '../domain/subscription.ts';
import { confirmMail } from '../mail/templates/confirm.ts';
import { CONFIRM_LINK_HOURS, type MailService } from './mail.ts';
import { mailSends } from '../metrics.ts';

/** A confirmation mail is not sent again to the same address within this many seconds. */
export const CONFIRM_RESEND_SECONDS = 60;

export type LinkOutcome = 'ok' | 'already' | 'invalid' | 'expired';

/**
 * Subscribing and leaving. Every subscription starts pending and gets one confirmation mail;
 * only a followed confirm link makes it active. One subscription per address, whatever the
 * number of requests. Answers never reveal whether an address is subscribed.
 */
export class SubscriptionService {
  constructor(
    private readonly store: Store,
    private readonly mail: MailService,
    private readonly logger: Logger,
  ) {}

  async subscribe(input: { email: string; userId?: number | null } & SubscriptionPrefs, now = new Date()): Promise<{ subscription: Subscription; confirmationSent: boolean }> {
    const email = normalizeEmail(input.email);
    const prefs: SubscriptionPrefs = { frequency: input.frequency, categories: [...new Set(input.categories)], personalPicks: input.personalPicks };
    const nowIso = now.toISOString();
    const { subscription, created } = await this.store.subscriptions.createPending(email, prefs, input.userId ?? null, nowIso);
    let sub = subscription;
    if (!created) {
      const owner = input.userId != null && sub.userId === input.userId;
      if (sub.status === 'active') {
        // Only the signed-in owner changes an active subscription; anyone else's request changes nothing.
        if (owner) await this.store.subscriptions.updatePrefs(sub.id, prefs, nowIso);
        return { subscription: (await this.store.subscriptions.get(sub.id))!, confirmationSent: false };
      }
      await this.store.subscriptions.updatePrefs(sub.id, prefs, nowIso);
      if (sub.status === 'unsubscribed' || sub.status === 'paused') await this.store.subscriptions.reopen(sub.id, nowIso);
      if (input.userId != null && sub.userId === null) await this.store.subscriptions.linkUser(sub.id, input.userId);
      sub = (await this.store.subscriptions.get(sub.id))!;
    }
    const recentlySent = sub.confirmSentAt !== null && now.getTime() - Date.parse(sub.confirmSentAt) < CONFIRM_RESEND_SECONDS * 1000;
    if (recentlySent) return { subscription: sub, confirmationSent: false };
    const msg = confirmMail({
      to: sub.email,
      confirmUrl: await this.mail.confirmUrl(sub, now),
      siteUrl: this.mail.siteUrl,
      frequency: sub.frequency,
      expiresHours: CONFIRM_LINK_HOURS,
    });
    try {
      await this.mail.sender.send(msg);
      await this.store.subscriptions.markConfirmSent(sub.id, nowIso);
      mailSends.inc({ kind: 'confirm', outcome: 'sent' });
      return { subscription: sub, confirmationSent: true };
    } catch (err) {
      this.logger.warn({ err, subscription: sub.id }, 'confirmation mail not sent');
      mailSends.inc({ kind: 'confirm', outcome: 'failed' });
      return { subscription: sub, confirmationSent: false };
    }
  }

  /** The signed-in user's subscription: linked to the account, or made earlier with its address. */
  async forUser(user: { id: number; email: string }): Promise<Subscription | null> {
    return (await this.store.subscriptions.findByUser(user.id)) ?? (await this.store.subscriptions.findByEmail(normalizeEmail(user.email)));
  }

  /**
   * The settings form: an active subscription of the account changes at once; otherwise this is
   * a subscription of the account's address, confirmed by mail like any other.
   */
  async saveForUser(user: { id: number; email: string }, prefs: SubscriptionPrefs, now = new Date()): Promise<{ subscription: Subscription; confirmationSent: boolean }> {
    const existing = await this.forUser(user);
    if (existing && existing.status === 'active') {
      if (existing.userId !== user.id) await this.store.subscriptions.linkUser(existing.id, user.id);
      await this.store.subscriptions.updatePrefs(existing.id, prefs, now.toISOString());
      return { subscription: (await this.store.subscriptions.get(existing.id))!, confirmationSent: false };
    }
    return this.subscribe({ email: existing?.email ?? user.email, userId: user.id, ...prefs }, now);
  }

  async unsubscribeUser(user: { id: number; email: string }, now = new Date()): Promise<boolean> {
    const sub = await this.forUser(user);
    return sub ? this.store.subscriptions.unsubscribe(sub.id, now.toISOString()) : false;
  }

  async confirm(q: { id: number; exp: number; sig: string }, now = new Date()): Promise<LinkOutcome> {
    const sub = await this.store.subscriptions.get(q.id);
    if (!sub || !(await this.mail.signer()).verify(q.sig, 'confirm', sub.id, sub.email, q.exp)) return 'invalid';
    if (sub.status === 'active') return 'already';
    if (q.exp * 1000 < now.getTime()) return 'expired';
    if (sub.status !== 'pending') return 'invalid';
    return (await this.store.subscriptions.confirm(sub.id, now.toISOString())) ? 'ok' : 'already';
  }

  /** Checks an unsubscribe link without acting on it (the GET page shows a button). */
  async checkUnsubscribe(q: { id: number; sig: string }): Promise<Subscription | null> {
    const sub = await this.store.subscriptions.get(q.id);
    if (!sub || !(await this.mail.signer()).verify(q.sig, 'unsubscribe', sub.id, sub.email)) return null;
    return sub;
  }

  async unsubscribe(q: { id: number; sig: string }, now = new Date()): Promise<LinkOutcome> {
    const sub = await this.checkUnsubscribe(q);
    if (!sub) return 'invalid';
    return (await this.store.subscriptions.unsubscribe(sub.id, now.toISOString())) ? 'ok' : 'already';
  }
}
