import { sql, type Kysely } from 'kysely';

/**
 * Library imports match entries to papers by DOI, compared without case (DOIs are
 * case-insensitive): an expression index on lower(doi), for the papers that have one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists papers_doi_lower_idx on papers (lower(doi)) where doi is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists papers_doi_lower_idx`.execute(db);
}
