import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { dialectOf, textIn, type DialectName } from './dialect.ts';
import { EmbeddingSpaceMismatch, mismatchMessage } from './embedding-spaces.ts';
import { visiblePaper } from './visibility.ts';
import type { SqliteBulk } from './sqlite-bulk.ts';
import { startFullTextSideBuild, type FullTextSideBuild } from './full-text-side-build.ts';
import { nextSlice } from '../slices.ts';
import { readModelInThread } from './model-read-thread.ts';
import type { FieldWeights, SearchFilters, SearchSort, TextQuery } from '../domain/search-query.ts';

/** How much of a stored model one statement reads (`loadModel`). */
const MODEL_PIECE_BYTES = 1 << 20;

/**
 * The SQL of search: full-text queries (FTS5 on SQLite, weighted tsvector on PostgreSQL), the
 * SQLite full-text queue, and stored embeddings. Callers pass a `TextQuery` (already parsed and
 * reduced to letters and digits by src/search/query.ts); values always travel as parameters.
 */

export interface StoredEmbedding {
  key: number;
  paperId: string;
  vector: Float32Array;
}

/** What a paper is embedded from (its title and abstract), and the hash its vector is stored with. */
export interface PaperText {
  id: string;
  title: string;
  abstract: string;
  contentHash: string;
}

/**
 * SQLite: a full-text catch-up of at least this many new papers (a first import) is written as a
 * bulk load (`drainFullTextQueue`). FTS5 merges a level's segments once `automerge` of them are
 * there: 16 instead of the default 4 cost 200,000 papers' catch-up 17 % less CPU (BENCHMARKS, 2.5M).
 */
export const BULK_CATCH_UP = 50_000;
/** PostgreSQL: the name of a first import's walk of `papers` in `search_backfill` (migration 2100). */
export const BACKFILL = 'papers';
/** Rows per transaction of a small full-text catch-up on SQLite (a harvest's worth, `drainFullTextQueue`). */
const DRAIN_SLICE_ROWS = 20;
/** How many rows of a catch-up go DRAIN_SLICE_ROWS at a time before the caller's batch size. */
const DRAIN_SLICED_ROWS = 1000;
const DEFAULT_AUTOMERGE = 4;
const BULK_AUTOMERGE = 16;

const quote = (words: string[]) => `"${words.join(' ')}"`;

/** FTS5 MATCH expression: required phrases/authors AND (any term), minus exclusions. Tokens are letters/digits only. */
export function fts5Expression(q: TextQuery): string | null {
  const required = [...q.phrases.map(quote), ...q.authors.map((a) => `authors : ${quote(a)}`)];
  const any = q.terms.map((t) => quote([t]));
  let positive: string;
  if (required.length && any.length) positive = [...required.map((r) => `(${r})`), `(${[...any, required[0]].join(' OR ')})`].join(' AND ');
  else if (required.length) positive = required.map((r) => `(${r})`).join(' AND ');
  else if (any.length) positive = any.join(' OR ');
  else return null;
  const negative = q.excluded.map((e) => ` NOT ${quote(e)}`).join('');
  return negative ? `(${positive})${negative}` : positive;
}

/**
 * FTS5 MATCH expression over the PDF text: any of the query's words. Only words reach the PDF
 * field: phrases, `author:` and exclusions look at title, abstract and authors, the text a reader
 * sees in a result (a paper is not left out for a word its references mention).
 */
function fts5PdfExpression(q: TextQuery): string | null {
  return q.terms.length ? q.terms.map((t) => quote([t])).join(' OR ') : null;
}

function ftsExcludedExpression(q: TextQuery): string | null {
  return q.excluded.length ? q.excluded.map(quote).join(' OR ') : null;
}

/** tsquery built from SQL functions over parameters; null when the query has nothing to match. */
function tsPositive(q: TextQuery): RawBuilder<unknown> | null {
  const required: RawBuilder<unknown>[] = [
    ...q.phrases.map((p) => sql`phraseto_tsquery('english', ${p.join(' ')})`),
    ...q.authors.map((a) => sql`to_tsquery('english', ${a.map((w) => `${w}:C`).join(' <-> ')})`),
  ];
  const any = q.terms.map((t) => sql`plainto_tsquery('english', ${t})`);
  const parts: RawBuilder<unknown>[] = [...required];
  if (any.length) parts.push(required.length ? sql`(${sql.join([...any, required[0]], sql` || `)})` : sql`(${sql.join(any, sql` || `)})`);
  if (!parts.length) return null;
  return sql`(${sql.join(parts, sql` && `)})`;
}

/** The PDF field's tsquery: any of the query's words (see `fts5PdfExpression`). */
function tsPdf(q: TextQuery): RawBuilder<unknown> | null {
  return q.terms.length ? sql`(${sql.join(q.terms.map((t) => sql`plainto_tsquery('english', ${t})`), sql` || `)})` : null;
}

function tsNegative(q: TextQuery): RawBuilder<unknown> | null {
  if (!q.excluded.length) return null;
  return sql`(${sql.join(
    q.excluded.map((e) => (e.length > 1 ? sql`phraseto_tsquery('english', ${e.join(' ')})` : sql`plainto_tsquery('english', ${e[0]})`)),
    sql` || `,
  )})`;
}

/**
 * PostgreSQL: the weighted document vector of paper `p`. `||` numbers the second field's words
 * straight after the first's, so "methods kernel" matched a title ending in "methods" and an
 * abstract starting with "Kernel": a lexeme no query can produce (`~`) sits between the fields, as
 * FTS5's separate columns do on SQLite (migration 1501 re-queues stored vectors).
 */
const FIELD_GAP = sql.raw(`$$'~':1$$::tsvector`);
function tsvectorSql(): RawBuilder<unknown> {
  return sql`setweight(to_tsvector('english'::regconfig, p.title), 'A') || ${FIELD_GAP} || setweight(to_tsvector('english'::regconfig, p.abstract), 'B') || ${FIELD_GAP} || setweight(to_tsvector('english'::regconfig, p.authors), 'C')`;
}

/** PostgreSQL: the PDF field's vector, from `paper_pdf_text` joined as `x` (null without text). */
function pdfTsvectorSql(): RawBuilder<unknown> {
  return sql`to_tsvector('english'::regconfig, x.text)`;
}

function filterSql(f: SearchFilters, alias = 'p'): RawBuilder<unknown> {
  const a = sql.raw(alias);
  const parts: RawBuilder<unknown>[] = [visiblePaper(alias)];
  if (f.from) parts.push(sql`substr(coalesce(${a}.published_at, ''), 1, 10) >= ${f.from}`);
  if (f.to) parts.push(sql`${a}.published_at is not null and substr(${a}.published_at, 1, 10) <= ${f.to}`);
  if (f.categories.length) {
    parts.push(sql`(${sql.join(f.categories.map((c) => sql`lower(${a}.categories) like ${`%"${c.toLowerCase()}"%`}`), sql` or `)})`);
  }
  return sql.join(parts, sql` and `);
}

/** One page of results: `limit` rows after the first `offset` (the order must be total: every order ends on the id). */
export interface ResultPage {
  limit: number;
  offset?: number;
}

function pageSql(page: ResultPage): RawBuilder<unknown> {
  const limit = Math.max(0, Math.floor(page.limit));
  const offset = Math.max(0, Math.floor(page.offset ?? 0));
  return offset ? sql`limit ${limit} offset ${offset}` : sql`limit ${limit}`;
}

function orderSql(sort: SearchSort, scored: boolean): RawBuilder<unknown> {
  const score = scored ? sql`score desc, ` : sql``;
  if (sort === 'date') return sql`coalesce(p.published_at, '') desc, ${score}p.id desc`;
  if (sort === 'upvotes') return sql`p.upvotes desc, ${score}coalesce(p.published_at, '') desc, p.id desc`;
  return scored ? sql`score desc, p.id asc` : sql`coalesce(p.published_at, '') desc, p.id desc`;
}

/** Whether this machine stores a Float32Array's elements little-endian (then its bytes are the stored form as they are). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Little-endian float32 bytes, the same on both stores. On a little-endian machine (every one this
 * runs on) a copy of the array's bytes: a `writeFloatLE` per element cost a reindex 10 million calls.
 */
export function vectorToBytes(v: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const out = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i], i * 4);
  return out;
}

export function bytesToVector(b: Uint8Array): Float32Array {
  // Copied: the row's bytes need not sit at a 4-byte boundary of their buffer.
  if (LITTLE_ENDIAN && b.byteLength % 4 === 0) return new Float32Array(Uint8Array.from(b).buffer);
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}


export class SearchRepository {
  readonly dialect: DialectName;

  constructor(
    private readonly db: Kysely<Database>,
    /** Prepared statements on SQLite (absent on PostgreSQL): `saveEmbeddings` writes its rows through one. */
    private readonly bulk?: SqliteBulk,
  ) {
    this.dialect = dialectOf(db);
  }

  /**
   * Keyword search: ids with a relevance score (higher is better), `limit` of them after skipping
   * `offset` (paging). The score is the main fields' plus the PDF field's times `w.pdfText`; a paper
   * matches by its main fields, or — when the query has no phrase or author to require — by a word
   * of its PDF text alone.
   */
  async keyword(q: TextQuery, f: SearchFilters, sort: SearchSort, page: ResultPage, w: FieldWeights): Promise<{ id: string; score: number }[]> {
    const required = q.phrases.length > 0 || q.authors.length > 0;
    if (this.dialect === 'sqlite') {
      const expr = fts5Expression(q);
      if (!expr) return [];
      const pdf = fts5PdfExpression(q);
      const main = sql`select rowid as r, -bm25(papers_fts, ${w.title}, ${w.abstract}, ${w.authors}) as score, 1 as main from papers_fts where papers_fts match ${expr}`;
      // The PDF field's scores are added per paper; `main` marks rows the main fields matched: with a
      // phrase or author to require, only those count. (Without the union, SQLite would flatten the
      // subquery into the aggregate, where bm25() cannot run.)
      const x = pdf
        ? sql`select r, sum(score) as score from (${main} union all select rowid, -bm25(papers_pdf_fts) * ${w.pdfText}, 0 from papers_pdf_fts where papers_pdf_fts match ${pdf}) group by r${required ? sql` having max(main) = 1` : sql``}`
        : main;
      const r = await sql<{ id: string; score: number }>`
        with x as (${x})
        select p.id as id, x.score as score from x join papers p on p.rowid = x.r
        where ${filterSql(f)} ${this.excludeSql(q)}
        order by ${orderSql(sort, true)} ${pageSql(page)}`.execute(this.db);
      return r.rows.map((x) => ({ id: x.id, score: Number(x.score) }));
    }
    const pos = tsPositive(q);
    if (!pos) return [];
    const neg = tsNegative(q);
    const pdf = tsPdf(q);
    const max = Math.max(w.title, w.abstract, w.authors) || 1;
    const weights = `{0,${w.authors / max},${w.abstract / max},${w.title / max}}`;
    const main = sql`case when s.search_vector @@ tq.pos then ts_rank(${weights}::float4[], s.search_vector, tq.pos) else 0 end`;
    const score = pdf ? sql`${main} + case when s.pdf_vector @@ tq.pdf then ts_rank('{1,1,1,1}'::float4[], s.pdf_vector, tq.pdf) * ${w.pdfText / max} else 0 end` : main;
    const r = await sql<{ id: string; score: number }>`
      select p.id as id, ${score} as score
      from paper_search s join papers p on p.id = s.paper_id, (select ${pos} as pos${pdf ? sql`, ${pdf} as pdf` : sql``}${neg ? sql`, ${neg} as neg` : sql``}) tq
      where ${this.tsMatch(pdf !== null && !required)} ${neg ? sql`and not (s.search_vector @@ tq.neg)` : sql``} and ${filterSql(f)}
      order by ${orderSql(sort, true)} ${pageSql(page)}`.execute(this.db);
    return r.rows.map((x) => ({ id: x.id, score: Number(x.score) }));
  }

  /** PostgreSQL: the row matches by its main fields, or (`orPdf`) by its PDF text. */
  private tsMatch(orPdf: boolean): RawBuilder<unknown> {
    return orPdf ? sql`(s.search_vector @@ tq.pos or s.pdf_vector @@ tq.pdf)` : sql`s.search_vector @@ tq.pos`;
  }

  /** How many papers `keyword` would return without a limit, counting at most `cap`. */
  async keywordCount(q: TextQuery, f: SearchFilters, cap: number): Promise<number> {
    const required = q.phrases.length > 0 || q.authors.length > 0;
    let inner: RawBuilder<unknown>;
    if (this.dialect === 'sqlite') {
      const expr = fts5Expression(q);
      if (!expr) return 0;
      const pdf = required ? null : fts5PdfExpression(q);
      inner = sql`select 1 from (select rowid as r from papers_fts where papers_fts match ${expr}${pdf ? sql` union select rowid from papers_pdf_fts where papers_pdf_fts match ${pdf}` : sql``}) u
        join papers p on p.rowid = u.r where ${filterSql(f)} ${this.excludeSql(q)} limit ${cap}`;
    } else {
      const pos = tsPositive(q);
      if (!pos) return 0;
      const neg = tsNegative(q);
      const pdf = required ? null : tsPdf(q);
      inner = sql`select 1 from paper_search s join papers p on p.id = s.paper_id, (select ${pos} as pos${pdf ? sql`, ${pdf} as pdf` : sql``}${neg ? sql`, ${neg} as neg` : sql``}) tq
        where ${this.tsMatch(pdf !== null)} ${neg ? sql`and not (s.search_vector @@ tq.neg)` : sql``} and ${filterSql(f)} limit ${cap}`;
    }
    const r = await sql<{ n: number | string }>`select count(*) as n from (${inner}) c`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  /** How many papers `browse` would return without a limit, counting at most `cap`. */
  async browseCount(q: TextQuery, f: SearchFilters, cap: number): Promise<number> {
    const exclude = this.excludeSql(q);
    const r = await sql<{ n: number | string }>`select count(*) as n from (select 1 from papers p where ${filterSql(f)} ${exclude} limit ${cap}) c`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  /** `and <paper p contains none of the excluded words>`, or nothing. */
  private excludeSql(q: TextQuery): RawBuilder<unknown> {
    if (this.dialect === 'sqlite') {
      const ex = ftsExcludedExpression(q);
      return ex ? sql`and p.rowid not in (select rowid from papers_fts where papers_fts match ${ex})` : sql``;
    }
    const neg = tsNegative(q);
    return neg ? sql`and not exists (select 1 from paper_search s where s.paper_id = p.id and s.search_vector @@ ${neg})` : sql``;
  }

  /** Papers matching only filters (no words): newest first, or by upvotes; exclusions still apply. Paged like `keyword`. */
  async browse(q: TextQuery, f: SearchFilters, sort: SearchSort, page: ResultPage): Promise<{ id: string; score: number }[]> {
    const exclude = this.excludeSql(q);
    const r = await sql<{ id: string }>`
      select p.id as id from papers p where ${filterSql(f)} ${exclude}
      order by ${orderSql(sort, false)} ${pageSql(page)}`.execute(this.db);
    return r.rows.map((x) => ({ id: x.id, score: 0 }));
  }

  /**
   * Writes queued papers into the full-text index; returns the ids it (re)indexed, so an in-memory
   * index in this process can follow exactly those. Safe to run from several processes.
   */
  async drainFullTextQueue(batch = 5000, opts: { bulkFrom?: number } = {}): Promise<string[]> {
    // Before nearly every search the queue is empty: one read says so without the transaction (its
    // begin, two reads and commit were a quarter of the statements of a search request).
    if (this.dialect === 'sqlite' && !(await this.sqliteQueueHasWork())) return [];
    const ids: string[] = [];
    // SQLite, a backlog of new papers the size of a first import: FTS5 merges its segments 16 at a
    // time instead of 4 while it is written (each posting rewritten fewer times), then the default
    // is restored and later writes merge what is left a little at a time.
    const bulk = this.dialect === 'sqlite' && (await this.freshBacklog()) >= (opts.bulkFrom ?? BULK_CATCH_UP);
    if (bulk) await this.setAutomerge(BULK_AUTOMERGE);
    // A bulk load that was killed, or failed (the serving process's batches do not wait for another
    // process's write lock, `withoutLockWait`), never restored the default: the next catch-up does.
    else if (this.dialect === 'sqlite' && (await this.automergeLeftOver())) await this.setAutomerge(DEFAULT_AUTOMERGE);
    try {
      for (;;) {
        // SQLite writes the full-text rows on this thread, ~0.5 ms a paper at the real corpus'
        // lengths: a harvest's 300 papers in one transaction held a serving process's request thread
        // 150 ms (BENCHMARKS "Background jobs", round 21). The first DRAIN_SLICED_ROWS go
        // DRAIN_SLICE_ROWS a transaction, with the loop handed back between them; a larger backlog
        // (an import's) then goes `batch` at a time, as small transactions cost it 2–3× the CPU.
        const size = this.dialect === 'sqlite' && !bulk && ids.length < DRAIN_SLICED_ROWS ? Math.min(batch, DRAIN_SLICE_ROWS) : batch;
        const { taken, more } = this.dialect === 'sqlite' ? await this.drainSqlite(size) : await this.drainPostgres(batch);
        ids.push(...taken);
        if (!more) return ids;
        await nextSlice();
      }
    } finally {
      if (bulk) await this.setAutomerge(DEFAULT_AUTOMERGE);
    }
  }

  /**
   * SQLite, a store whose full-text index is empty (a first import, or one killed before its index
   * was written): starts filling the index in a thread beside the import (`full-text-side-build.ts`).
   * Null on PostgreSQL, in memory, or when the index already holds papers (then the catch-up after
   * the import writes only the new ones, as before).
   */
  async startFullTextSideBuild(): Promise<FullTextSideBuild | null> {
    const file = this.bulk?.raw.name;
    if (this.dialect !== 'sqlite' || !file || file === ':memory:' || this.bulk?.raw.memory) return null;
    const r = await sql<{ empty: number }>`select (select indexed_rowid from search_state) = 0 and not exists (select 1 from papers_fts_docsize) and not exists (select 1 from papers_pdf_fts_docsize) as empty`.execute(this.db);
    return Number(r.rows[0]?.empty) === 1 ? startFullTextSideBuild(file) : null;
  }

  /** SQLite: how many papers lie above the full-text index's high-water mark (an index look-up, not a count). */
  private async freshBacklog(): Promise<number> {
    const r = await sql<{ n: number }>`select coalesce((select max(rowid) from papers), 0) - (select indexed_rowid from search_state) as n`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }

  /** SQLite: FTS5's `automerge` of both full-text tables (kept in their config tables, so every connection follows it). */
  private async setAutomerge(n: number): Promise<void> {
    for (const t of ['papers_fts', 'papers_pdf_fts']) await sql`insert into ${sql.raw(t)}(${sql.raw(t)}, rank) values ('automerge', ${sql.raw(String(Math.floor(n)))})`.execute(this.db);
  }

  /** SQLite: whether a full-text table still merges as a bulk load left it (FTS5 keeps `automerge` in its config table). */
  private async automergeLeftOver(): Promise<boolean> {
    const r = await sql<{ n: number }>`select count(*) as n from (select v from papers_fts_config where k = 'automerge' union all select v from papers_pdf_fts_config where k = 'automerge') where v <> ${DEFAULT_AUTOMERGE}`.execute(this.db);
    return Number(r.rows[0]?.n) > 0;
  }

  /** Whether a drain would find anything: a queued paper, or one above the high-water mark (the two reads `drainSqlite` starts with). */
  private async sqliteQueueHasWork(): Promise<boolean> {
    const r = await sql<{ work: number }>`select (exists (select 1 from search_pending) or exists (select 1 from papers where rowid > (select indexed_rowid from search_state))) as work`.execute(this.db);
    return Number(r.rows[0]?.work) === 1;
  }

  /** One batch: changed papers from the queue, and new ones above the high-water mark (migration 0402). */
  private drainSqlite(batch: number): Promise<{ taken: string[]; more: boolean }> {
    return this.db.transaction().execute((trx) => this.drainSqliteBatch(trx, batch));
  }

  private async drainSqliteBatch(trx: Kysely<Database>, batch: number): Promise<{ taken: string[]; more: boolean }> {
    {
      const queued = (await sql<{ r: number }>`select paper_rowid as r from search_pending order by paper_rowid limit ${batch}`.execute(trx)).rows.map((x) => x.r);
      const fresh = (
        await sql<{ r: number }>`select rowid as r from papers where rowid > (select indexed_rowid from search_state) order by rowid limit ${batch}`.execute(trx)
      ).rows.map((x) => x.r);
      const rowids = [...new Set([...queued, ...fresh])];
      if (!rowids.length) return { taken: [], more: false };
      const list = sql.join(rowids.map((i) => sql`${i}`));
      await sql`delete from papers_fts where rowid in (${list})`.execute(trx);
      await sql`insert into papers_fts(rowid, title, abstract, authors) select rowid, title, abstract, authors from papers where rowid in (${list})`.execute(trx);
      await sql`delete from papers_pdf_fts where rowid in (${list})`.execute(trx);
      await sql`insert into papers_pdf_fts(rowid, text) select p.rowid, t.text from papers p join paper_pdf_text t on t.paper_id = p.id where p.rowid in (${list})`.execute(trx);
      if (queued.length) await sql`delete from search_pending where paper_rowid in (${sql.join(queued.map((i) => sql`${i}`))})`.execute(trx);
      if (fresh.length) await sql`update search_state set indexed_rowid = ${fresh[fresh.length - 1]} where indexed_rowid < ${fresh[fresh.length - 1]}`.execute(trx);
      const taken = (await sql<{ id: string }>`select id from papers where rowid in (${list})`.execute(trx)).rows.map((x) => x.id);
      return { taken, more: queued.length === batch || fresh.length === batch };
    }
  }

  /**
   * One statement: a batch of queued papers (skipping rows another indexer holds) and, while a
   * first import's walk is open (`search_backfill`, migration 2100), the next `batch` papers past
   * its cursor; writes their vectors and moves the cursor, or closes the walk once it finds none.
   */
  private async drainPostgres(batch: number): Promise<{ taken: string[]; more: boolean }> {
    const r = await sql<{ paper_id: string; walked: number }>`
      with taken as (
        delete from search_pending where paper_id in (select paper_id from search_pending limit ${batch} for update skip locked)
        returning paper_id
      ), mark as (
        select after_id from search_backfill where name = ${BACKFILL} for update skip locked
      ), walked as (
        -- A scalar cursor, so the primary key's scan starts there; with no walk open it is null
        -- and the scan reads nothing (a join to an empty mark read every key: 34 ms at 75k, before each search).
        select p.id from papers p where p.id > (select after_id from mark) order by p.id limit ${batch}
      ), moved as (
        update search_backfill set after_id = (select max(id) from walked) where name = ${BACKFILL} and exists (select 1 from walked) returning 1
      ), closed as (
        delete from search_backfill where name = ${BACKFILL} and exists (select 1 from mark) and not exists (select 1 from walked) returning 1
      ), ids as (
        select paper_id from taken union select id from walked
      ), written as (
        insert into paper_search(paper_id, search_vector, pdf_vector)
        select p.id, ${tsvectorSql()}, ${pdfTsvectorSql()} from papers p join ids t on t.paper_id = p.id left join paper_pdf_text x on x.paper_id = p.id
        on conflict (paper_id) do update set search_vector = excluded.search_vector, pdf_vector = excluded.pdf_vector
        returning 1
      )
      select paper_id, (select count(*) from walked)::int as walked from ids`.execute(this.db);
    const taken = r.rows.map((x) => x.paper_id);
    // A walk that moved goes on (its next batch, or the statement that closes it).
    return { taken, more: taken.length >= batch || Number(r.rows[0]?.walked ?? 0) > 0 };
  }

  /** The kept PDF text of these papers (the `pdf` enrichment step's), for the in-memory keyword index. */
  async pdfTexts(paperIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < paperIds.length; i += 500) {
      const rows = await this.db.selectFrom('paper_pdf_text').select(['paper_id', 'text']).where('paper_id', 'in', paperIds.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.paper_id, r.text);
    }
    return out;
  }

  async pendingFullText(): Promise<number> {
    const r =
      this.dialect === 'sqlite'
        ? await sql<{ n: number }>`select (select count(*) from search_pending) + (select count(*) from papers where rowid > (select indexed_rowid from search_state) and rowid not in (select paper_rowid from search_pending)) as n`.execute(this.db)
        : await sql<{ n: number }>`select (select count(*) from search_pending) + (select count(*) from papers p where p.id > (select after_id from search_backfill where name = ${BACKFILL})) as n`.execute(this.db);
    return Number(r.rows[0].n);
  }

  /** Rebuilds the whole full-text index from `papers`; returns the number of papers indexed. */
  async rebuildFullText(): Promise<number> {
    if (this.dialect === 'sqlite') {
      await this.db.transaction().execute(async (trx) => {
        await sql`delete from papers_fts`.execute(trx);
        await sql`delete from search_pending`.execute(trx);
        await sql`update search_state set indexed_rowid = (select coalesce(max(rowid), 0) from papers)`.execute(trx);
        await sql`insert into papers_fts(rowid, title, abstract, authors) select rowid, title, abstract, authors from papers`.execute(trx);
        await sql`delete from papers_pdf_fts`.execute(trx);
        await sql`insert into papers_pdf_fts(rowid, text) select p.rowid, t.text from papers p join paper_pdf_text t on t.paper_id = p.id`.execute(trx);
      });
      await sql`insert into papers_fts(papers_fts) values ('optimize')`.execute(this.db);
    } else {
      await this.db.transaction().execute(async (trx) => {
        await sql`delete from search_pending`.execute(trx);
        await sql`delete from search_backfill`.execute(trx);
        await sql`delete from paper_search`.execute(trx);
        await sql`insert into paper_search(paper_id, search_vector, pdf_vector) select p.id, ${tsvectorSql()}, ${pdfTsvectorSql()} from papers p left join paper_pdf_text x on x.paper_id = p.id`.execute(trx);
      });
    }
    const r = await this.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  // --- embeddings -----------------------------------------------------------------------------

  /**
   * Papers with no vector from this embedder, or one made before their text changed, in id order.
   * `afterId` continues from the previous batch: without it every batch re-reads the papers already
   * embedded, which made a full reindex quadratic.
   *
   * On SQLite the walk goes `sliceRows` papers (by id) per statement, handing the event loop back
   * between them: when few papers are pending, one statement scanned all of them — 201 ms of a
   * serving process's request thread at 74,728 papers, each minute, for the embedding job's check
   * (`hasPending`) alone (BENCHMARKS "Background jobs", round 20).
   */
  async papersToEmbed(embedderId: string, limit: number, afterId?: string, sliceRows = 2_000, opts: { textFor?: (id: string, contentHash: string) => boolean } = {}): Promise<PaperText[]> {
    const { textFor } = opts;
    const toText = (r: { id: string; title: string; abstract: string; content_hash: string }): PaperText => ({ id: r.id, title: r.title, abstract: r.abstract, contentHash: r.content_hash });
    // With `textFor`, the list is ids and content hashes only: a reindex embeds nearly every paper
    // from the keyword build's analysis, and reading every title and abstract again here was the
    // largest read of its embedding phase (BENCHMARKS "Round 26 (branch `reindex-margin-3`)").
    const pending = (after: string | undefined, upTo: string | undefined, n: number): Promise<PaperText[]> =>
      textFor
        ? this.toEmbed(embedderId, after, upTo)
            .select(['p.id', 'p.content_hash'])
            .orderBy('p.id')
            .limit(n)
            .execute()
            .then((rows) => rows.map((r) => ({ id: r.id, title: '', abstract: '', contentHash: r.content_hash })))
        : this.toEmbed(embedderId, after, upTo).select(['p.id', 'p.title', 'p.abstract', 'p.content_hash']).orderBy('p.id').limit(n).execute().then((rows) => rows.map(toText));
    let out: PaperText[];
    if (dialectOf(this.db) !== 'sqlite') out = await pending(afterId, undefined, limit);
    else {
      out = [];
      for await (const [after, upTo] of this.idSlices(afterId, sliceRows)) {
        for (const r of await pending(after, upTo, limit - out.length)) out.push(r);
        if (out.length >= limit) break;
      }
    }
    return textFor ? this.withTextsWhere(out, textFor) : out;
  }

  /**
   * `papers` with the title and abstract of those `textFor` asks for, read (1,000 ids a statement)
   * with the content hash they were read at: a paper changed since it was listed is embedded from
   * the text read, and stored with that text's hash, never the listing's. A paper gone since keeps
   * its empty text (its vector has no paper to be stored for, as when it goes after a full read).
   */
  private async withTextsWhere(papers: PaperText[], textFor: (id: string, contentHash: string) => boolean): Promise<PaperText[]> {
    const ids = papers.filter((p) => textFor(p.id, p.contentHash)).map((p) => p.id);
    if (!ids.length) return papers;
    const read = new Map<string, PaperText>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.db.selectFrom('papers').select(['id', 'title', 'abstract', 'content_hash']).where('id', 'in', ids.slice(i, i + 1000)).execute();
      for (const r of rows) read.set(r.id, { id: r.id, title: r.title, abstract: r.abstract, contentHash: r.content_hash });
    }
    return papers.map((p) => read.get(p.id) ?? p);
  }

  /** How many papers `papersToEmbed` would list; on SQLite in the same slices, for the same reason (the embedding job counts at its start and end). */
  async countToEmbed(embedderId: string, sliceRows = 2_000): Promise<number> {
    const count = async (after?: string, upTo?: string) => Number((await this.toEmbed(embedderId, after, upTo).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (dialectOf(this.db) !== 'sqlite') return count();
    let n = 0;
    for await (const [after, upTo] of this.idSlices(undefined, sliceRows)) n += await count(after, upTo);
    return n;
  }

  /** Papers without a vector of `embedderId` or with one of an older text, with ids in (after, upTo]. */
  private toEmbed(embedderId: string, after: string | undefined, upTo: string | undefined) {
    let q = this.db
      .selectFrom('papers as p')
      .leftJoin('paper_embeddings as e', (j) => j.onRef('e.paper_id', '=', 'p.id').on('e.embedder_id', '=', embedderId))
      .where((eb) => eb.or([eb('e.paper_id', 'is', null), eb('e.content_hash', '!=', eb.ref('p.content_hash'))]));
    if (after !== undefined) q = q.where('p.id', '>', after);
    if (upTo !== undefined) q = q.where('p.id', '<=', upTo);
    return q;
  }

  /**
   * The papers' ids after `afterId` as ranges (after, upTo] of `sliceRows` papers each on the
   * primary key (the last with no upper end), with the event loop handed back before each range
   * but the first: a walk over the whole table in statements of a few ms each.
   */
  private async *idSlices(afterId: string | undefined, sliceRows: number): AsyncGenerator<[string | undefined, string | undefined]> {
    for (let after = afterId, first = true; ; first = false) {
      if (!first) await nextSlice();
      let bound = this.db.selectFrom('papers').select('id').orderBy('id').offset(sliceRows - 1).limit(1);
      if (after !== undefined) bound = bound.where('id', '>', after);
      const upTo = (await bound.executeTakeFirst())?.id;
      yield [after, upTo];
      if (upTo === undefined) return;
      after = upTo;
    }
  }

  /**
   * Stores vectors of one embedding space. Every vector must have the space's dimensions (fixed by
   * its first vectors): another size is an EmbeddingSpaceMismatch and nothing is written. One
   * transaction for the batch: a commit per 200 rows cost a reindex more than the embedding. On
   * PostgreSQL rows go 1,000 to a statement (6,000 parameters, under its 65,535): storing the
   * corpus's 74,728 vectors took 2.0 s of CPU against 2.6 s at 200 (BENCHMARKS round 16, second
   * pass); on SQLite through one prepared statement per row (BENCHMARKS round 17).
   */
  async saveEmbeddings(embedderId: string, rows: { paperId: string; key: number; vector: Float32Array; contentHash: string; terms?: Uint8Array | null }[], now = new Date().toISOString()): Promise<void> {
    if (!rows.length) return;
    // The first vectors of a space fix its dimensions (another process may be first: read them back).
    await this.db.insertInto('embedding_spaces').values({ embedder_id: embedderId, dimensions: rows[0].vector.length, created_at: now }).onConflict((oc) => oc.column('embedder_id').doNothing()).execute();
    const space = await this.db.selectFrom('embedding_spaces').select('dimensions').where('embedder_id', '=', embedderId).executeTakeFirstOrThrow();
    const odd = rows.find((r) => r.vector.length !== Number(space.dimensions));
    if (odd) throw new EmbeddingSpaceMismatch(mismatchMessage(embedderId, Number(space.dimensions), odd.vector.length));
    await this.db.transaction().execute(async (trx) => {
      // SQLite: one prepared statement run per row, in this transaction (the same connection).
      // Building and parsing a 6,000-parameter statement per 1,000 rows cost more than the writes.
      if (this.bulk) {
        const upsert = this.bulk.statement(
          'insert into paper_embeddings (paper_id, embedder_id, key, vector, content_hash, embedded_at) values (?, ?, ?, ?, ?, ?) ' +
            'on conflict (embedder_id, paper_id) do update set key = excluded.key, vector = excluded.vector, content_hash = excluded.content_hash, embedded_at = excluded.embedded_at',
        );
        for (const r of rows) upsert.run(r.paperId, embedderId, r.key, vectorToBytes(r.vector), r.contentHash, now);
        // Term vectors in the same transaction; a row embedded without one (another embedder) drops
        // a stale one, so a term vector never outlives the text it was made from.
        const terms = this.bulk.statement(
          'insert into paper_term_vectors (paper_id, embedder_id, content_hash, terms) values (?, ?, ?, ?) ' +
            'on conflict (embedder_id, paper_id) do update set content_hash = excluded.content_hash, terms = excluded.terms',
        );
        const dropTerms = this.bulk.statement('delete from paper_term_vectors where embedder_id = ? and paper_id = ?');
        for (const r of rows) {
          if (r.terms) terms.run(r.paperId, embedderId, r.contentHash, r.terms);
          else dropTerms.run(embedderId, r.paperId);
        }
        return;
      }
      for (let i = 0; i < rows.length; i += 1000) {
        const values = rows.slice(i, i + 1000).map((r) => ({
          paper_id: r.paperId,
          embedder_id: embedderId,
          key: r.key,
          vector: vectorToBytes(r.vector),
          content_hash: r.contentHash,
          embedded_at: now,
        }));
        await trx
          .insertInto('paper_embeddings')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['embedder_id', 'paper_id']).doUpdateSet((eb) => ({
              key: eb.ref('excluded.key'),
              vector: eb.ref('excluded.vector'),
              content_hash: eb.ref('excluded.content_hash'),
              embedded_at: eb.ref('excluded.embedded_at'),
            })),
          )
          .execute();
        const batch = rows.slice(i, i + 1000);
        const terms = batch.flatMap((r) => (r.terms ? [{ paper_id: r.paperId, embedder_id: embedderId, content_hash: r.contentHash, terms: r.terms }] : []));
        const without = batch.filter((r) => !r.terms).map((r) => r.paperId);
        if (terms.length) {
          await trx
            .insertInto('paper_term_vectors')
            .values(terms)
            .onConflict((oc) => oc.columns(['embedder_id', 'paper_id']).doUpdateSet((eb) => ({ content_hash: eb.ref('excluded.content_hash'), terms: eb.ref('excluded.terms') })))
            .execute();
        }
        if (without.length) await trx.deleteFrom('paper_term_vectors').where('embedder_id', '=', embedderId).where('paper_id', 'in', without).execute();
      }
    });
  }

  /**
   * What similar papers need of their candidates, in one read: of the given ids, the papers readers
   * may see (`visiblePaper`, applied here at read time: the list is built from these), each with its
   * stored term vector under `embedderId` when one was written from the paper's current text (same
   * content hash), else null. Hidden, withdrawn and unknown ids are left out.
   */
  async similarCandidates(embedderId: string | null, paperIds: readonly string[]): Promise<Map<string, Uint8Array | null>> {
    if (!paperIds.length) return new Map();
    const rows = await this.db
      .selectFrom('papers as p')
      .leftJoin('paper_term_vectors as t', (j) => j.onRef('t.paper_id', '=', 'p.id').on('t.embedder_id', '=', embedderId ?? '').onRef('t.content_hash', '=', 'p.content_hash'))
      .select(['p.id', 't.terms'])
      .where(textIn(this.db, 'p.id', [...new Set(paperIds)]))
      .where(visiblePaper('p'))
      .execute();
    return new Map(rows.map((r) => [r.id, r.terms ?? null]));
  }

  /**
   * Whether some of this embedder's vectors have no term vector beside them: a store embedded before
   * migration 1800 added the table (or by an embedder without term vectors). Two counts of primary
   * keys (index-only), not the join `papersMissingTermVectors` runs: the minute pass asks at every start.
   */
  async termVectorsMissing(embedderId: string): Promise<boolean> {
    const r = await sql<{ vectors: number | string; terms: number | string }>`select
      (select count(*) from paper_embeddings where embedder_id = ${embedderId}) as vectors,
      (select count(*) from paper_term_vectors where embedder_id = ${embedderId}) as terms`.execute(this.db);
    return Number(r.rows[0]?.vectors ?? 0) > Number(r.rows[0]?.terms ?? 0);
  }

  /**
   * Papers with a current vector from this embedder (made from their present text) and no term
   * vector made from that text, in id order after `afterId`: what the term-vector backfill writes.
   */
  async papersMissingTermVectors(embedderId: string, limit: number, afterId = ''): Promise<PaperText[]> {
    const rows = await this.db
      .selectFrom('papers as p')
      .innerJoin('paper_embeddings as e', (j) => j.onRef('e.paper_id', '=', 'p.id').on('e.embedder_id', '=', embedderId).onRef('e.content_hash', '=', 'p.content_hash'))
      .leftJoin('paper_term_vectors as t', (j) => j.onRef('t.paper_id', '=', 'p.id').on('t.embedder_id', '=', embedderId).onRef('t.content_hash', '=', 'p.content_hash'))
      .select(['p.id', 'p.title', 'p.abstract', 'p.content_hash'])
      .where('t.paper_id', 'is', null)
      .where('p.id', '>', afterId)
      .orderBy('p.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, title: r.title, abstract: r.abstract, contentHash: r.content_hash }));
  }

  /** Writes term vectors (the backfill's), each with the content hash of the text it was made from, in one transaction. */
  async saveTermVectors(embedderId: string, rows: readonly { paperId: string; contentHash: string; terms: Uint8Array }[]): Promise<void> {
    if (!rows.length) return;
    await this.db
      .insertInto('paper_term_vectors')
      .values(rows.map((r) => ({ paper_id: r.paperId, embedder_id: embedderId, content_hash: r.contentHash, terms: r.terms })))
      .onConflict((oc) => oc.columns(['embedder_id', 'paper_id']).doUpdateSet((eb) => ({ content_hash: eb.ref('excluded.content_hash'), terms: eb.ref('excluded.terms') })))
      .execute();
  }

  /** Stored vectors in key order, by keyset pages: pass the last key of the previous page. */
  async embeddingsPage(embedderId: string, afterKey: number, limit: number): Promise<StoredEmbedding[]> {
    const rows = await this.db
      .selectFrom('paper_embeddings')
      .select(['key', 'paper_id', 'vector'])
      .where('embedder_id', '=', embedderId)
      .where('key', '>', afterKey)
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ key: Number(r.key), paperId: r.paper_id, vector: bytesToVector(r.vector) }));
  }

  /** Vectors written after `since` (another process embedded them): the ANN index adds or replaces them. */
  async embeddingsSince(embedderId: string, since: string, limit: number): Promise<(StoredEmbedding & { embeddedAt: string })[]> {
    const rows = await this.db
      .selectFrom('paper_embeddings')
      .select(['key', 'paper_id', 'vector', 'embedded_at'])
      .where('embedder_id', '=', embedderId)
      .where('embedded_at', '>', since)
      .orderBy('embedded_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ key: Number(r.key), paperId: r.paper_id, vector: bytesToVector(r.vector), embeddedAt: r.embedded_at }));
  }

  async embeddingOf(embedderId: string, paperId: string): Promise<Float32Array | null> {
    const r = await this.db.selectFrom('paper_embeddings').select('vector').where('embedder_id', '=', embedderId).where('paper_id', '=', paperId).executeTakeFirst();
    return r ? bytesToVector(r.vector) : null;
  }

  /** The stored vectors of several papers (those that have one), for scoring keyword candidates by cosine. */
  async embeddingsOf(embedderId: string, paperIds: readonly string[]): Promise<Map<string, Float32Array>> {
    if (!paperIds.length) return new Map();
    const rows = await this.db.selectFrom('paper_embeddings').select(['paper_id', 'vector']).where('embedder_id', '=', embedderId).where('paper_id', 'in', [...paperIds]).execute();
    return new Map(rows.map((r) => [r.paper_id, bytesToVector(r.vector)]));
  }

  /**
   * Refreshes the planner's statistics of the stored vectors after a bulk write (reindex, a
   * re-embed). Without them PostgreSQL (autovacuum off, or not there yet) guesses that 150 keys
   * match three quarters of the table and looks up a similar-papers list's ANN keys by reading
   * every vector of the embedder: 20–80 ms a paper page instead of 2 ms (BENCHMARKS "Load", round 17).
   * The term vectors are written in the same batches and read by every paper page too (its ~280
   * similar-papers candidates, `similarCandidates`): their statistics are refreshed with them.
   */
  async refreshStatistics(): Promise<void> {
    if (dialectOf(this.db) === 'postgres') await sql`analyze paper_embeddings, paper_term_vectors`.execute(this.db);
    else await sql`pragma optimize`.execute(this.db);
  }

  /** Paper ids for ANN keys. */
  async paperIdsForKeys(embedderId: string, keys: number[]): Promise<Map<number, string>> {
    if (!keys.length) return new Map();
    const rows = await this.db.selectFrom('paper_embeddings').select(['key', 'paper_id']).where('embedder_id', '=', embedderId).where('key', 'in', keys).execute();
    return new Map(rows.map((r) => [Number(r.key), r.paper_id]));
  }

  /**
   * How many vectors are stored and when the newest was written: the ANN index is stale when these
   * differ. The count reads every row of the space's index (74,728 at 75k papers: 4–11 ms, 2.5M:
   * hundreds), so a serving SQLite process runs it in its checkpoint thread (`SqliteBulk.offThread`),
   * never on the request thread: a server's ANN preparation ran it there in the same turn as the end
   * of the stored model's open (BENCHMARKS, start-up, round 26), and the similar-lists job before each
   * run. Inside a transaction, or should the thread fail, it runs on this connection.
   */
  async embeddingStats(embedderId: string): Promise<{ count: number; newest: string | null }> {
    if (this.bulk?.offThread && !this.db.isTransaction) {
      try {
        const row = await this.bulk.offThread.read('select count(*) as n, max(embedded_at) as newest from paper_embeddings where embedder_id = ?', [embedderId]);
        if (row) return { count: Number(row.n), newest: (row.newest as string | null) ?? null };
      } catch {
        // below, on this connection
      }
    }
    const r = await this.db
      .selectFrom('paper_embeddings')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('embedded_at').as('newest')])
      .where('embedder_id', '=', embedderId)
      .executeTakeFirstOrThrow();
    return { count: Number(r.n), newest: (r.newest as string | null) ?? null };
  }

  async deleteEmbeddings(embedderId: string): Promise<void> {
    await this.db.deleteFrom('paper_embeddings').where('embedder_id', '=', embedderId).execute();
    await this.db.deleteFrom('paper_term_vectors').where('embedder_id', '=', embedderId).execute();
    await this.db.deleteFrom('embedding_spaces').where('embedder_id', '=', embedderId).execute();
  }

  /** Saves a trained model under `name`, replacing the previous one. */
  async saveModel(name: string, modelId: string, data: Uint8Array, now = new Date().toISOString()): Promise<void> {
    await this.db
      .insertInto('search_models')
      .values({ name, model_id: modelId, data, trained_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ model_id: modelId, data, trained_at: now }))
      .execute();
  }

  /**
   * Replaces the model stored under `name` only if it is still `expectedId`, in one statement: a
   * background refinement stores its result this way, so a model a reindex stored meanwhile is never
   * overwritten by the refinement of the one it replaced. False when the stored model changed.
   */
  async replaceModel(name: string, expectedId: string, modelId: string, data: Uint8Array, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .updateTable('search_models')
      .set({ model_id: modelId, data, trained_at: now })
      .where('name', '=', name)
      .where('model_id', '=', expectedId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The id of the model stored under `name` (without its bytes), or null: a serving process checks it for a retrained model. */
  async modelId(name: string): Promise<string | null> {
    const r = await this.db.selectFrom('search_models').select('model_id').where('name', '=', name).executeTakeFirst();
    return r?.model_id ?? null;
  }

  /**
   * A stored model, read `MODEL_PIECE_BYTES` a statement with the event loop handed back between: a
   * serving process loads it while it answers requests, and a 75k-paper offline model is 23 MB, whose
   * one read held a SQLite process ~72 ms (PostgreSQL's driver decodes its hex text in one go too).
   * A model saved meanwhile (its `trained_at` moves) is read again from the start, never mixed.
   */
  async loadModel(name: string): Promise<{ modelId: string; data: Uint8Array; trainedAt: string } | null> {
    // A SQLite file: one read in a thread of its own (`readModelInThread`: each piece below costs
    // SQLite a read of the whole blob). The pieces remain for an in-memory database, PostgreSQL, and
    // a thread that failed.
    if (this.bulk && !this.bulk.raw.memory) {
      try {
        return await readModelInThread(this.bulk.raw.name, name);
      } catch {
        // read below
      }
    }
    const head = () => this.db.selectFrom('search_models').select(['model_id', 'trained_at', sql<number | string>`length(data)`.as('bytes')]).where('name', '=', name).executeTakeFirst();
    for (let r = await head(); r; ) {
      const data = new Uint8Array(Number(r.bytes));
      let whole = true;
      for (let at = 0; at < data.length; at += MODEL_PIECE_BYTES) {
        const piece = await this.db
          .selectFrom('search_models')
          .select(sql<Uint8Array>`substr(data, ${at + 1}, ${MODEL_PIECE_BYTES})`.as('piece'))
          .where('name', '=', name)
          .where('trained_at', '=', r.trained_at)
          .executeTakeFirst();
        if (!piece || piece.piece.length !== Math.min(MODEL_PIECE_BYTES, data.length - at)) {
          whole = false;
          break;
        }
        data.set(piece.piece, at);
        await nextSlice();
      }
      const now = await head();
      if (whole && now && now.trained_at === r.trained_at && now.model_id === r.model_id && Number(now.bytes) === data.length) return { modelId: r.model_id, data, trainedAt: r.trained_at };
      r = now;
    }
    return null;
  }
}
