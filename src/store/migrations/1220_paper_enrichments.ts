import type { Kysely } from 'kysely';

/**
 * What the enrichment steps found about a paper (issue 17), beside the paper rather than in it so
 * the import never rewrites them:
 * - `paper_enrichments`: one row per paper — code links (from abstract, comment, PDF text), the
 *   repository shown as "the" code, its GitHub `owner/name`, the LLM TL;DR and keywords with the
 *   model that wrote them, and offline key phrases. Feed pages read it in one query per page.
 * - `github_repos`: stars per repository (shared by the papers that link it), with the ETag of the
 *   last answer so the daily refresh is a conditional request (304 costs no rate limit).
 * - `paper_artifacts`: Hugging Face models, datasets and Spaces that cite the paper.
 * - `llm_calls`: calls to the LLM per UTC day, the daily cap shared by every process.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('paper_enrichments')
    .addColumn('paper_id', 'text', (c) => c.primaryKey().references('papers.id').onDelete('cascade'))
    .addColumn('code_links', 'text')
    .addColumn('code_repo', 'text')
    .addColumn('github_repo', 'text')
    .addColumn('code_at', 'text')
    .addColumn('summary', 'text')
    .addColumn('llm_keywords', 'text')
    .addColumn('summary_model', 'text')
    .addColumn('summary_at', 'text')
    .addColumn('keyphrases', 'text')
    .addColumn('keyphrases_at', 'text')
    .addColumn('artifacts_at', 'text')
    .execute();
  await db.schema.createIndex('paper_enrichments_github_idx').on('paper_enrichments').column('github_repo').execute();

  await db.schema
    .createTable('github_repos')
    // Lower-cased `owner/name`: GitHub names are case-insensitive.
    .addColumn('repo', 'text', (c) => c.primaryKey())
    .addColumn('full_name', 'text')
    .addColumn('stars', 'integer')
    .addColumn('description', 'text')
    .addColumn('etag', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('paper_artifacts')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hub_id', 'text', (c) => c.notNull())
    .addColumn('likes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('downloads', 'integer')
    .addColumn('detail', 'text')
    .addPrimaryKeyConstraint('paper_artifacts_pk', ['paper_id', 'kind', 'hub_id'])
    .execute();

  await db.schema
    .createTable('llm_calls')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('used', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['llm_calls', 'paper_artifacts', 'github_repos', 'paper_enrichments']) await db.schema.dropTable(t).ifExists().execute();
}
