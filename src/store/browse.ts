import { sql, type Kysely } from 'kysely';
import type { FeedItem } from '../domain/paper.ts';
import type { Database } from './schema.ts';
import { rowToPaper } from './mappers.ts';
import { visiblePaper } from './visibility.ts';

/** `%` and `_` match literally inside a LIKE pattern built from user text (escape char `\`). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The site's read queries beyond the daily feed and search: an author's papers, title suggestions as
 * you type and the categories for the search filter. Same SQL on both stores.
 */
export class BrowseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private visibleFeed() {
    return this.db
      .selectFrom('papers as p')
      .innerJoin('feed_entries as f', 'f.paper_id', 'p.id')
      .selectAll('p')
      .select(['f.day as f_day', 'f.position as f_position', 'f.submitted_by as f_submitted_by'])
      .where(visiblePaper('p'));
  }

  private toItems(rows: Array<Parameters<typeof rowToPaper>[0] & { f_day: string; f_position: number; f_submitted_by: string | null }>): FeedItem[] {
    return rows.map((r) => ({
      entry: { day: r.f_day, paperId: r.id, position: Number(r.f_position), submittedBy: r.f_submitted_by },
      paper: rowToPaper(r),
    }));
  }

  /** Papers that list any of `names` exactly among their authors (one author, or a verified author's name variants), newest feed day first. */
  async byAnyAuthor(names: readonly string[], opts: { limit?: number; offset?: number } = {}): Promise<FeedItem[]> {
    // Authors are stored as a JSON array, so the quoted JSON string is an exact-name match.
    const patterns = names.slice(0, 50).map((n) => `%${likeEscape(JSON.stringify(n))}%`);
    if (!patterns.length) return [];
    const rows = await this.visibleFeed()
      .where((eb) => eb.or(patterns.map((pattern) => sql<boolean>`p.authors like ${pattern} escape '\\'`)))
      .orderBy('f.day', 'desc')
      .orderBy('f.position', 'asc')
      .limit(opts.limit ?? 50)
      .offset(opts.offset ?? 0)
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
      .where(visiblePaper())
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
      .where(visiblePaper())
      .where('primary_category', 'is not', null)
      .groupBy('primary_category')
      .orderBy('n', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ category: r.primary_category!, count: Number(r.n) }));
  }
}
