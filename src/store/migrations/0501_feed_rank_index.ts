import type { Kysely } from 'kysely';

/**
 * Feed pages rank a day's papers by upvotes and skip hidden or deleted ones. This index holds
 * exactly those columns, keyed by id, so ranking a day (and counting it) reads the index instead
 * of each paper's whole row with its abstract.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('papers_feed_rank_idx').on('papers').columns(['id', 'hidden', 'deleted', 'upvotes']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('papers_feed_rank_idx').ifExists().execute();
}
