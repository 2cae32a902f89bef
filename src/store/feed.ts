import { sql, type Kysely } from 'kysely';
import type { FeedEntry, FeedItem } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import { dialectOf, textIn } from './dialect.ts';
import { rowToFeedEntry, rowToPaper } from './mappers.ts';
import type { SqliteBulk } from './sqlite-bulk.ts';
import { copyText, type PgCopy } from './pg-copy.ts';
import { visiblePaper } from './visibility.ts';

/** Narrows a feed list: one arXiv category, and/or only papers reader `unseenBy` has not seen. */
export interface FeedFilter {
  category?: string;
  unseenBy?: number;
}

/** How a period's papers are ranked: most upvoted first (the default), or most GitHub stars first. */
export type FeedOrder = 'upvotes' | 'stars';

export interface NewFeedEntry {
  paperId: string;
  day: string;
  submittedBy?: string | null;
  /** The paper was inserted in this transaction, so it cannot be on the feed yet (saves a look-up per paper). */
  isNew?: boolean;
}

export class FeedRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly bulk?: SqliteBulk,
    private readonly pgCopy?: PgCopy,
  ) {}

  /**
   * Puts papers on the feed of their day, after the papers already there. A paper already on the
   * feed (any day) stays where it is. Returns how many were added.
   */
  async addMany(entries: NewFeedEntry[], now = new Date().toISOString()): Promise<number> {
    if (!entries.length) return 0;
    const already = await this.onFeedAlready([...new Set(entries.filter((e) => !e.isNew).map((e) => e.paperId))]);
    const fresh = entries.filter((e) => !already.has(e.paperId) && (already.add(e.paperId), true));
    if (!fresh.length) return 0;
    const next = await this.nextPositions([...new Set(fresh.map((e) => e.day))]);
    const rows = fresh.map((e) => {
      const position = next.get(e.day)!;
      next.set(e.day, position + 1);
      return { paper_id: e.paperId, day: e.day, position, submitted_by: e.submittedBy ?? null, created_at: now };
    });
    if (this.bulk && this.db.isTransaction) {
      const stmt = this.bulk.statement(
        'insert into feed_entries (paper_id, day, position, submitted_by, created_at) values (@paper_id, @day, @position, @submitted_by, @created_at) on conflict (paper_id) do nothing',
      );
      let added = 0;
      for (const r of rows) added += stmt.run(r).changes;
      return added;
    }
    if (this.pgCopy && this.db.isTransaction) {
      const copied = await this.insertByCopy(rows);
      if (copied !== null) return copied;
    }
    // Count the rows really inserted: a concurrent writer may have put a paper on the feed since
    // the look-up above, and its row then hits the conflict and is not ours to count.
    if (dialectOf(this.db) === 'postgres') {
      // One array per column (see PaperRepository.writeRowsAsArrays).
      const inserted = await sql<{ paper_id: string }>`insert into feed_entries (paper_id, day, position, submitted_by, created_at)
        select * from unnest(${rows.map((r) => r.paper_id)}::text[], ${rows.map((r) => r.day)}::text[], ${rows.map((r) => r.position)}::integer[],
          ${rows.map((r) => r.submitted_by)}::text[], ${rows.map((r) => r.created_at)}::text[])
        on conflict (paper_id) do nothing returning paper_id`.execute(this.db);
      return inserted.rows.length;
    }
    let added = 0;
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await this.db.insertInto('feed_entries').values(rows.slice(i, i + 500)).onConflict((oc) => oc.column('paper_id').doNothing()).returning('paper_id').execute();
      added += inserted.length;
    }
    return added;
  }

  /**
   * PostgreSQL, inside a transaction: the rows by `COPY … FROM STDIN`, the number copied. An
   * import's batch puts thousands of papers on the feed; as an `unnest` insert that returned each
   * row's id, the client serialised five arrays and parsed a row back per paper, and the server
   * checked each row for a conflict. COPY has no ON CONFLICT: if another writer put one of these
   * papers on the feed since the look-up, the COPY fails with a unique violation, is rolled back to
   * its savepoint alone, and null sends the rows through the insert that skips conflicts.
   */
  private async insertByCopy(rows: { paper_id: string; day: string; position: number; submitted_by: string | null; created_at: string }[]): Promise<number | null> {
    const text = copyText(rows.map((r) => [r.paper_id, r.day, r.position, r.submitted_by, r.created_at]));
    try {
      return await this.pgCopy!.copyIn(this.db, 'feed_entries (paper_id, day, position, submitted_by, created_at)', text, 'feed_copy');
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      await sql`rollback to savepoint feed_copy`.execute(this.db);
      await sql`release savepoint feed_copy`.execute(this.db);
      return null;
    }
  }

  private async onFeedAlready(ids: string[]): Promise<Set<string>> {
    const already = new Set<string>();
    if (this.bulk && this.db.isTransaction) {
      const stmt = this.bulk.statement('select 1 from feed_entries where paper_id = ?');
      for (const id of ids) if (stmt.get(id)) already.add(id);
      return already;
    }
    // PostgreSQL takes the ids as one array parameter, whatever their number: one round trip for
    // an import's batch of thousands (a second import asks this of every paper); SQLite's IN list
    // is one parameter per id.
    const chunk = dialectOf(this.db) === 'postgres' ? Math.max(ids.length, 1) : 500;
    for (let i = 0; i < ids.length; i += chunk) {
      const rows = await this.db.selectFrom('feed_entries').select('paper_id').where(textIn(this.db, 'paper_id', ids.slice(i, i + chunk))).execute();
      rows.forEach((r) => already.add(r.paper_id));
    }
    return already;
  }

  /**
   * The next free position on each day: one `max(position)` per day, which both stores answer from
   * the end of `feed_entries_newest_idx` (day, position). A `group by day` over `day in (...)` read
   * every entry of those days instead, so each import batch cost more as the days filled: at 2.5M
   * papers on the corpus' 322 days, 7,800 entries a day.
   */
  private async nextPositions(days: string[]): Promise<Map<string, number>> {
    const next = new Map<string, number>(days.map((d) => [d, 1]));
    // `column1`: the name both stores give a VALUES list's first column.
    const maxRows = await sql<{ day: string; max: number | string | null }>`
      select v.column1 as day, (select max(f.position) from feed_entries f where f.day = v.column1) as max
      from (values ${sql.join(days.map((d) => sql`(${d})`))}) as v`.execute(this.db);
    for (const r of maxRows.rows) if (r.max !== null) next.set(r.day, Number(r.max) + 1);
    return next;
  }

  /**
   * Feed entries joined to their papers, hidden and withdrawn papers left out; optionally within a
   * day range, in one category, and without the papers a reader has seen (in the query, so limits
   * and offsets page over what is shown).
   */
  private visibleEntries(from?: string, to?: string, filter: FeedFilter = {}) {
    let q = this.db
      .selectFrom('feed_entries as f')
      .innerJoin('papers as p', 'p.id', 'f.paper_id')
      .where(visiblePaper('p'));
    if (from !== undefined) q = q.where('f.day', '>=', from);
    if (to !== undefined) q = q.where('f.day', '<=', to);
    // Categories are stored as a JSON array of strings: match the quoted name, case-insensitively.
    if (filter.category) q = q.where(sql<boolean>`lower(p.categories) like ${`%${JSON.stringify(filter.category.toLowerCase())}%`}`);
    const unseenBy = filter.unseenBy;
    if (unseenBy !== undefined) {
      q = q.where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('paper_reads as r').select('r.paper_id').whereRef('r.paper_id', '=', 'f.paper_id').where('r.user_id', '=', unseenBy))),
      );
    }
    return q;
  }

  async entryFor(paperId: string): Promise<FeedEntry | null> {
    const r = await this.db.selectFrom('feed_entries').selectAll().where('paper_id', '=', paperId).executeTakeFirst();
    return r ? rowToFeedEntry(r) : null;
  }

  /**
   * Visible papers on the feed between two days (inclusive), most upvoted first, then by feed day
   * and position.
   */
  async items(from: string, to: string, opts: { limit?: number; offset?: number; submittedBy?: string; order?: FeedOrder } & FeedFilter = {}): Promise<FeedItem[]> {
    // Rank on narrow columns first (the sort then never carries abstracts), then load the page's rows.
    let q = this.visibleEntries(from, to, opts)
      .select(['f.paper_id as id', 'f.day as f_day', 'f.position as f_position', 'f.submitted_by as f_submitted_by']);
    if (opts.submittedBy) q = q.where('f.submitted_by', '=', opts.submittedBy);
    if (opts.order === 'stars') {
      // GitHub stars of the paper's repository (issue 17); papers without one after those with.
      q = q
        .leftJoin('paper_enrichments as e', 'e.paper_id', 'f.paper_id')
        .leftJoin('github_repos as g', (j) => j.onRef('g.repo', '=', 'e.github_repo').on('g.status', '=', 'ok'))
        .orderBy(sql`coalesce(g.stars, -1)`, 'desc');
    }
    const ranked = await q
      .orderBy('p.upvotes', 'desc')
      .orderBy('f.day', 'desc')
      .orderBy('f.position', 'asc')
      .limit(opts.limit ?? 50)
      .offset(opts.offset ?? 0)
      .execute();
    if (!ranked.length) return [];
    const rows = await this.db.selectFrom('papers').selectAll().where('id', 'in', ranked.map((r) => r.id)).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ranked
      .filter((r) => byId.has(r.id))
      .map((r) => ({
        entry: { day: r.f_day, paperId: r.id, position: Number(r.f_position), submittedBy: r.f_submitted_by },
        paper: rowToPaper(byId.get(r.id)!),
      }));
  }

  /**
   * Visible papers on the feed between two days (inclusive), newest day first and each day in
   * feed order — the Daily Papers API's `sort=publishedAt` and the daily RSS/Atom feed.
   */
  async itemsNewestFirst(from: string, to: string, opts: { limit?: number; offset?: number; submittedBy?: string } & FeedFilter = {}): Promise<FeedItem[]> {
    let q = this.visibleEntries(from, to, opts)
      .selectAll('p')
      .select(['f.day as f_day', 'f.position as f_position', 'f.submitted_by as f_submitted_by']);
    if (opts.submittedBy) q = q.where('f.submitted_by', '=', opts.submittedBy);
    const rows = await q
      .orderBy('f.day', 'desc')
      .orderBy('f.position', 'asc')
      .limit(opts.limit ?? 50)
      .offset(opts.offset ?? 0)
      .execute();
    return rows.map((r) => ({
      entry: { day: r.f_day, paperId: r.id, position: Number(r.f_position), submittedBy: r.f_submitted_by },
      paper: rowToPaper(r),
    }));
  }

  /**
   * The narrow facts trending ranks on (no abstracts), for visible papers on the feed between two
   * days: rank these, then load only the page's papers.
   */
  async rankingFacts(from: string, to: string, opts: { limit?: number; submittedBy?: string } & FeedFilter = {}): Promise<{ entry: FeedEntry; upvotes: number; numComments: number }[]> {
    let q = this.visibleEntries(from, to, opts)
      .select(['f.paper_id', 'f.day', 'f.position', 'f.submitted_by', 'p.upvotes', 'p.num_comments']);
    if (opts.submittedBy) q = q.where('f.submitted_by', '=', opts.submittedBy);
    const rows = await q.orderBy('f.day', 'desc').orderBy('f.position', 'asc').limit(opts.limit ?? 5000).execute();
    return rows.map((r) => ({
      entry: { day: r.day, paperId: r.paper_id, position: Number(r.position), submittedBy: r.submitted_by },
      upvotes: Number(r.upvotes),
      numComments: Number(r.num_comments),
    }));
  }

  async countItems(from: string, to: string, filter: FeedFilter = {}): Promise<number> {
    const r = await this.visibleEntries(from, to, filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The newest day with at least one visible paper. */
  async newestDay(): Promise<string | null> {
    return this.adjacentDay('9999-12-31', 'before', true);
  }

  /** The nearest day before or after `day` that has visible papers (skipping empty days). */
  async adjacentDay(day: string, direction: 'before' | 'after', inclusive = false, filter: Pick<FeedFilter, 'category'> = {}): Promise<string | null> {
    const op = direction === 'before' ? (inclusive ? '<=' : '<') : inclusive ? '>=' : '>';
    const r = await this.visibleEntries(undefined, undefined, { category: filter.category })
      .select('f.day')
      .where('f.day', op, day)
      .orderBy('f.day', direction === 'before' ? 'desc' : 'asc')
      .limit(1)
      .executeTakeFirst();
    return r?.day ?? null;
  }

  async countDays(): Promise<number> {
    const r = await this.db
      .selectFrom('feed_entries')
      .select((eb) => eb.fn.count<number>('day').distinct().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** How many papers `username` put on the feed since `since` (ISO time): the submission quota. */
  async countSubmittedSince(username: string, since: string): Promise<number> {
    const r = await this.db
      .selectFrom('feed_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('submitted_by', '=', username)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Papers a user submitted, newest first (hidden and withdrawn ones left out). */
  async submittedBy(username: string, limit = 50): Promise<FeedItem[]> {
    const rows = await this.db
      .selectFrom('feed_entries as f')
      .innerJoin('papers as p', 'p.id', 'f.paper_id')
      .selectAll('p')
      .select(['f.day as f_day', 'f.position as f_position', 'f.submitted_by as f_submitted_by'])
      .where('f.submitted_by', '=', username)
      .where(visiblePaper('p'))
      .orderBy('f.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      entry: { day: r.f_day, paperId: r.id, position: Number(r.f_position), submittedBy: r.f_submitted_by },
      paper: rowToPaper(r),
    }));
  }
}
