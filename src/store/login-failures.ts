import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Failed log-ins per key with a growing back-off: after `freeAttempts` failures each further one
 * locks the key for `baseSeconds · 2^(n − freeAttempts)` seconds (capped at `maxSeconds`).
 */
export class LoginFailureRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Keys are stored at most KEY_MAX characters long: a longer one (a user name nobody could have)
   * is kept as its kind and a hash, so what a visitor types never sets how much is stored.
   */
  static readonly KEY_MAX = 100;
  static storedKey(key: string): string {
    if (key.length <= LoginFailureRepository.KEY_MAX) return key;
    const kind = /^[a-z]{1,8}:/.exec(key)?.[0] ?? '';
    return `${kind}sha256:${createHash('sha256').update(key).digest('hex')}`;
  }

  /** Seconds until `key` may try again (0 when it may). */
  async lockedFor(rawKey: string, now = Date.now()): Promise<number> {
    const key = LoginFailureRepository.storedKey(rawKey);
    const r = await this.db.selectFrom('login_failures').select('locked_until').where('key', '=', key).executeTakeFirst();
    if (!r?.locked_until) return 0;
    const ms = Date.parse(r.locked_until) - now;
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  async recordFailure(rawKey: string, policy: { freeAttempts: number; baseSeconds: number; maxSeconds: number }, now = Date.now()): Promise<number> {
    const key = LoginFailureRepository.storedKey(rawKey);
    const iso = new Date(now).toISOString();
    const row = await this.db
      .insertInto('login_failures')
      .values({ key, failures: 1, locked_until: null, updated_at: iso })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ failures: eb('login_failures.failures', '+', 1), updated_at: iso })))
      .returning('failures')
      .executeTakeFirstOrThrow();
    const failures = Number(row.failures);
    if (failures < policy.freeAttempts) return 0;
    const seconds = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (failures - policy.freeAttempts));
    await this.db.updateTable('login_failures').set({ locked_until: new Date(now + seconds * 1000).toISOString() }).where('key', '=', key).execute();
    return seconds;
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('key', '=', LoginFailureRepository.storedKey(key)).execute();
  }

  /** Drops counters untouched for `idleMs` whose lock (if any) has ended. */
  async pruneIdle(idleMs = 86_400_000, now = Date.now()): Promise<number> {
    const r = await this.db
      .deleteFrom('login_failures')
      .where('updated_at', '<', new Date(now - idleMs).toISOString())
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', new Date(now).toISOString())]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
