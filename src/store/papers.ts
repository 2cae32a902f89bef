import { nextSlice } from '../slices.ts';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { dialectOf, textIn } from './dialect.ts';
import type { FeedEntry, Paper, PaperWithStats } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import { paperToRow, parseJsonArray, rowToFeedEntry, rowToPaper, type PaperWriteRow } from './mappers.ts';
import type { SqliteBulk } from './sqlite-bulk.ts';
import type { PgCopy } from './pg-copy.ts';
import { PACKED_COLUMNS, packRows, packedLines, stampPacked, unpackRow, unpackRows, type PackedPaperRows, type PaperRows } from './packed-rows.ts';
import { visiblePaper } from './visibility.ts';
import { BACKFILL } from './search.ts';

export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged';

/** A visible paper as the in-memory keyword index reads it (`indexTextsById`). */
export interface IndexText {
  id: string;
  title: string;
  abstract: string;
  categories: string[];
  publishedAt: string | null;
  /** The text of its first PDF pages, when the enrichment kept it. */
  pdfText: string | null;
  /** Its content hash (which the title and abstract are part of). */
  contentHash: string;
}

/**
 * The newest-first sort key, written as a literal expression so it matches the
 * `papers_newest_idx` expression index (a bound '' parameter would not).
 */
const NEWEST_KEY = sql<string>`coalesce(published_at, '')`;

/** Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 500;
/** A first import sets indexes aside only on a table this small (rebuilding a big one would cost more). */
const FIRST_IMPORT_MAX_PAPERS = 1000;
/**
 * Indexes a first import keeps although they are secondary: the import reads by them. Without
 * `feed_entries_newest_idx` every batch's next feed position was a scan of the whole feed, a cost
 * that grows with the square of the import's size.
 */
const KEPT_DURING_BULK_LOAD = ['feed_entries_newest_idx'];
/**
 * The statement trigger that queues new papers for the full-text index (migration 1430). A first
 * import sets it aside too: the catch-up then walks every paper (`search_backfill`, migration 2100).
 */
const QUEUE_TRIGGER = 'papers_search_insert';
/** Set-aside indexes PostgreSQL builds at once after a first import (each in its own server process). */
const PARALLEL_INDEX_BUILDS = 3;
/** Integer columns of a paper write row (the rest are text), for the PostgreSQL array casts. */
const INTEGER_COLUMNS = new Set<string>(['version', 'deleted']);

export class PaperRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly bulk?: SqliteBulk,
    private readonly pgCopy?: PgCopy,
  ) {}

  /**
   * Inserts new papers and updates changed ones; an older version never overwrites a newer one.
   * Returns one outcome per input, in order. Call inside a transaction for atomic batches.
   */
  async upsertMany(papers: Paper[], now = new Date().toISOString()): Promise<UpsertOutcome[]> {
    return this.upsertRows(papers.map((p) => paperToRow(p, now)), now);
  }

  /**
   * `upsertMany` for rows built earlier (`paperToRow`, or `packRows` in an import's parse worker
   * where `wantsPackedRows`). Every row written gets `stamp` as its modified time (and created
   * time if new), taken when it is written: a reader following `modified_at` must not find rows
   * appearing with a stamp from long before (see `stampPacked`).
   */
  async upsertRows(rows: PaperRows, stamp = new Date().toISOString()): Promise<UpsertOutcome[]> {
    // COPY has no parameter limit: the whole batch is one look-up and one write.
    if (this.copies()) return this.upsertPacked(Array.isArray(rows) ? packRows(rows) : rows, stamp);
    const objects = unpackRows(rows);
    for (const r of objects) r.created_at = r.modified_at = stamp;
    const outcomes: UpsertOutcome[] = [];
    for (let i = 0; i < objects.length; i += BATCH) {
      const batch = objects.slice(i, i + BATCH);
      const ids = batch.map((r) => r.id);
      const judged = this.judge(await this.lookupVersions(ids), ids, batch.map((r) => r.content_hash), batch.map((r) => r.version));
      outcomes.push(...judged.outcomes);
      if (judged.changed.length) await this.writeRows(judged.changed.map((k) => batch[k]));
    }
    return outcomes;
  }

  /** Whether `upsertRows` takes packed rows as they are (PostgreSQL's COPY path, in the transactions an import writes in). */
  wantsPackedRows(): boolean {
    return this.pgCopy !== undefined;
  }

  private copies(): boolean {
    return this.pgCopy !== undefined && this.db.isTransaction;
  }

  /**
   * Each row's outcome against what is stored, and which rows to write (their indexes). The same
   * paper twice in one batch is judged against the earlier line, and the last change wins.
   */
  private judge(
    existing: Map<string, { hash: string; version: number | null }>,
    ids: readonly string[],
    hashes: readonly string[],
    versions: readonly (number | null)[],
  ): { outcomes: UpsertOutcome[]; changed: number[] } {
    const outcomes: UpsertOutcome[] = [];
    const changed = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) {
      const before = existing.get(ids[i]);
      const version = versions[i];
      let outcome: UpsertOutcome;
      if (!before) outcome = 'inserted';
      else if (before.hash === hashes[i]) outcome = 'unchanged';
      else if (version !== null && before.version !== null && version < before.version) outcome = 'unchanged';
      else outcome = 'updated';
      outcomes.push(outcome);
      if (outcome !== 'unchanged') {
        existing.set(ids[i], { hash: hashes[i], version });
        changed.set(ids[i], i);
      }
    }
    return { outcomes, changed: [...changed.values()] };
  }

  /** PostgreSQL, in a transaction: new papers by COPY (`insertByCopy`), changed ones by the array upsert. */
  private async upsertPacked(p: PackedPaperRows, stamp: string): Promise<UpsertOutcome[]> {
    const existing = await this.lookupVersions(p.ids);
    // Ids stored before this batch: the rest are new, which a COPY can insert.
    const seen = new Set(existing.keys());
    const { outcomes, changed } = this.judge(existing, p.ids, p.hashes, p.versions);
    if (!changed.length) return outcomes;
    stampPacked(p, stamp);
    const fresh = changed.filter((i) => !seen.has(p.ids[i]));
    const known = changed.filter((i) => seen.has(p.ids[i]));
    if (fresh.length) await this.insertByCopy(p, fresh);
    if (known.length) await this.writeRowsAsArrays(known.map((i) => unpackRow(p, i)));
    return outcomes;
  }

  private async lookupVersions(ids: string[]): Promise<Map<string, { hash: string; version: number | null }>> {
    const out = new Map<string, { hash: string; version: number | null }>();
    // Per-row prepared lookups only inside a transaction: outside one, another query could interleave.
    if (this.bulk && this.db.isTransaction) {
      const stmt = this.bulk.statement('select content_hash, version from papers where id = ?');
      for (const id of ids) {
        const r = stmt.get(id) as { content_hash: string; version: number | null } | undefined;
        if (r) out.set(id, { hash: r.content_hash, version: r.version });
      }
      return out;
    }
    const rows = await this.db.selectFrom('papers').select(['id', 'content_hash', 'version']).where(textIn(this.db, 'id', [...new Set(ids)])).execute();
    for (const r of rows) out.set(r.id, { hash: r.content_hash, version: r.version });
    return out;
  }

  private async writeRows(rows: PaperWriteRow[]): Promise<void> {
    if (this.bulk && this.db.isTransaction) {
      const cols = Object.keys(rows[0]);
      const updates = cols.filter((c) => c !== 'id' && c !== 'created_at').map((c) => `${c} = excluded.${c}`);
      const stmt = this.bulk.statement(
        `insert into papers (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')}) on conflict (id) do update set ${updates.join(', ')}`,
      );
      for (const r of rows) stmt.run(Object.values(r));
      return;
    }
    if (dialectOf(this.db) === 'postgres') return this.writeRowsAsArrays(rows);
    await this.db
      .insertInto('papers')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          source: eb.ref('excluded.source'),
          version: eb.ref('excluded.version'),
          title: eb.ref('excluded.title'),
          abstract: eb.ref('excluded.abstract'),
          authors: eb.ref('excluded.authors'),
          categories: eb.ref('excluded.categories'),
          primary_category: eb.ref('excluded.primary_category'),
          published_at: eb.ref('excluded.published_at'),
          updated_at: eb.ref('excluded.updated_at'),
          comment: eb.ref('excluded.comment'),
          journal_ref: eb.ref('excluded.journal_ref'),
          doi: eb.ref('excluded.doi'),
          license: eb.ref('excluded.license'),
          abs_url: eb.ref('excluded.abs_url'),
          pdf_url: eb.ref('excluded.pdf_url'),
          code_urls: eb.ref('excluded.code_urls'),
          project_urls: eb.ref('excluded.project_urls'),
          deleted: eb.ref('excluded.deleted'),
          content_hash: eb.ref('excluded.content_hash'),
          modified_at: eb.ref('excluded.modified_at'),
        })),
      )
      .execute();
  }

  /**
   * PostgreSQL: the whole batch as one array per column, unnested by the server. A multi-row
   * VALUES list sends 20 parameters a row (20,000 for a batch), which PostgreSQL parses and plans
   * one by one; twenty arrays are parsed once. Measured in bench/import.
   */
  private async writeRowsAsArrays(rows: PaperWriteRow[]): Promise<void> {
    const cols = Object.keys(rows[0]) as (keyof PaperWriteRow)[];
    const arrays = cols.map((c) => sql`${rows.map((r) => r[c])}::${sql.raw(INTEGER_COLUMNS.has(c) ? 'integer' : 'text')}[]`);
    const updates = cols.filter((c) => c !== 'id' && c !== 'created_at').map((c) => `${c} = excluded.${c}`);
    await sql`insert into papers (${sql.raw(cols.join(', '))}) select * from unnest(${sql.join(arrays)}) on conflict (id) do update set ${sql.raw(updates.join(', '))}`.execute(this.db);
  }

  /**
   * PostgreSQL, inside a transaction: new papers by `COPY … FROM STDIN`, which the server takes
   * several times faster than any INSERT. COPY has no ON CONFLICT: if another writer stored one
   * of these ids since the look-up (a harvest beside the import), the COPY fails with a unique
   * violation, is rolled back to its savepoint alone, and the rows go through the upsert instead.
   */
  private async insertByCopy(p: PackedPaperRows, indices: number[]): Promise<void> {
    try {
      await this.pgCopy!.copyIn(this.db, `papers (${PACKED_COLUMNS.join(', ')})`, packedLines(p, indices), 'paper_copy');
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      await sql`rollback to savepoint paper_copy`.execute(this.db);
      await sql`release savepoint paper_copy`.execute(this.db);
      await this.writeRowsAsArrays(indices.map((i) => unpackRow(p, i)));
    }
  }

  /** The paper whatever its visibility (writers, moderation); readers' paths use `visible`. */
  async get(id: string): Promise<PaperWithStats | null> {
    const row = await this.db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToPaper(row) : null;
  }

  /** The paper if readers may see it (`visiblePaper`), else null: what every read path asks. */
  async visible(id: string): Promise<PaperWithStats | null> {
    const row = await this.db.selectFrom('papers').selectAll().where('id', '=', id).where(visiblePaper()).executeTakeFirst();
    return row ? rowToPaper(row) : null;
  }

  /**
   * The paper if readers may see it (`visiblePaper`) and its feed entry, in one statement: a paper
   * page read them one after the other (issue 19, the mixed load: each is a round trip and a
   * statement on PostgreSQL). Null when readers may not see the paper.
   */
  async visibleWithEntry(id: string): Promise<{ paper: PaperWithStats; entry: FeedEntry | null } | null> {
    const row = await this.db
      .selectFrom('papers as p')
      .leftJoin('feed_entries as f', 'f.paper_id', 'p.id')
      .selectAll('p')
      .select(['f.paper_id as feed_paper_id', 'f.day as feed_day', 'f.position as feed_position', 'f.submitted_by as feed_submitted_by', 'f.created_at as feed_created_at'])
      .where('p.id', '=', id)
      .where(visiblePaper('p'))
      .executeTakeFirst();
    if (!row) return null;
    const { feed_paper_id, feed_day, feed_position, feed_submitted_by, feed_created_at, ...paper } = row;
    const entry = feed_paper_id === null ? null : rowToFeedEntry({ paper_id: feed_paper_id, day: feed_day!, position: feed_position!, submitted_by: feed_submitted_by, created_at: feed_created_at! });
    return { paper: rowToPaper(paper), entry };
  }

  /** Visible papers by id, in the order asked; unknown, hidden and withdrawn ids are left out. */
  async visibleMany(ids: readonly string[]): Promise<PaperWithStats[]> {
    if (!ids.length) return [];
    const rows = await this.db.selectFrom('papers').selectAll().where('id', 'in', [...new Set(ids)]).where(visiblePaper()).execute();
    const byId = new Map(rows.map((r) => [r.id, rowToPaper(r)]));
    return ids.map((id) => byId.get(id)).filter((p): p is PaperWithStats => p !== undefined);
  }

  /** Papers by id, in the order asked, hidden and withdrawn ones included (writers and indexes); unknown ids are left out. */
  async getMany(ids: readonly string[]): Promise<PaperWithStats[]> {
    if (!ids.length) return [];
    const rows = await this.db.selectFrom('papers').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    const byId = new Map(rows.map((r) => [r.id, rowToPaper(r)]));
    return ids.map((id) => byId.get(id)).filter((p): p is PaperWithStats => p !== undefined);
  }

  /** Visible papers with any of these DOIs (compared without case, as DOIs are), keyed by the lower-cased DOI. */
  async visibleByDois(dois: readonly string[]): Promise<Map<string, PaperWithStats>> {
    const wanted = [...new Set(dois.map((d) => d.toLowerCase()))];
    if (!wanted.length) return new Map();
    const rows = await this.db
      .selectFrom('papers')
      .selectAll()
      .where(sql<string>`lower(doi)`, 'in', wanted)
      .where(visiblePaper())
      .execute();
    return new Map(rows.map((r) => [r.doi!.toLowerCase(), rowToPaper(r)]));
  }

  /** Which of these papers are visible (not hidden by moderation, not withdrawn). */
  async visibleIds(ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.db.selectFrom('papers').select('id').where('id', 'in', [...new Set(ids)]).where(visiblePaper()).execute();
    return new Set(rows.map((r) => r.id));
  }

  /** Every visible paper in id order, a page at a time (pass the last id seen): for loading whole indexes. */
  async listById(limit: number, afterId = ''): Promise<PaperWithStats[]> {
    const rows = await this.db.selectFrom('papers').selectAll().where(visiblePaper()).where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map(rowToPaper);
  }

  /**
   * What the in-memory keyword index is built from, for every visible paper in id order, a page at
   * a time (pass the last id seen): title, abstract, categories, publication date and the kept PDF
   * text (the `pdf` enrichment step's, null without), in one statement. A reindex read whole papers
   * (every column, each mapped to a `Paper`) and then their PDF texts by a second query per page.
   */
  async indexTextsById(limit: number, afterId = ''): Promise<IndexText[]> {
    const rows = await this.db
      .selectFrom('papers as p')
      .leftJoin('paper_pdf_text as t', 't.paper_id', 'p.id')
      .select(['p.id', 'p.title', 'p.abstract', 'p.categories', 'p.published_at', 'p.content_hash', 't.text'])
      .where(visiblePaper('p'))
      .where('p.id', '>', afterId)
      .orderBy('p.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, title: r.title, abstract: r.abstract, categories: parseJsonArray(r.categories), publishedAt: r.published_at, pdfText: r.text, contentHash: r.content_hash }));
  }

  /**
   * The title and abstract of every visible paper in id order, a page at a time (pass the last id
   * seen): a range on the primary key, so each page costs its own rows at any corpus size (a keyset
   * on the newest-first order re-walked a whole day per page: 925k papers on one day at 1M).
   */
  async textsById(limit: number, afterId = ''): Promise<{ id: string; title: string; abstract: string }[]> {
    return this.db.selectFrom('papers').select(['id', 'title', 'abstract']).where(visiblePaper()).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }

  /**
   * `textsById` without the texts: the ids of every visible paper in the same order, a page at a
   * time. Training picks its sample from them and reads only the sample's texts (`textsOf`): reading
   * all 74,728 titles and abstracts to keep 25,000 held up the start of training (BENCHMARKS round 24).
   */
  async idsById(limit: number, afterId = ''): Promise<string[]> {
    const rows = await this.db.selectFrom('papers').select('id').where(visiblePaper()).where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /**
   * The title and abstract of the given visible papers, in the order of `ids` (1,000 ids a
   * statement); a paper not found or not visible is left out.
   */
  async textsOf(ids: readonly string[]): Promise<{ id: string; title: string; abstract: string }[]> {
    const out: { id: string; title: string; abstract: string }[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const rows = await this.db.selectFrom('papers').select(['id', 'title', 'abstract']).where('id', 'in', chunk).where(visiblePaper()).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const id of chunk) {
        const r = byId.get(id);
        if (r) out.push(r);
      }
    }
    return out;
  }

  /** Every visible paper, newest first, by keyset: pass the previous page's `next` as `after`. */
  async listNewest(limit: number, after?: { publishedAt: string | null; id: string }): Promise<PaperWithStats[]> {
    let q = this.db.selectFrom('papers').selectAll().where(visiblePaper());
    if (after) {
      const pub = after.publishedAt ?? '';
      q = q.where((eb) =>
        eb.or([
          eb(NEWEST_KEY, '<', pub),
          eb.and([eb(NEWEST_KEY, '=', pub), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await q.orderBy(NEWEST_KEY, 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(rowToPaper);
  }

  /** Visible papers listed in `category` (primary or cross-listed), newest first. */
  async listByCategory(category: string, limit: number): Promise<PaperWithStats[]> {
    const rows = await this.db
      .selectFrom('papers')
      .selectAll()
      .where(visiblePaper())
      // categories is a JSON array of strings: match the quoted element exactly.
      .where(likeLiteral('categories', JSON.stringify(category), false))
      .orderBy(NEWEST_KEY, 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(rowToPaper);
  }

  /**
   * Papers written since a point (`modified_at`, then id, after `after`), oldest change first,
   * hidden and withdrawn ones included: what an index kept beside the store needs to catch up.
   */
  async modifiedSince(after: { modifiedAt: string; id: string }, limit: number): Promise<Array<PaperWithStats & { modifiedAt: string }>> {
    const rows = await this.db
      .selectFrom('papers')
      .selectAll()
      .where((eb) => eb.or([eb('modified_at', '>', after.modifiedAt), eb.and([eb('modified_at', '=', after.modifiedAt), eb('id', '>', after.id)])]))
      .orderBy('modified_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...rowToPaper(r), modifiedAt: r.modified_at }));
  }

  /**
   * Every paper `modifiedSince(after)` would return, in pieces, with the event loop handed back
   * between them. SQLite has no index on `modified_at` (one cost the import a third more time), so
   * the question reads the whole table: 1.9 s in one synchronous call at 1M papers, which held every
   * request of a starting server. Here it reads `sliceRows` rows by rowid at a time (a few ms to
   * tens of ms each), so the scan's cost is spread out, not removed. The pieces are not in
   * `modified_at` order on SQLite. PostgreSQL pages through its index in order.
   */
  async *modifiedSinceSliced(after: { modifiedAt: string; id: string }, sliceRows = 20_000): AsyncGenerator<Array<PaperWithStats & { modifiedAt: string }>> {
    const since = (eb: ExpressionBuilder<Database, 'papers'>) =>
      eb.or([eb('modified_at', '>', after.modifiedAt), eb.and([eb('modified_at', '=', after.modifiedAt), eb('id', '>', after.id)])]);
    if (dialectOf(this.db) !== 'sqlite') {
      let cursor = after;
      for (;;) {
        const page = await this.modifiedSince(cursor, sliceRows);
        if (page.length) yield page;
        if (page.length < sliceRows) return;
        cursor = { modifiedAt: page[page.length - 1].modifiedAt, id: page[page.length - 1].id };
      }
    }
    const top = Number((await sql<{ r: number | null }>`select max(rowid) as r from papers`.execute(this.db)).rows[0]?.r ?? 0);
    for (let lo = 0; lo < top; lo += sliceRows) {
      const rows = await this.db
        .selectFrom('papers')
        .selectAll()
        .where(sql<boolean>`rowid > ${lo} and rowid <= ${lo + sliceRows}`)
        .where(since)
        .execute();
      if (rows.length) yield rows.map((r) => ({ ...rowToPaper(r), modifiedAt: r.modified_at }));
      await nextSlice();
    }
  }

  /**
   * How many papers `modifiedSince(after)` would return, counted up to `cap`. On SQLite (no index
   * on `modified_at`: a whole-table read) in rowid slices with the event loop handed back between
   * them, stopping once past `cap`, like `modifiedSinceSliced`. 2,000 rows a slice: at 50,000 the
   * keyword-index job's check (`mergeDue`) held a serving process's request thread 72-155 ms at
   * 74,728 papers; 2,000 rows cost a few ms (BENCHMARKS "Background jobs", round 20).
   */
  async countModifiedSince(after: { modifiedAt: string; id: string }, cap: number, sliceRows = 2_000): Promise<number> {
    const since = (eb: ExpressionBuilder<Database, 'papers'>) =>
      eb.or([eb('modified_at', '>', after.modifiedAt), eb.and([eb('modified_at', '=', after.modifiedAt), eb('id', '>', after.id)])]);
    const count = async (range?: [number, number]) => {
      let inner = this.db.selectFrom('papers').select('id').where(since);
      if (range) inner = inner.where(sql<boolean>`rowid > ${range[0]} and rowid <= ${range[1]}`);
      const r = await this.db.selectFrom(inner.limit(cap).as('m')).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      return Number(r?.n ?? 0);
    };
    if (dialectOf(this.db) !== 'sqlite') return count();
    const top = Number((await sql<{ r: number | null }>`select max(rowid) as r from papers`.execute(this.db)).rows[0]?.r ?? 0);
    let n = 0;
    for (let lo = 0; lo < top && n < cap; lo += sliceRows) {
      n += await count([lo, lo + sliceRows]);
      await nextSlice();
    }
    return Math.min(n, cap);
  }

  /**
   * Where the store stands for `othersMayHaveChangedPapers`: on SQLite, `data_version` (moves when
   * another connection commits anything) and the papers' change mark (the highest rowid and the
   * count migration 1700's triggers keep, moving on every write a "modified since" scan can see,
   * from any connection). One statement, a few microseconds. Null on PostgreSQL, where no such
   * signal is kept: null means "ask `modifiedSince`", which an index makes cheap there.
   */
  async changeMark(): Promise<PapersChangeMark | null> {
    if (dialectOf(this.db) !== 'sqlite') return null;
    const r = await sql<{ dv: number; top: number | null; n: number }>`select
        (select data_version from pragma_data_version) as dv,
        (select max(rowid) from papers) as top,
        (select n from papers_change_count where id = 1) as n`.execute(this.db);
    const row = r.rows[0];
    return { otherWriters: Number(row.dv), papers: `${row.top ?? 0}:${row.n}` };
  }

  /** The newest `modified_at` (and the highest id at it), or null for an empty store. */
  async lastModified(): Promise<{ modifiedAt: string; id: string } | null> {
    const r = await this.db.selectFrom('papers').select(['modified_at', 'id']).orderBy('modified_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r ? { modifiedAt: r.modified_at, id: r.id } : null;
  }

  /**
   * Refreshes the planner's statistics after a bulk load: without them PostgreSQL plans feed
   * queries as if the tables were empty (0.1 ms queries took 210 ms after a 75k-paper import).
   */
  async refreshStatistics(): Promise<void> {
    if (dialectOf(this.db) === 'postgres') await sql`analyze papers, feed_entries`.execute(this.db);
    else await sql`pragma optimize`.execute(this.db);
  }

  /**
   * Runs a bulk import.
   *
   * SQLite: the write-ahead log is checkpointed every 256 MB instead of every 4 MB meanwhile, so
   * pages rewritten by consecutive batches are copied into the database once and a corpus of
   * 75,000 papers is copied once, after the import (on the next commit or at close), as a single
   * bulk transaction would be. The setting is restored after.
   *
   * PostgreSQL, first import (fewer than `FIRST_IMPORT_MAX_PAPERS` papers stored): the secondary
   * indexes of `papers` and `feed_entries`, and the feed's foreign key, are set aside and built
   * once at the end, as a bulk load does — updating six b-trees and checking a key row by row cost
   * more than building them from sorted data (all but `KEPT_DURING_BULK_LOAD`, which the import
   * reads by). The trigger queuing new papers for the full-text index goes aside too: when it
   * comes back, the catch-up walks every paper instead (`search_backfill`, migration 2100), so the
   * import writes no queue row per paper. (New papers go in by COPY: `insertByCopy`.) Their definitions are
   * kept in `bulk_load_indexes` first, so a process killed mid-import leaves them to the next open
   * of the store (`restoreSetAsideIndexes`), never lost.
   */
  async duringBulkImport<T>(fn: () => Promise<T>): Promise<T> {
    if (this.bulk) {
      const before = this.bulk.raw.pragma('wal_autocheckpoint', { simple: true }) as number;
      this.bulk.raw.pragma('wal_autocheckpoint = 65536');
      try {
        return await fn();
      } finally {
        this.bulk.raw.pragma(`wal_autocheckpoint = ${Number(before)}`);
      }
    }
    if (dialectOf(this.db) !== 'postgres' || this.db.isTransaction) return fn();
    const setAside = await this.setIndexesAsideForFirstImport();
    try {
      return await fn();
    } finally {
      if (setAside) await this.restoreSetAsideIndexes();
    }
  }

  /**
   * PostgreSQL, on an (almost) empty `papers`: records then drops the secondary indexes of
   * `papers` and `feed_entries`, and the feed's foreign key to `papers` (checked row by row, it
   * cost the server as much CPU as the papers' own COPY; added back, it is checked by one join),
   * and the full-text queue's insert trigger (`QUEUE_TRIGGER`: 75,000 queue rows cost ≈ 0.5 s of
   * server CPU and 16 MB of write-ahead log, and its transition table spilled every inserted row
   * to temporary files; bench/import/pg-bytes.ts). Primary keys and `KEPT_DURING_BULK_LOAD` stay:
   * the import reads by them. True if it set anything aside.
   */
  private async setIndexesAsideForFirstImport(): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const stored = await sql<{ n: string }>`select count(*) as n from (select 1 from papers limit ${FIRST_IMPORT_MAX_PAPERS}) s`.execute(trx);
      if (Number(stored.rows[0].n) >= FIRST_IMPORT_MAX_PAPERS) return false;
      const indexes = await sql<{ name: string; definition: string }>`
        select indexname as name, indexdef as definition from pg_indexes
        where schemaname = current_schema() and tablename in ('papers', 'feed_entries')
          and indexname not in (select conname from pg_constraint where conrelid in ('papers'::regclass, 'feed_entries'::regclass))
          and indexname <> all(${KEPT_DURING_BULK_LOAD}::text[])`.execute(trx);
      const keys = await sql<{ name: string; definition: string }>`
        select conname as name, 'ALTER TABLE feed_entries ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) as definition
        from pg_constraint where conrelid = 'feed_entries'::regclass and contype = 'f' and confrelid = 'papers'::regclass`.execute(trx);
      const triggers = await sql<{ name: string; definition: string }>`
        select tgname as name, pg_get_triggerdef(oid) as definition from pg_trigger
        where tgrelid = 'papers'::regclass and tgname = ${QUEUE_TRIGGER} and not tgisinternal`.execute(trx);
      const all = [...indexes.rows, ...keys.rows, ...triggers.rows];
      if (!all.length) return false;
      await trx.insertInto('bulk_load_indexes').values(all).onConflict((oc) => oc.column('name').doNothing()).execute();
      for (const { name } of indexes.rows) await sql`drop index if exists ${sql.id(name)}`.execute(trx);
      for (const { name } of keys.rows) await sql`alter table feed_entries drop constraint if exists ${sql.id(name)}`.execute(trx);
      for (const { name } of triggers.rows) await sql`drop trigger if exists ${sql.id(name)} on papers`.execute(trx);
      return true;
    });
  }

  /**
   * Builds the indexes and foreign keys a bulk import set aside and forgets them. Run after the
   * import and at every open of the store (a killed import leaves them here); a no-op when none
   * are. Before the feed's foreign key comes back, feed rows whose paper was deleted meanwhile go,
   * as the key's cascade would have removed them.
   *
   * On PostgreSQL the indexes are built side by side, each on a connection of its own
   * (`PARALLEL_INDEX_BUILDS` at a time): one after another, each build waited for the last while
   * the other core (and, on a busy machine, the other server processes' share of it) went unused.
   * The feed's foreign key is added back before them, NOT VALID (no scan), and validated beside
   * them on a connection of its own: added whole after the builds, its two scans of the feed (the
   * orphans' delete and the check) were the last 0.3-0.4 s of a 75k first import with one server
   * process busy (bench/import, round 24). A key left NOT VALID by a killed process is validated
   * at the next open.
   */
  async restoreSetAsideIndexes(): Promise<string[]> {
    const pending = await this.db.selectFrom('bulk_load_indexes').select(['name', 'definition']).orderBy('name').execute();
    const forget = (name: string) => this.db.deleteFrom('bulk_load_indexes').where('name', '=', name).execute();
    if (dialectOf(this.db) !== 'postgres') {
      for (const { name } of pending) await forget(name);
      return pending.map((p) => p.name);
    }
    const isKey = (definition: string) => /^ALTER TABLE feed_entries ADD CONSTRAINT /i.test(definition);
    const isTrigger = (definition: string) => /^CREATE TRIGGER /i.test(definition);
    const indexes = pending.filter((p) => !isKey(p.definition) && !isTrigger(p.definition));
    const failures: unknown[] = [];
    // Inside a transaction there is one connection: the builds would only queue on it.
    const width = this.db.isTransaction ? 1 : PARALLEL_INDEX_BUILDS;
    let next = 0;
    const builder = async () => {
      for (let i = next++; i < indexes.length; i = next++) {
        const { name, definition } = indexes[i];
        try {
          await sql.raw(definition.replace(/^CREATE (UNIQUE )?INDEX /i, 'CREATE $1INDEX IF NOT EXISTS ')).execute(this.db);
          await forget(name);
        } catch (err) {
          // The others are still built; this one stays recorded for the next open of the store.
          failures.push(err);
        }
      }
    };
    // The queue trigger comes back first (creating it locks out writers of papers, as a build
    // would wait for it), and in the same transaction a walk of every paper opens for the
    // full-text catch-up: whatever was inserted while the trigger was away (the import's papers,
    // and any other writer's) is below the walk's start; whatever comes after is queued by it.
    for (const { name, definition } of pending.filter((p) => isTrigger(p.definition))) {
      try {
        await this.db.transaction().execute(async (trx) => {
          const present = await sql`select 1 from pg_trigger where tgrelid = 'papers'::regclass and tgname = ${name} and not tgisinternal`.execute(trx);
          if (!present.rows.length) await sql.raw(definition).execute(trx);
          await sql`insert into search_backfill(name, after_id) values (${BACKFILL}, '') on conflict (name) do update set after_id = ''`.execute(trx);
          await trx.deleteFrom('bulk_load_indexes').where('name', '=', name).execute();
        });
      } catch (err) {
        failures.push(err);
      }
    }
    const keys = pending.filter((p) => isKey(p.definition));
    // Each key comes back at once, NOT VALID: from then on it holds for every row written and
    // cascades every delete, but nothing is scanned yet. Adding it locks both tables against the
    // index builds, so it goes before them; its validation (the scan) goes beside them.
    for (const { name, definition } of keys) {
      await this.db.transaction().execute(async (trx) => {
        const present = await sql`select 1 from pg_constraint where conrelid = 'feed_entries'::regclass and conname = ${name}`.execute(trx);
        if (!present.rows.length) await sql.raw(`${definition} NOT VALID`).execute(trx);
      });
    }
    // Feed rows whose paper went while the key was away go, as its cascade would have removed
    // them; then the key is validated. Neither waits for a build on papers (they take no lock that
    // conflicts with one), so the key's two scans of the feed no longer come after every build.
    const validator = async () => {
      for (const { name } of keys) {
        try {
          // Validated first, alone: with no orphan (the usual case, and every first import's with
          // no other writer) that one scan is all, and the delete's scan of the feed against
          // `papers` (2.5x the validation's CPU, bench/import round 26) is left out. A key found
          // violated (23503) leaves nothing done, and the orphans go before it is validated again.
          const validate = (db: Kysely<Database>) => sql`alter table feed_entries validate constraint ${sql.id(name)}`.execute(db);
          await (async () => {
            const key = await sql<{ valid: boolean }>`select convalidated as valid from pg_constraint where conrelid = 'feed_entries'::regclass and conname = ${name}`.execute(this.db);
            if (key.rows[0]?.valid) return;
            try {
              await validate(this.db);
            } catch (err) {
              if ((err as { code?: string }).code !== '23503') throw err;
              await this.db.transaction().execute(async (trx) => {
                await sql`delete from feed_entries f where not exists (select 1 from papers p where p.id = f.paper_id)`.execute(trx);
                await validate(trx);
              });
            }
          })();
          await forget(name);
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const builders = Array.from({ length: Math.min(width, indexes.length) }, builder);
    // Inside a transaction (one connection) the validation comes after the builds, not interleaved with them.
    if (width === 1) {
      await Promise.all(builders);
      await validator();
    } else await Promise.all([...builders, validator()]);
    if (failures.length) throw failures[0];
    return pending.map((p) => p.name);
  }

  /**
   * PostgreSQL, inside an import's transaction: its commit does not wait for the write-ahead log
   * to reach the disk. A crash may lose the last fraction of a second of batches (never half of
   * one); the import is idempotent, and running it again writes what was lost.
   */
  async relaxCommitForBulkLoad(): Promise<void> {
    if (!this.db.isTransaction || dialectOf(this.db) !== 'postgres') return;
    // With COPY, the same round trip finds the connection the COPYs will use.
    if (this.pgCopy) await this.pgCopy.relaxCommit(this.db);
    else await sql`set local synchronous_commit = off`.execute(this.db);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Whether there are at least `n` papers (stored rows, as `count`): reads at most `n` rows of the
   * primary key, not the whole table — for checks made every minute whatever the corpus's size.
   */
  async hasAtLeast(n: number): Promise<boolean> {
    if (n <= 0) return true;
    const r = await this.db.selectFrom('papers').select('id').orderBy('id').limit(1).offset(n - 1).executeTakeFirst();
    return r !== undefined;
  }

  /** Marks a paper withdrawn at its source; it stays stored (votes and comments keep their paper). */
  async markDeleted(id: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.updateTable('papers').set({ deleted: 1, modified_at: now }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Hides a paper from the feed and lists (moderation) or shows it again. */
  async setHidden(id: string, hidden: boolean, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.updateTable('papers').set({ hidden: hidden ? 1 : 0, modified_at: now }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

/** What `PaperRepository.changeMark` reads: see there. */
export interface PapersChangeMark {
  otherWriters: number;
  papers: string;
}

/**
 * Whether papers may have been written by another connection between two marks, so a "modified
 * since" scan must run: only when another connection committed (`data_version`) and papers were
 * written (by anyone). A rate-limit row or a session written elsewhere moves the first alone; this
 * process's own paper writes move the second alone and reach its index through the full-text queue.
 * Always true without a mark (PostgreSQL, or no look yet).
 */
export function othersMayHaveChangedPapers(before: PapersChangeMark | null, now: PapersChangeMark | null): boolean {
  if (!before || !now) return true;
  return now.otherWriters !== before.otherWriters && now.papers !== before.papers;
}

/** A LIKE pattern matching `text` literally anywhere (`!` escapes `%`, `_` and itself on both stores). */
function containsPattern(text: string) {
  return `%${text.replace(/[!%_]/g, (ch) => '!' + ch)}%`;
}

/** `column LIKE pattern ESCAPE '!'`, case-insensitive when `lower` is set. */
function likeLiteral(column: 'title' | 'abstract' | 'categories', text: string, lower: boolean) {
  const col = lower ? sql`lower(${sql.ref(column)})` : sql.ref(column);
  return sql<boolean>`${col} like ${containsPattern(text)} escape '!'`;
}
