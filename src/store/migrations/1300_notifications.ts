import { sql, type Kysely } from 'kysely';
import { withAutoId } from './helpers.ts';

/**
 * Notifications (issue 18). One row per (reader, event): `dedupe_key` names the event (a comment,
 * a paper's first day in the top 10, a claim), and the unique (user_id, dedupe_key) makes every
 * writer idempotent — a fan-out re-run after a crash, a reply that also mentions, a second top-10
 * check — with `on conflict do nothing`.
 *
 * `notification_events` is the fan-out queue: posting a comment writes one row there and the
 * notify job turns it into notifications (one INSERT … SELECT for the paper's audience), off the
 * request path, then deletes the row. `paper_watches` are readers following a paper's discussion.
 *
 * Mail: `notification_prefs` holds the kinds a reader wants by mail and a watermark (`mail_after_id`:
 * notifications up to it were considered for a mail); `notification_mail_batches` are the mails,
 * one per reader per hour at most, each enqueued into the outbox once under its own key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db, db.schema.createTable('notifications'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('paper_id', 'text', (c) => c.references('papers.id').onDelete('cascade'))
    .addColumn('comment_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .addColumn('mail_batch_id', 'integer')
    .addUniqueConstraint('notifications_user_dedupe_uq', ['user_id', 'dedupe_key'])
    .execute();
  // The inbox pages newest first by id; the unread count reads only the reader's unread rows.
  await db.schema.createIndex('notifications_user_id_idx').on('notifications').columns(['user_id', 'id']).execute();
  await sql`create index notifications_unread_idx on notifications (user_id) where read_at is null`.execute(db);
  await db.schema.createIndex('notifications_batch_idx').on('notifications').column('mail_batch_id').execute();

  await withAutoId(db, db.schema.createTable('notification_events'))
    .addColumn('comment_id', 'integer', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    // `posted` (reply, mentions, audience) or `edited` (only accounts the edit newly mentions).
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('posted'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('paper_watches')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_watches_pk', ['user_id', 'paper_id'])
    .execute();
  // The fan-out reads a paper's watchers (its upvoters through `upvotes_paper_idx`).
  await db.schema.createIndex('paper_watches_paper_idx').on('paper_watches').column('paper_id').execute();

  await db.schema
    .createTable('notification_prefs')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('email_kinds', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('mail_after_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_mailed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withAutoId(db, db.schema.createTable('notification_mail_batches'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('enqueued_at', 'text')
    .addColumn('outcome', 'text')
    .execute();
  await sql`create index notification_mail_batches_todo_idx on notification_mail_batches (id) where enqueued_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['notification_mail_batches', 'notification_prefs', 'paper_watches', 'notification_events', 'notifications']) await db.schema.dropTable(t).ifExists().execute();
}
