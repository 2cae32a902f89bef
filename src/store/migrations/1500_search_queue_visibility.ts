import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * A paper hidden, shown again, withdrawn or restored is queued for the full-text index like an
 * edited one. Until now only title, abstract and authors queued it, so the in-memory keyword index,
 * which follows the queue, never saw a paper shown again after moderation until its background
 * refresh (found by the keyword-engine contract suite). Re-indexing one row per moderation costs nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await recreate(db, 'title, abstract, authors, hidden, deleted');
}

export async function down(db: Kysely<any>): Promise<void> {
  await recreate(db, 'title, abstract, authors');
}

async function recreate(db: Kysely<any>, columns: string): Promise<void> {
  await sql`drop trigger if exists papers_search_update${dialectOf(db) === 'postgres' ? sql` on papers` : sql``}`.execute(db);
  if (dialectOf(db) === 'sqlite') {
    await sql`create trigger papers_search_update after update of ${sql.raw(columns)} on papers begin
      insert into search_pending(paper_rowid) select new.rowid where not exists (select 1 from search_pending where paper_rowid = new.rowid);
    end`.execute(db);
  } else {
    await sql`create trigger papers_search_update after update of ${sql.raw(columns)} on papers for each row execute function papers_search_enqueue()`.execute(db);
  }
}
