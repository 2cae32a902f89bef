import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The time a held lease is stamped and renewed by: the system's, or a test's that it moves by hand. */
export interface LeaseClock {
  now(): Date;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => unknown): () => void;
}

export const systemClock: LeaseClock = {
  now: () => new Date(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * Named leases with expiry, so that a job runs in one process at a time even when several server
 * processes share one database. A holder that dies loses its lease when it expires.
 */
export class LeaseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Takes the lease if it is free, expired, or already ours; returns whether we hold it now. */
  async acquire(name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const nowIso = now.toISOString();
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    await this.db
      .insertInto('job_leases')
      .values({ name, holder, expires_at: expires, acquired_at: nowIso })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: expires, acquired_at: nowIso })
          .where((eb) => eb.or([eb('job_leases.expires_at', '<', nowIso), eb('job_leases.holder', '=', holder)])),
      )
      .execute();
    const row = await this.db.selectFrom('job_leases').select('holder').where('name', '=', name).executeTakeFirst();
    return row?.holder === holder;
  }

  /** Extends a lease we hold; false if we lost it. */
  async renew(name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const r = await this.db
      .updateTable('job_leases')
      .set({ expires_at: new Date(now.getTime() + ttlMs).toISOString() })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Runs `fn` holding the lease `name`: renewed every third of `ttlMs` while it runs, released after,
   * whatever happens; `{ held: false }` when another holder has it. A short `ttlMs` is then safe for
   * long work: a live holder keeps the lease, a killed one loses it within `ttlMs`. `clock` is the
   * system's but for a test, which moves its own by hand (no renewal depends on a loaded machine's timers).
   */
  async hold<T>(name: string, holder: string, ttlMs: number, fn: () => Promise<T>, onRenewError?: (err: unknown) => void, clock: LeaseClock = systemClock): Promise<{ held: true; value: T } | { held: false }> {
    if (!(await this.acquire(name, holder, ttlMs, clock.now()))) return { held: false };
    const stopRenewing = clock.every(Math.max(100, ttlMs / 3), () =>
      this.renew(name, holder, ttlMs, clock.now()).catch((err) => onRenewError?.(err)),
    );
    try {
      return { held: true, value: await fn() };
    } finally {
      stopRenewing();
      await this.release(name, holder).catch(() => {});
    }
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('job_leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async holder(name: string, now = new Date()): Promise<string | null> {
    const row = await this.db.selectFrom('job_leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
    return row && row.expires_at >= now.toISOString() ? row.holder : null;
  }
}
