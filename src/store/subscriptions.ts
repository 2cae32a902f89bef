import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, MailSubscriptionsTable } from './schema.ts';
import type { Frequency, Subscription, SubscriptionStatus } from '../domain/subscription.ts';
import { parseJsonArray } from './mappers.ts';

function rowToSubscription(r: Selectable<MailSubscriptionsTable>): Subscription {
  return {
    id: Number(r.id),
    email: r.email,
    userId: r.user_id === null ? null : Number(r.user_id),
    frequency: r.frequency as Frequency,
    categories: parseJsonArray(r.categories),
    personalPicks: Boolean(r.personal_picks),
    status: r.status as SubscriptionStatus,
    bounces: Number(r.bounces),
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
    confirmSentAt: r.confirm_sent_at,
    unsubscribedAt: r.unsubscribed_at,
  };
}

export interface SubscriptionPrefs {
  frequency: Frequency;
  categories: string[];
  personalPicks: boolean;
}

/** Mail subscriptions (one per address) and the mail signing key. */
export class SubscriptionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: number): Promise<Subscription | null> {
    const r = await this.db.selectFrom('mail_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowToSubscription(r) : null;
  }

  async findByEmail(email: string): Promise<Subscription | null> {
    const r = await this.db.selectFrom('mail_subscriptions').selectAll().where('email', '=', email).executeTakeFirst();
    return r ? rowToSubscription(r) : null;
  }

  async findByUser(userId: number): Promise<Subscription | null> {
    const r = await this.db.selectFrom('mail_subscriptions').selectAll().where('user_id', '=', userId).orderBy('id').executeTakeFirst();
    return r ? rowToSubscription(r) : null;
  }

  /**
   * Creates a pending subscription for `email`, or returns the existing one untouched: the unique
   * email makes a second subscription impossible even when two requests race.
   */
  async createPending(email: string, prefs: SubscriptionPrefs, userId: number | null, now = new Date().toISOString()): Promise<{ subscription: Subscription; created: boolean }> {
    const inserted = await this.db
      .insertInto('mail_subscriptions')
      .values({
        email,
        user_id: userId,
        frequency: prefs.frequency,
        categories: JSON.stringify(prefs.categories),
        personal_picks: prefs.personalPicks ? 1 : 0,
        status: 'pending',
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    const sub = await this.findByEmail(email);
    if (!sub) throw new Error(`subscription for ${email} vanished`);
    return { subscription: sub, created: inserted !== undefined };
  }

  async updatePrefs(id: number, prefs: SubscriptionPrefs, now = new Date().toISOString()): Promise<void> {
    await this.db
      .updateTable('mail_subscriptions')
      .set({ frequency: prefs.frequency, categories: JSON.stringify(prefs.categories), personal_picks: prefs.personalPicks ? 1 : 0, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Links the subscription of `email` (normalised) to the account that verified that address, and no other to it. */
  async linkOwner(email: string, userId: number): Promise<void> {
    await this.db.updateTable('mail_subscriptions').set({ user_id: null }).where('user_id', '=', userId).where('email', '!=', email).execute();
    await this.db.updateTable('mail_subscriptions').set({ user_id: userId }).where('email', '=', email).execute();
  }

  /** Back to pending (a re-subscription after leaving, or a paused address asking again). */
  async reopen(id: number, now = new Date().toISOString()): Promise<void> {
    await this.db
      .updateTable('mail_subscriptions')
      .set({ status: 'pending', bounces: 0, unsubscribed_at: null, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['unsubscribed', 'paused'])
      .execute();
  }

  async markConfirmSent(id: number, now = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('mail_subscriptions').set({ confirm_sent_at: now }).where('id', '=', id).execute();
  }

  /** Pending → active. Returns false when the subscription is not pending (already confirmed, or left). */
  async confirm(id: number, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .updateTable('mail_subscriptions')
      .set({ status: 'active', confirmed_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async unsubscribe(id: number, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .updateTable('mail_subscriptions')
      .set({ status: 'unsubscribed', unsubscribed_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '!=', 'unsubscribed')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Active subscribers of a frequency, in id order. */
  async active(frequency: Frequency): Promise<Subscription[]> {
    const rows = await this.db.selectFrom('mail_subscriptions').selectAll().where('status', '=', 'active').where('frequency', '=', frequency).orderBy('id').execute();
    return rows.map(rowToSubscription);
  }

  /** Counts a permanent failure; pauses the address once it reaches `max` in a row. Returns whether it is now paused. */
  async recordBounce(id: number, max: number, now = new Date().toISOString()): Promise<boolean> {
    await this.db
      .updateTable('mail_subscriptions')
      .set((eb) => ({ bounces: eb('bounces', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .execute();
    const r = await this.db
      .updateTable('mail_subscriptions')
      .set({ status: 'paused', updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .where('bounces', '>=', max)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async resetBounces(id: number): Promise<void> {
    await this.db.updateTable('mail_subscriptions').set({ bounces: 0 }).where('id', '=', id).where('bounces', '>', 0).execute();
  }

  /** A named secret, generated (32 random bytes) and stored the first time; every process then shares it. */
  async secret(name: string, now = new Date().toISOString()): Promise<string> {
    await this.db
      .insertInto('mail_secrets')
      .values({ name, value: randomBytes(32).toString('base64url'), created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const r = await this.db.selectFrom('mail_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return r.value;
  }
}
