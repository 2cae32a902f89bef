import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * The text of a paper's first PDF pages (the enrichment `pdf` step's, `paper_pdf_text`, migration
 * 1200) joins the keyword index as a field of low weight (issue 17). It is indexed apart from title,
 * abstract and authors — SQLite: its own contentless FTS5 table keyed by the papers' rowid;
 * PostgreSQL: a second tsvector in `paper_search` — so that twenty thousand characters of PDF text
 * neither lengthen the main field's document (FTS5's bm25 normalises by the whole row's length: an
 * enriched paper's title match would have ranked below an unenriched one's) nor move its word
 * statistics.
 *
 * Text that arrives, changes or goes queues its paper for the search indexer like an edit does, and
 * moves the paper's `modified_at`, which the in-memory keyword index of every process follows: the
 * paper's index entry is updated, nothing is rebuilt. Triggers, so every writer of the text is
 * covered. Papers that already have text are queued now.
 */
const STAMP_SQLITE = sql.raw(`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`);

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    await sql`create virtual table papers_pdf_fts using fts5(text, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
    for (const [event, ref] of [
      ['insert', 'new'],
      ['update of text', 'new'],
      ['delete', 'old'],
    ] as const) {
      const name = sql.raw(`paper_pdf_text_search_${event.split(' ')[0]}`);
      const row = sql.raw(ref);
      await sql`create trigger ${name} after ${sql.raw(event)} on paper_pdf_text begin
        update papers set modified_at = ${STAMP_SQLITE} where id = ${row}.paper_id;
        insert into search_pending(paper_rowid) select p.rowid from papers p where p.id = ${row}.paper_id and not exists (select 1 from search_pending where paper_rowid = p.rowid);
      end`.execute(db);
    }
    await sql`insert into search_pending(paper_rowid) select p.rowid from paper_pdf_text t join papers p on p.id = t.paper_id where not exists (select 1 from search_pending where paper_rowid = p.rowid)`.execute(db);
  } else {
    await sql`alter table paper_search add column pdf_vector tsvector`.execute(db);
    await sql`create index paper_search_pdf_idx on paper_search using gin (pdf_vector)`.execute(db);
    await sql`create function paper_pdf_text_search_enqueue() returns trigger language plpgsql as $$
      declare pid text := case when tg_op = 'DELETE' then old.paper_id else new.paper_id end;
      begin
        update papers set modified_at = to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') where id = pid;
        insert into search_pending(paper_id) select id from papers where id = pid on conflict do nothing;
        return null;
      end $$`.execute(db);
    await sql`create trigger paper_pdf_text_search after insert or update of text or delete on paper_pdf_text for each row execute function paper_pdf_text_search_enqueue()`.execute(db);
    await sql`insert into search_pending(paper_id) select paper_id from paper_pdf_text on conflict do nothing`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    for (const t of ['insert', 'update', 'delete']) await sql`drop trigger if exists ${sql.raw(`paper_pdf_text_search_${t}`)}`.execute(db);
    await sql`drop table if exists papers_pdf_fts`.execute(db);
  } else {
    await sql`drop trigger if exists paper_pdf_text_search on paper_pdf_text`.execute(db);
    await sql`drop function if exists paper_pdf_text_search_enqueue()`.execute(db);
    await sql`drop index if exists paper_search_pdf_idx`.execute(db);
    await sql`alter table paper_search drop column if exists pdf_vector`.execute(db);
  }
}
