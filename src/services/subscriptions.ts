import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { SubscriptionPrefs } from '../store/subscriptions.ts';
import { normalizeEmail, type Subscription } from '../domain/subscription.ts';
import { confirmMail } from '../mail/templates/confirm.ts';
import { CONFIRM_LINK_HOURS, type MailService } from './mail.ts';
import { mailSends } from '../metrics.ts';
import type { MailCooldown } from './mail-cooldown.ts';
import { ServiceError } from './errors.ts';

/** The signed-in account, as far as subscriptions care: only a verified address links it to one. */
export interface AccountRef {
  id: number;
  email: string;
  emailVerified: boolean;
}

/** The account owns `email`'s subscription: its own address, verified through a mailed link. */
function ownerOf(account: AccountRef | null | undefined, email: string): number | null {
  return account && account.emailVerified && normalizeEmail(account.email) === email ? account.id : null;
}

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
    private readonly cooldown: MailCooldown,
  ) {}

  /**
   * Subscribes an address. The request links the subscription to the signed-in account only when
   * the address is the account's own, verified one: posting someone else's address (pending or
   * not, in any case) never attaches it. A confirmation mail goes out unless one went to the
   * address in the last minute, or the address or IP is past its cool-down (MailCooldown).
   */
  async subscribe(input: { email: string; account?: AccountRef | null; ip?: string | null } & SubscriptionPrefs, now = new Date()): Promise<{ subscription: Subscription; confirmationSent: boolean }> {
    const email = normalizeEmail(input.email);
    const prefs: SubscriptionPrefs = { frequency: input.frequency, categories: [...new Set(input.categories)], personalPicks: input.personalPicks };
    const nowIso = now.toISOString();
    const ownerId = ownerOf(input.account, email);
    const { subscription, created } = await this.store.subscriptions.createPending(email, prefs, ownerId, nowIso);
    let sub = subscription;
    if (!created) {
      if (sub.status === 'active') {
        // Only the owner (verified address) changes an active subscription; anyone else's request changes nothing.
        if (ownerId !== null) {
          await this.store.subscriptions.updatePrefs(sub.id, prefs, nowIso);
          await this.store.subscriptions.linkOwner(email, ownerId);
        }
        return { subscription: (await this.store.subscriptions.get(sub.id))!, confirmationSent: false };
      }
      await this.store.subscriptions.updatePrefs(sub.id, prefs, nowIso);
      if (sub.status === 'unsubscribed' || sub.status === 'paused') await this.store.subscriptions.reopen(sub.id, nowIso);
      if (ownerId !== null) await this.store.subscriptions.linkOwner(email, ownerId);
      sub = (await this.store.subscriptions.get(sub.id))!;
    }
    const recentlySent = sub.confirmSentAt !== null && now.getTime() - Date.parse(sub.confirmSentAt) < CONFIRM_RESEND_SECONDS * 1000;
    if (recentlySent) return { subscription: sub, confirmationSent: false };
    if (!(await this.cooldown.allow(sub.email, input.ip, now.getTime()))) {
      mailSends.inc({ kind: 'confirm', outcome: 'cooldown' });
      return { subscription: sub, confirmationSent: false };
    }
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

  /** The subscription of the account's own address, once that address is verified (else none). */
  async forUser(user: AccountRef): Promise<Subscription | null> {
    if (!user.emailVerified) return null;
    return this.store.subscriptions.findByEmail(normalizeEmail(user.email));
  }

  /**
   * The settings form: an active subscription of the account's verified address changes at once;
   * otherwise this subscribes that address, confirmed by mail like any other. An account whose
   * address is not verified has no subscription to change.
   */
  async saveForUser(user: AccountRef, prefs: SubscriptionPrefs, now = new Date()): Promise<{ subscription: Subscription; confirmationSent: boolean }> {
    if (!user.emailVerified) throw new ServiceError(403, 'address_unverified', 'confirm your address first (the link in the mail from your settings)');
    return this.subscribe({ email: user.email, account: user, ...prefs }, now);
  }

  async unsubscribeUser(user: AccountRef, now = new Date()): Promise<boolean> {
    const sub = await this.forUser(user);
    return sub ? this.store.subscriptions.unsubscribe(sub.id, now.toISOString()) : false;
  }

  async confirm(q: { id: number; exp: number; sig: string }, now = new Date()): Promise<LinkOutcome> {
    const sub = await this.store.subscriptions.get(q.id);
    if (!sub || !(await this.mail.signer()).verify(q.sig, 'confirm', sub.id, sub.email, q.exp)) return 'invalid';
    if (sub.status === 'active') return 'already';
    if (q.exp * 1000 < now.getTime()) return 'expired';
    if (sub.status !== 'pending') return 'invalid';
    if (!(await this.store.subscriptions.confirm(sub.id, now.toISOString()))) return 'already';
    // The account that verified this address (if any) owns the subscription from now on.
    const owner = await this.store.users.byEmail(sub.email);
    if (owner?.emailVerified) await this.store.subscriptions.linkOwner(sub.email, owner.id);
    return 'ok';
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
