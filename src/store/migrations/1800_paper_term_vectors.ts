import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * Each paper's TF-IDF term vector under the local model (issue 19), written in the same pass and
 * transaction as its vector (`saveEmbeddings`): similar papers score ~280 candidates a page by it,
 * and analysing their texts on every page was most of a paper page's CPU (BENCHMARKS "Load",
 * round 17). `terms` is the exact float32 vector (`termVectorToBytes`, ~1.35 KB), so a stored
 * vector scores the same as one computed from the text; `content_hash` is the paper's when it was
 * written: another hash now means the text changed and the stored one is not used.
 *
 * A table of its own rather than a column of `paper_embeddings`: with it a vector row would be
 * about 2 KB, past PostgreSQL's TOAST threshold (values compressed or moved out of line, an extra
 * look-up per row read), and every ANN load pages through `paper_embeddings`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('paper_term_vectors')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('embedder_id', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('terms', dialectOf(db) === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_term_vectors_pk', ['embedder_id', 'paper_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('paper_term_vectors').ifExists().execute();
}
