import type { Logger } from '../logger.ts';

/** One outgoing e-mail. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/**
 * How Paperboy sends mail. The mail feature provides the SMTP / .eml transports; features that send
 * mail (password resets, digests) depend only on this interface.
 */
export interface MailSender {
  send(msg: MailMessage): Promise<void>;
}

/** Used when no transport is configured: says so in the log (without the body, which may hold a secret link). */
export class UnconfiguredMailSender implements MailSender {
  constructor(private readonly logger: Logger) {}

  async send(msg: MailMessage): Promise<void> {
    this.logger.warn({ to: msg.to, subject: msg.subject }, 'no mail transport configured: message not sent');
  }
}
