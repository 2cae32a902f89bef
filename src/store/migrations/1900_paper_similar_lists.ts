import type { Kysely } from 'kysely';

/**
 * Each paper's similar papers as computed (issue 19): the best `SIMILAR_LIST_SIZE` candidates with
 * their scores, written by `paperboy reindex` and by the background similar-lists job (and after a
 * paper page computed one), so that a paper page is two indexed reads instead of scoring ~280
 * candidates (~60 ms of serve and database CPU a page, BENCHMARKS "Load", round 19). The
 * visible-paper rule is applied when the list is read, never here: a paper hidden after the list
 * was written never shows. `content_hash` is the paper's when the list was computed (another hash
 * now: its text changed, the list is not used); `computed_at` orders the background refresh.
 * `list` is `[[id, score], …]` as JSON, best first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('paper_similar_lists')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('embedder_id', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('list', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_similar_lists_pk', ['embedder_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('paper_similar_lists_age').on('paper_similar_lists').columns(['embedder_id', 'computed_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('paper_similar_lists').ifExists().execute();
}
