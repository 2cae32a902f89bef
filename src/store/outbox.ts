import type { Kysely, Selectable } from 'kysely';
import type { Database, MailOutboxBodiesTable, MailOutboxTable } from './schema.ts';
import { parseJsonArray } from './mappers.ts';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxMessage {
  id: number;
  subscriptionId: number;
  period: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  paperIds: string[];
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  /** The subscription's permanent failures in a row (only read by claims; 0 elsewhere). */
  bounces: number;
}

export type NewOutboxMessage = Pick<OutboxMessage, 'subscriptionId' | 'period' | 'to' | 'subject' | 'text' | 'html' | 'headers' | 'paperIds'>;

function rowToMessage(r: Selectable<MailOutboxTable> & Omit<Selectable<MailOutboxBodiesTable>, 'outbox_id'> & { bounces?: number }): OutboxMessage {
  return {
    id: Number(r.id),
    subscriptionId: Number(r.subscription_id),
    period: r.period,
    to: r.to_email,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    headers: JSON.parse(r.headers) as Record<string, string>,
    paperIds: parseJsonArray(r.paper_ids),
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    sentAt: r.sent_at,
    bounces: Number(r.bounces ?? 0),
  };
}

/**
 * The digest outbox. A message exists once per (subscription, period) — the unique key — and is
 * sent by whichever sender claims it: a claim is one UPDATE guarded by the row's status, so two
 * senders never hold the same row, and a claim expires so a crashed sender's rows are taken over.
 */
export class OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds messages; one that exists already for its (subscription, period) is left as it is. Returns how many were added. */
  async addMany(messages: NewOutboxMessage[], now = new Date().toISOString()): Promise<number> {
    let added = 0;
    for (let i = 0; i < messages.length; i += 200) {
      const batch = messages.slice(i, i + 200);
      added += await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('mail_outbox')
          .values(
            batch.map((m) => ({
              subscription_id: m.subscriptionId,
              period: m.period,
              to_email: m.to,
              paper_ids: JSON.stringify(m.paperIds),
              status: 'pending',
              next_attempt_at: now,
              created_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['subscription_id', 'period']).doNothing())
          .returning(['id', 'subscription_id', 'period'])
          .execute();
        if (!inserted.length) return 0;
        const byKey = new Map(batch.map((m) => [`${m.subscriptionId}|${m.period}`, m]));
        await trx
          .insertInto('mail_outbox_bodies')
          .values(
            inserted.map((r) => {
              const m = byKey.get(`${Number(r.subscription_id)}|${r.period}`)!;
              return { outbox_id: Number(r.id), subject: m.subject, headers: JSON.stringify(m.headers), text_body: m.text, html_body: m.html };
            }),
          )
          .execute();
        return inserted.length;
      });
    }
    return added;
  }

  private withBodies() {
    return this.db
      .selectFrom('mail_outbox as o')
      .innerJoin('mail_outbox_bodies as b', 'b.outbox_id', 'o.id')
      .selectAll('o')
      .select(['b.subject', 'b.headers', 'b.text_body', 'b.html_body']);
  }

  /** Subscriptions that already have a message for this period. */
  async subscribersWithPeriod(period: string): Promise<Set<number>> {
    const rows = await this.db.selectFrom('mail_outbox').select('subscription_id').where('period', '=', period).execute();
    return new Set(rows.map((r) => Number(r.subscription_id)));
  }

  /** Papers already in any digest to each subscriber (personal picks never repeat them). */
  async paperIdsSentTo(subscriptionIds: readonly number[]): Promise<Map<number, Set<string>>> {
    const out = new Map<number, Set<string>>();
    for (let i = 0; i < subscriptionIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('mail_outbox')
        .select(['subscription_id', 'paper_ids'])
        .where('subscription_id', 'in', subscriptionIds.slice(i, i + 500))
        .where('status', '!=', 'failed')
        .execute();
      for (const r of rows) {
        const id = Number(r.subscription_id);
        let s = out.get(id);
        if (!s) out.set(id, (s = new Set()));
        for (const p of parseJsonArray(r.paper_ids)) s.add(p);
      }
    }
    return out;
  }

  /**
   * Claims up to `limit` due messages for `token`: pending ones whose next attempt is due, and
   * ones claimed by a sender whose claim expired (it crashed). The status and expiry are checked
   * again by the UPDATE itself, so concurrent claimers split the rows instead of sharing them.
   */
  async claim(token: string, limit: number, claimMs: number, now = new Date()): Promise<OutboxMessage[]> {
    // Losing every candidate to another sender is not "nothing due": look again.
    for (let tries = 0; tries < 20; tries++) {
      const r = await this.claimOnce(token, limit, claimMs, now);
      if (r !== 'lost') return r;
    }
    return [];
  }

  private async claimOnce(token: string, limit: number, claimMs: number, now: Date): Promise<OutboxMessage[] | 'lost'> {
    const nowIso = now.toISOString();
    const expires = new Date(now.getTime() + claimMs).toISOString();
    const candidates = await this.db
      .selectFrom('mail_outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso)]),
          eb.and([eb('status', '=', 'sending'), eb('claim_expires_at', '<', nowIso)]),
        ]),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    if (!candidates.length) return [];
    await this.db
      .updateTable('mail_outbox')
      .set((eb) => ({ status: 'sending', claim_token: token, claim_expires_at: expires, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', candidates.map((c) => c.id))
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso)]),
          eb.and([eb('status', '=', 'sending'), eb('claim_expires_at', '<', nowIso)]),
        ]),
      )
      .execute();
    const rows = await this.withBodies()
      .innerJoin('mail_subscriptions as s', 's.id', 'o.subscription_id')
      .select('s.bounces')
      .where('o.claim_token', '=', token)
      .where('o.status', '=', 'sending')
      .orderBy('o.id')
      .execute();
    return rows.length ? rows.map(rowToMessage) : 'lost';
  }

  /** Extends our claims (a long batch at a low rate); returns how many we still hold. */
  async renewClaims(token: string, claimMs: number, now = new Date()): Promise<number> {
    const r = await this.db
      .updateTable('mail_outbox')
      .set({ claim_expires_at: new Date(now.getTime() + claimMs).toISOString() })
      .where('claim_token', '=', token)
      .where('status', '=', 'sending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  private finish(id: number, token: string) {
    return this.db.updateTable('mail_outbox').where('id', '=', id).where('claim_token', '=', token).where('status', '=', 'sending');
  }

  async markSent(id: number, token: string, now = new Date().toISOString()): Promise<void> {
    await this.finish(id, token).set({ status: 'sent', sent_at: now, claim_token: null, claim_expires_at: null, last_error: null }).execute();
  }

  /** A temporary failure: back to pending, next attempt at `nextAttemptAt`. */
  async markRetry(id: number, token: string, nextAttemptAt: string, error: string): Promise<void> {
    await this.finish(id, token).set({ status: 'pending', next_attempt_at: nextAttemptAt, claim_token: null, claim_expires_at: null, last_error: error }).execute();
  }

  async markFailed(id: number, token: string, error: string): Promise<void> {
    await this.finish(id, token).set({ status: 'failed', claim_token: null, claim_expires_at: null, last_error: error }).execute();
  }

  /** Gives claimed rows back untouched (a sender stopping early), without counting the attempt. */
  async release(token: string): Promise<void> {
    await this.db
      .updateTable('mail_outbox')
      .set((eb) => ({ status: 'pending', claim_token: null, claim_expires_at: null, attempts: eb('attempts', '-', 1) }))
      .where('claim_token', '=', token)
      .where('status', '=', 'sending')
      .execute();
  }

  /** Messages still to send: due now, waiting for a retry, or claimed by a sender. */
  async countUnsent(): Promise<number> {
    const r = await this.db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countsByStatus(period?: string): Promise<Record<string, number>> {
    let q = this.db.selectFrom('mail_outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status');
    if (period) q = q.where('period', '=', period);
    const rows = await q.execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async list(filter: { period?: string; subscriptionId?: number } = {}): Promise<OutboxMessage[]> {
    let q = this.withBodies();
    if (filter.period) q = q.where('o.period', '=', filter.period);
    if (filter.subscriptionId !== undefined) q = q.where('o.subscription_id', '=', filter.subscriptionId);
    return (await q.orderBy('o.id').execute()).map(rowToMessage);
  }
}
