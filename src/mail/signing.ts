import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signs the links in mails (confirm, unsubscribe) with HMAC-SHA256, so a link works without a
 * log-in and cannot be forged or moved to another subscription. The purpose is part of what is
 * signed: an unsubscribe signature never confirms, and the reverse.
 */
export class LinkSigner {
  constructor(private readonly secret: string) {}

  sign(purpose: string, ...parts: (string | number)[]): string {
    return createHmac('sha256', this.secret).update([purpose, ...parts].join('\n')).digest('base64url');
  }

  verify(signature: string, purpose: string, ...parts: (string | number)[]): boolean {
    const expected = Buffer.from(this.sign(purpose, ...parts));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
