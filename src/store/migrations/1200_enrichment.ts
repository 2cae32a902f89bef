import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * Enrichment (issue 17): the state of each step for each paper, the hosts steps call (so a
 * Retry-After outlives the run that heard it), and what the PDF step keeps: the first pages' text
 * and the two thumbnails, addressed by the hash of their bytes. Images live in the store, not
 * under ./data, so every server on one PostgreSQL serves the same thumbnails.
 *
 * A paper without a state row for a step is due for it: imports and harvests write nothing here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = dialectOf(db) === 'sqlite' ? 'blob' : 'bytea';
  await db.schema
    .createTable('enrichment_state')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text')
    .addColumn('next_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('enrichment_state_pk', ['paper_id', 'step'])
    .execute();
  // The runner's "what is due" look-ups: retries and refreshes by time, per step.
  await db.schema.createIndex('enrichment_state_due').on('enrichment_state').columns(['step', 'next_at']).execute();
  await db.schema
    .createTable('enrichment_hosts')
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('blocked_until', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createTable('paper_pdf_text')
    .addColumn('paper_id', 'text', (c) => c.primaryKey().references('papers.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('pages', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('paper_thumbnails')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('paper_thumbnails_paper').on('paper_thumbnails').columns(['paper_id', 'size']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['paper_thumbnails', 'paper_pdf_text', 'enrichment_hosts', 'enrichment_state']) await db.schema.dropTable(t).ifExists().execute();
}
