import { sql, type Kysely } from 'kysely';
import type { FeedItem } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import { rowToPaper } from './mappers.ts';

export type KeywordSort = 'relevance' | 'newest' | 'upvotes';

export interface KeywordQuery {
  /** Words that must each appear in the title or abstract (case-insensitive). */
  terms: string[];
  from?: string;
  to?: string;
  category?: string;
  sort?: KeywordSort;
  limit?: number;
  offset?: number;
}

/** `%` and `_` match literally inside a LIKE pattern built from user text (escape char `\`). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The site's read queries beyond the daily feed: an author's papers, a plain keyword search (the
 * fallback until a search service is wired) and title suggestions. Same SQL on both stores.
 */
export class BrowseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private visibleFeed() {
    return this.db
      .selectFrom('papers as p')
      .innerJoin('feed_entries as f', 'f.paper_id', 'p.id')
      .selectAll('p')
      .select(['f.day as f_day', 'f.position as f_position', 'f.submitted_by as f_submitted_by'])
      .where('p.hidden', '=', 0)
      .where('p.deleted', '=', 0);
  }

  private toItems(rows: Array<Parameters<typeof rowToPaper>[0] & { f_day: string; f_position: number; f_submitted_by: string | null }>): FeedItem[] {
    return rows.map((r) => ({
      entry: { day: r.f_day, paperId: r.id, position: Number(r.f_position), submittedBy: r.f_submitted_by },
      paper: rowToPaper(r),
    }));
  }

  /** Papers that list `name` exactly among their authors, newest feed day first. */
  async byAuthor(name: string, opts: { limit?: number; offset?: number } = {}): Promise<FeedItem[]> {
    // Authors are stored as a JSON array, so the quoted JSON string is an exact-name match.
    const pattern = `%${likeEscape(JSON.stringify(name))}%`;
    const rows = await this.visibleFeed()
      .where(sql<boolean>`p.authors like ${pattern} escape '\\'`)
      .orderBy('f.day', 'desc')
      .orderBy('f.position', 'asc')
      .limit(opts.limit ?? 50)
      .offset(opts.offset ?? 0)
      .execute();
    return this.toItems(rows);
  }

  /** Every term in the title or abstract; filters on feed day and category. */
  async keywordSearch(q: KeywordQuery): Promise<FeedItem[]> {
    const terms = q.terms.map((t) => t.toLowerCase()).filter(Boolean).slice(0, 8);
    if (!terms.length) return [];
    let query = this.visibleFeed();
    for (const t of terms) {
      const pattern = `%${likeEscape(t)}%`;
      query = query.where((eb) =>
        eb.or([eb(sql`lower(p.title)`, 'like', sql`${pattern} escape '\\'`), eb(sql`lower(p.abstract)`, 'like', sql`${pattern} escape '\\'`)]),
      );
    }
    if (q.from) query = query.where('f.day', '>=', q.from);
    if (q.to) query = query.where('f.day', '<=', q.to);
    if (q.category) {
      const cat = `%${likeEscape(JSON.stringify(q.category))}%`;
      query = query.where(sql<boolean>`p.categories like ${cat} escape '\\'`);
    }
    const sort = q.sort ?? 'relevance';
    if (sort === 'relevance') {
      const first = `%${likeEscape(terms.join(' '))}%`;
      query = query.orderBy(sql`case when lower(p.title) like ${first} escape '\\' then 0 else 1 end`).orderBy('p.upvotes', 'desc');
    } else if (sort === 'upvotes') {
      query = query.orderBy('p.upvotes', 'desc');
    }
    const rows = await query
      .orderBy('f.day', 'desc')
      .orderBy('f.position', 'asc')
      .limit(q.limit ?? 25)
      .offset(q.offset ?? 0)
      .execute();
    return this.toItems(rows);
  }

  /** Titles containing `prefix`, most upvoted first: search suggestions as you type. */
  async suggestTitles(text: string, limit = 8): Promise<Array<{ id: string; title: string }>> {
    const t = text.trim().toLowerCase();
    if (t.length < 2) return [];
    const rows = await this.db
      .selectFrom('papers')
      .select(['id', 'title'])
      .where('hidden', '=', 0)
      .where('deleted', '=', 0)
      .where(sql`lower(title)`, 'like', sql`${`%${likeEscape(t)}%`} escape '\\'`)
      .orderBy('upvotes', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows;
  }

  /** Distinct primary categories with how many visible papers each has, most first. */
  async categories(limit = 200): Promise<Array<{ category: string; count: number }>> {
    const rows = await this.db
      .selectFrom('papers')
      .select(['primary_category', (eb) => eb.fn.countAll<number>().as('n')])
      .where('hidden', '=', 0)
      .where('deleted', '=', 0)
      .where('primary_category', 'is not', null)
      .groupBy('primary_category')
      .orderBy('n', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ category: r.primary_category!, count: Number(r.n) }));
  }
}
