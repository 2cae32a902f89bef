import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';

/**
 * A cool-down on mails that anyone can cause to be sent to any address (confirmations, sign-up
 * links, password resets): at most `CONFIRM_MAILS_PER_ADDRESS` to one address and
 * `CONFIRM_MAILS_PER_IP` caused by one IP per window, counted in the store so every process
 * shares them. The caller answers as usual either way, so the limit reveals nothing.
 */
export class MailCooldown {
  constructor(
    private readonly store: Store,
    private readonly config: Pick<Config, 'confirmMailsPerAddress' | 'confirmMailsPerIp'>,
  ) {}

  /** Counts one mail to `address` caused by `ip` (when known); false when either is over its limit. */
  async allow(address: string, ip?: string | null, now = Date.now()): Promise<boolean> {
    if (ip) {
      const { limit, windowSeconds } = this.config.confirmMailsPerIp;
      if (!(await this.store.rateLimits.hit(`mail-ip:${ip}`, limit, windowSeconds, now)).allowed) return false;
    }
    const { limit, windowSeconds } = this.config.confirmMailsPerAddress;
    return (await this.store.rateLimits.hit(`mail-to:${address.trim().toLowerCase()}`, limit, windowSeconds, now)).allowed;
  }
}
