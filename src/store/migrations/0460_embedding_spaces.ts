import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * One row per embedding space (an embedder id: model + version + dimensions): its dimensions, which
 * every stored vector of it must have; how to open its model again for queries; how far embedding
 * the corpus has got; and when it first covered the corpus (from then on search may serve from it).
 * Spaces that already have vectors were serving: they start complete.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('embedding_spaces')
    .addColumn('embedder_id', 'text', (c) => c.primaryKey())
    .addColumn('dimensions', 'integer', (c) => c.notNull())
    /** JSON `{provider, model}`: what to open to embed queries in this space. */
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('papers_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('papers_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_at', 'text')
    .addColumn('complete_at', 'text')
    .execute();
  const bytes = dialectOf(db) === 'sqlite' ? sql`length(vector)` : sql`octet_length(vector)`;
  const now = new Date().toISOString();
  await sql`
    insert into embedding_spaces(embedder_id, dimensions, source, created_at, papers_done, papers_total, progress_at, complete_at)
    select embedder_id, max(${bytes}) / 4, '{}', ${now}, count(*), count(*), ${now}, ${now} from paper_embeddings group by embedder_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('embedding_spaces').ifExists().execute();
}
