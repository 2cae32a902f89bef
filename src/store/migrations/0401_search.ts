import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * Search: the keyword index on each store and the stored embeddings.
 *
 * SQLite: a contentless FTS5 table keyed by the papers' rowid (`porter unicode61`, columns title,
 * abstract, authors; no second copy of the text). PostgreSQL: `paper_search`, a weighted tsvector
 * per paper (title A, abstract B, authors C) with a GIN index. Both are filled by the search
 * indexer from `search_pending`, a queue of changed papers that triggers on `papers` append to:
 * tokenising inside the import's transaction made imports many times slower (bench/fts-import).
 *
 * `paper_embeddings` keeps one vector per (paper, embedder), with the paper's content hash when it
 * was embedded, so a new process rebuilds its ANN index from the store without re-embedding and
 * knows which papers changed since.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  if (dialect === 'sqlite') {
    await sql`create virtual table papers_fts using fts5(title, abstract, authors, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
    // Tokenising inside the import's transaction halved import speed (bench/fts-import), so
    // triggers only queue the changed rowids; the search indexer drains the queue into papers_fts.
    // Not `insert or ignore` in the triggers: an outer upsert's conflict policy overrides a trigger's.
    await sql`create table search_pending (paper_rowid integer primary key)`.execute(db);
    await sql`insert into search_pending(paper_rowid) select rowid from papers`.execute(db);
    await sql`create trigger papers_search_insert after insert on papers begin
      insert into search_pending(paper_rowid) select new.rowid where not exists (select 1 from search_pending where paper_rowid = new.rowid);
    end`.execute(db);
    await sql`create trigger papers_search_update after update of title, abstract, authors on papers begin
      insert into search_pending(paper_rowid) select new.rowid where not exists (select 1 from search_pending where paper_rowid = new.rowid);
    end`.execute(db);
    await sql`create trigger papers_search_delete after delete on papers begin
      insert into search_pending(paper_rowid) select old.rowid where not exists (select 1 from search_pending where paper_rowid = old.rowid);
    end`.execute(db);
  } else {
    // The same queue on PostgreSQL: a generated tsvector column made imports 2.5-4× slower.
    await sql`create table paper_search (
      paper_id text primary key references papers(id) on delete cascade,
      search_vector tsvector not null
    )`.execute(db);
    await sql`create index paper_search_vector_idx on paper_search using gin (search_vector)`.execute(db);
    await sql`create table search_pending (paper_id text primary key)`.execute(db);
    await sql`insert into search_pending(paper_id) select id from papers`.execute(db);
    await sql`create function papers_search_enqueue() returns trigger language plpgsql as $$
      begin
        insert into search_pending(paper_id) values (new.id) on conflict do nothing;
        return null;
      end $$`.execute(db);
    await sql`create trigger papers_search_insert after insert on papers for each row execute function papers_search_enqueue()`.execute(db);
    await sql`create trigger papers_search_update after update of title, abstract, authors on papers for each row execute function papers_search_enqueue()`.execute(db);
  }

  await db.schema
    .createTable('paper_embeddings')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('embedder_id', 'text', (c) => c.notNull())
    /** Stable integer key for the ANN index (usearch keys are integers). */
    .addColumn('key', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.notNull())
    .addColumn('vector', dialect === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('embedded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_embeddings_pk', ['embedder_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('paper_embeddings_key_idx').on('paper_embeddings').columns(['embedder_id', 'key']).execute();
  await db.schema.createIndex('paper_embeddings_time_idx').on('paper_embeddings').columns(['embedder_id', 'embedded_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('paper_embeddings').ifExists().execute();
  if (dialectOf(db) === 'sqlite') {
    for (const t of ['papers_search_insert', 'papers_search_update', 'papers_search_delete']) await sql`drop trigger if exists ${sql.raw(t)}`.execute(db);
    await sql`drop table if exists search_pending`.execute(db);
    await sql`drop table if exists papers_fts`.execute(db);
  } else {
    await sql`drop trigger if exists papers_search_insert on papers`.execute(db);
    await sql`drop trigger if exists papers_search_update on papers`.execute(db);
    await sql`drop function if exists papers_search_enqueue()`.execute(db);
    await sql`drop table if exists search_pending`.execute(db);
    await sql`drop table if exists paper_search`.execute(db);
  }
}
