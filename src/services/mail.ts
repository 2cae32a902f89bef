import { publicUrl, type Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import { createMailSender, type MailSender } from '../mail/sender.ts';
import { LinkSigner } from '../mail/signing.ts';
import type { Subscription } from '../domain/subscription.ts';
import { sitePaths } from '../domain/site-paths.ts';

export const CONFIRM_LINK_HOURS = 48;

/**
 * Outgoing mail for every feature: the sender (SMTP, or `.eml` files when mail is not configured)
 * and the signed links mails carry. `configured` is what pages read to say mail is not set up.
 */
export class MailService {
  readonly sender: MailSender;
  private signerPromise?: Promise<LinkSigner>;

  constructor(
    private readonly config: Config,
    private readonly store: Store,
    sender?: MailSender,
    /** The process's shutdown deadline, for the SMTP sender. */
    shutdown?: AbortSignal,
  ) {
    this.sender = sender ?? createMailSender({ smtpUrl: config.smtpUrl, from: config.mailFrom, mailDir: config.mailDir, signal: shutdown });
  }

  /** False when SMTP_URL is not set: mails are then written to MAIL_DIR instead of delivered. */
  get configured(): boolean {
    return this.sender.kind === 'smtp';
  }

  get siteUrl(): string {
    return publicUrl(this.config);
  }

  /** The link-signing key: MAIL_SECRET, else one generated once and kept in the store. */
  signer(): Promise<LinkSigner> {
    return (this.signerPromise ??= (async () => new LinkSigner(this.config.mailSecret ?? (await this.store.subscriptions.secret('mail_link_key'))))());
  }

  async confirmUrl(sub: Pick<Subscription, 'id' | 'email'>, now = new Date()): Promise<string> {
    const exp = Math.floor(now.getTime() / 1000) + CONFIRM_LINK_HOURS * 3600;
    const sig = (await this.signer()).sign('confirm', sub.id, sub.email, exp);
    return `${this.siteUrl}${sitePaths.subscribeConfirm({ id: sub.id, exp, sig })}`;
  }

  async unsubscribeUrl(sub: Pick<Subscription, 'id' | 'email'>): Promise<string> {
    const sig = (await this.signer()).sign('unsubscribe', sub.id, sub.email);
    return `${this.siteUrl}${sitePaths.unsubscribe({ id: sub.id, sig })}`;
  }

  close(): Promise<void> {
    return this.sender.close?.() ?? Promise.resolve();
  }
}
