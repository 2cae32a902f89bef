import type { Kysely } from 'kysely';
import { withAutoId } from './helpers.ts';

/**
 * Subscriptions, the digest outbox and the mail signing key. The outbox's unique
 * (subscription_id, period) makes each digest exist once; `claim_token`/`claim_expires_at` let
 * several senders share it, and let a sender that crashed be taken over after its claim expires.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db, db.schema.createTable('mail_subscriptions'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('frequency', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('personal_picks', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('bounces', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('confirm_sent_at', 'text')
    .addColumn('unsubscribed_at', 'text')
    .execute();
  await db.schema.createIndex('mail_subscriptions_status_idx').on('mail_subscriptions').columns(['status', 'frequency']).execute();
  await db.schema.createIndex('mail_subscriptions_user_idx').on('mail_subscriptions').column('user_id').execute();

  // Status columns and bodies live apart: SQLite rewrites a whole row on every UPDATE and reads
  // past large values to reach later columns, so a claim or "sent" would otherwise copy ~16 kB.
  await withAutoId(db, db.schema.createTable('mail_outbox'))
    .addColumn('subscription_id', 'integer', (c) => c.notNull().references('mail_subscriptions.id').onDelete('cascade'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('to_email', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claim_token', 'text')
    .addColumn('claim_expires_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('paper_ids', 'text', (c) => c.notNull())
    .addUniqueConstraint('mail_outbox_sub_period_uq', ['subscription_id', 'period'])
    .execute();
  await db.schema.createIndex('mail_outbox_due_idx').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('mail_outbox_claim_idx').on('mail_outbox').column('claim_token').execute();
  await db.schema.createIndex('mail_outbox_period_idx').on('mail_outbox').column('period').execute();

  await db.schema
    .createTable('mail_outbox_bodies')
    .addColumn('outbox_id', 'integer', (c) => c.primaryKey().references('mail_outbox.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mail_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['mail_outbox_bodies', 'mail_outbox', 'mail_secrets', 'mail_subscriptions']) await db.schema.dropTable(t).ifExists().execute();
}
