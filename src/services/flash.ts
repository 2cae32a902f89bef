import type { Store } from '../store/store.ts';
import { randomToken } from './secrets.ts';

/** How long a flash message waits for the page it was written for. */
export const FLASH_TTL_MS = 5 * 60_000;

export interface Flash {
  message: string;
  /** Shown once beside the message (a new API token). */
  secret: string | null;
}

/**
 * One-time messages after a form's redirect (post/redirect/get): written before the redirect,
 * addressed by a random id, shown on the next page and then deleted. A message written for an
 * account is only shown to that account, so a leaked cookie shows nothing to anyone else.
 */
export class FlashService {
  constructor(private readonly store: Store) {}

  async write(userId: number | null, message: string, secret: string | null = null, now = Date.now()): Promise<string> {
    const id = randomToken(24);
    await this.store.flashes.put(id, { userId, message, secret }, new Date(now + FLASH_TTL_MS).toISOString(), new Date(now).toISOString());
    return id;
  }

  /** The message under `id` for this viewer, without using it up (a redirect in between keeps it). */
  async read(id: string, userId: number | null): Promise<Flash | null> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
    const row = await this.store.flashes.get(id);
    if (!row || (row.userId !== null && row.userId !== userId)) return null;
    return { message: row.message, secret: row.secret };
  }

  async consume(id: string): Promise<void> {
    await this.store.flashes.delete(id);
  }
}
