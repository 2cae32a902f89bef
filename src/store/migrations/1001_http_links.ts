import { sql, type Kysely } from 'kysely';

/**
 * Imports used to store any `abs_url`/`pdf_url` they were given (`javascript:…` included). New
 * imports keep only http(s) links; this drops the others already stored: an arXiv paper gets its
 * canonical arXiv URL back, any other paper no link. (Outputs check links again regardless.)
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const [column, base] of [['abs_url', 'https://arxiv.org/abs/'], ['pdf_url', 'https://arxiv.org/pdf/']] as const) {
    const bad = sql`${sql.ref(column)} is not null and lower(${sql.ref(column)}) not like 'http://%' and lower(${sql.ref(column)}) not like 'https://%'`;
    await sql`update papers set ${sql.ref(column)} = case when source = 'arxiv' then ${base} || id else null end where ${bad}`.execute(db);
  }
}

export async function down(): Promise<void> {}
