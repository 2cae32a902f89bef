import { sql, type Kysely } from 'kysely';
import type { AuthorClaim, AuthorLinkKind, AuthorLinks, ClaimStatus, QueuedClaim, VerifiedAuthor } from '../domain/authorship.ts';
import type { PaperAffiliation } from '../domain/organisation.ts';
import type { Database } from './schema.ts';
import { jsonRows, rowsOf } from './json-rows.ts';
import { listedAffiliationRows } from './organisations.ts';
import { visiblePaper } from './visibility.ts';

/** Author claims and author-set links (see migration 1320). */
export class AuthorClaimRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Files a pending claim; null when the reader already has one pending on this paper. */
  async create(c: { userId: number; paperId: string; authorName: string; authorKey: string; evidence: string | null }, now = new Date().toISOString()): Promise<number | null> {
    const row = await this.db
      .insertInto('author_claims')
      .values({ user_id: c.userId, paper_id: c.paperId, author_name: c.authorName, author_key: c.authorKey, evidence: c.evidence, status: 'pending', created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'paper_id']).where(sql.ref('status'), '=', sql.lit('pending')).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row ? Number(row.id) : null;
  }

  async get(id: number): Promise<AuthorClaim | null> {
    const r = await this.base().where('c.id', '=', id).executeTakeFirst();
    return r ? toClaim(r) : null;
  }

  /** A reader's claims on one paper, newest first. */
  async ofUserOnPaper(userId: number, paperId: string): Promise<AuthorClaim[]> {
    return (await this.ofUserOnPaperRows(userId, paperId).execute()).map(toClaim);
  }

  private ofUserOnPaperRows(userId: number, paperId: string) {
    return this.base().where('c.user_id', '=', userId).where('c.paper_id', '=', paperId).orderBy('c.id', 'desc');
  }

  /** Pending claims, oldest first, with the paper's title and any approved claim already on the same name. */
  async pending(limit = 100): Promise<QueuedClaim[]> {
    const rows = await this.base()
      .innerJoin('papers as p', 'p.id', 'c.paper_id')
      .select('p.title as paper_title')
      .where('c.status', '=', 'pending')
      .orderBy('c.id')
      .limit(limit)
      .execute();
    const out: QueuedClaim[] = [];
    for (const r of rows) {
      const others = await this.db
        .selectFrom('author_claims as o')
        .innerJoin('users as u', 'u.id', 'o.user_id')
        .select('u.username')
        .where('o.paper_id', '=', r.paper_id)
        .where('o.author_key', '=', r.author_key)
        .where('o.status', '=', 'approved')
        .execute();
      out.push({ ...toClaim(r), paperTitle: r.paper_title, conflicts: others.map((o) => o.username) });
    }
    return out;
  }

  async countPending(): Promise<number> {
    const r = await this.db.selectFrom('author_claims').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Decides a pending claim; false when it is no longer pending (decided meanwhile). */
  async decide(id: number, status: Exclude<ClaimStatus, 'pending'>, by: string, note: string | null, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .updateTable('author_claims')
      .set({ status, decided_by: by, decided_at: now, decision_note: note })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The approved claim on a listed name of a paper, if any. */
  /** Revokes an approved claim; false when it is not (or no longer) approved. */
  async revoke(id: number, by: string, note: string | null, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db
      .updateTable('author_claims')
      .set({ status: 'revoked', decided_by: by, decided_at: now, decision_note: note })
      .where('id', '=', id)
      .where('status', '=', 'approved')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Approved claims with their papers' titles, most recently decided first (the moderators' list to revoke from). */
  async approved(limit = 100): Promise<Array<AuthorClaim & { paperTitle: string }>> {
    const rows = await this.base()
      .innerJoin('papers as p', 'p.id', 'c.paper_id')
      .select('p.title as paper_title')
      .where('c.status', '=', 'approved')
      .orderBy('c.decided_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toClaim(r), paperTitle: r.paper_title }));
  }

  /** Removes the author-set links a user set last on a paper (their claim was revoked). */
  async removeLinksSetBy(paperId: string, userId: number): Promise<number> {
    const r = await this.db.deleteFrom('author_links').where('paper_id', '=', paperId).where('set_by', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async approvedOnName(paperId: string, authorKey: string): Promise<AuthorClaim | null> {
    const r = await this.base().where('c.paper_id', '=', paperId).where('c.author_key', '=', authorKey).where('c.status', '=', 'approved').executeTakeFirst();
    return r ? toClaim(r) : null;
  }

  /** Whether the reader is a verified author of the paper. */
  async isVerifiedAuthor(userId: number, paperId: string): Promise<boolean> {
    const r = await this.db.selectFrom('author_claims').select('id').where('user_id', '=', userId).where('paper_id', '=', paperId).where('status', '=', 'approved').executeTakeFirst();
    return r !== undefined;
  }

  /** The verified authors of a paper, by listed name. */
  async verifiedAuthors(paperId: string): Promise<VerifiedAuthor[]> {
    return (await verifiedAuthorRows(this.db, paperId).execute()).map(toVerified);
  }

  /**
   * What a paper's page shows of its authorship, in one statement (issue 19: it was three, four
   * for a signed-in reader, each a round trip on PostgreSQL): the verified authors, the author-set
   * links, the listed affiliations (`listedAffiliationRows`) and, for `viewerId`, that reader's
   * claims on it, newest first. Each list is the same query as its own method's, as a JSON column.
   */
  async pageAuthorship(paperId: string, viewerId: number | null): Promise<{ verified: VerifiedAuthor[]; links: AuthorLinks; affiliations: PaperAffiliation[]; viewerClaims: AuthorClaim[] }> {
    const db = this.db;
    const row = await db
      .selectNoFrom([
        jsonRows(db, verifiedAuthorRows(db, paperId)).as('verified'),
        jsonRows(db, authorLinkRows(db, paperId)).as('links'),
        jsonRows(db, listedAffiliationRows(db, paperId)).as('affiliations'),
      ])
      .$if(viewerId !== null, (q) => q.select(jsonRows(db, this.ofUserOnPaperRows(viewerId!, paperId)).as('viewer_claims')))
      .executeTakeFirstOrThrow();
    const viewerClaims = 'viewer_claims' in row ? rowsOf(row.viewer_claims as ClaimRow[] | string) : [];
    return { verified: rowsOf(row.verified).map(toVerified), links: toLinks(rowsOf(row.links)), affiliations: rowsOf(row.affiliations), viewerClaims: viewerClaims.map(toClaim) };
  }

  /** The visible papers a reader is a verified author of, newest first. */
  async claimedPapers(userId: number, limit = 100): Promise<Array<{ id: string; title: string; authorName: string }>> {
    const rows = await this.db
      .selectFrom('author_claims as c')
      .innerJoin('papers as p', 'p.id', 'c.paper_id')
      .select(['p.id', 'p.title', 'c.author_name'])
      .where('c.user_id', '=', userId)
      .where('c.status', '=', 'approved')
      .where(visiblePaper('p'))
      .orderBy('p.published_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, title: r.title, authorName: r.author_name }));
  }

  /**
   * Every listed name one account is verified under, given one of them: the account(s) with an
   * approved claim on `name` (compared folded), and all the names those accounts claimed.
   */
  async nameVariants(authorKey: string): Promise<{ users: Array<{ id: number; username: string }>; names: string[] }> {
    const users = await this.db
      .selectFrom('author_claims as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['u.id', 'u.username'])
      .distinct()
      .where('c.author_key', '=', authorKey)
      .where('c.status', '=', 'approved')
      .where('u.banned', '=', 0)
      .orderBy('u.id')
      .execute();
    if (!users.length) return { users: [], names: [] };
    const names = await this.db
      .selectFrom('author_claims')
      .select('author_name')
      .distinct()
      .where(
        'user_id',
        'in',
        users.map((u) => Number(u.id)),
      )
      .where('status', '=', 'approved')
      .orderBy('author_name')
      .limit(50)
      .execute();
    return { users: users.map((u) => ({ id: Number(u.id), username: u.username })), names: names.map((n) => n.author_name) };
  }

  async links(paperId: string): Promise<AuthorLinks> {
    return toLinks(await authorLinkRows(this.db, paperId).execute());
  }

  /** Sets (or with null, clears) one author-set link. */
  async setLink(paperId: string, kind: AuthorLinkKind, url: string | null, userId: number, now = new Date().toISOString()): Promise<void> {
    if (url === null) {
      await this.db.deleteFrom('author_links').where('paper_id', '=', paperId).where('kind', '=', kind).execute();
      return;
    }
    await this.db
      .insertInto('author_links')
      .values({ paper_id: paperId, kind, url, set_by: userId, updated_at: now })
      .onConflict((oc) => oc.columns(['paper_id', 'kind']).doUpdateSet({ url, set_by: userId, updated_at: now }))
      .execute();
  }

  private base() {
    return this.db
      .selectFrom('author_claims as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.user_id', 'u.username', 'c.paper_id', 'c.author_name', 'c.author_key', 'c.evidence', 'c.status', 'c.created_at', 'c.decided_by', 'c.decided_at', 'c.decision_note']);
  }
}

/** Approved claims of accounts not banned: the authors a paper's page names as verified. */
function verifiedAuthorRows(db: Kysely<Database>, paperId: string) {
  return db
    .selectFrom('author_claims as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select(['c.author_name', 'c.user_id', 'u.username'])
    .where('c.paper_id', '=', paperId)
    .where('c.status', '=', 'approved')
    .where('u.banned', '=', 0)
    .orderBy('c.id');
}

const toVerified = (r: { author_name: string; user_id: number; username: string }): VerifiedAuthor => ({ authorName: r.author_name, userId: Number(r.user_id), username: r.username });

/** A paper's author-set links, the latest first (its setter and time are the page's "set by"). */
function authorLinkRows(db: Kysely<Database>, paperId: string) {
  return db
    .selectFrom('author_links as l')
    .leftJoin('users as u', 'u.id', 'l.set_by')
    .select(['l.kind', 'l.url', 'l.updated_at', 'u.username'])
    .where('l.paper_id', '=', paperId)
    .orderBy('l.updated_at', 'desc');
}

function toLinks(rows: Array<{ kind: string; url: string; updated_at: string; username: string | null }>): AuthorLinks {
  const byKind = new Map(rows.map((r) => [r.kind, r.url]));
  return { code: byKind.get('code') ?? null, project: byKind.get('project') ?? null, setBy: rows[0]?.username ?? null, updatedAt: rows[0]?.updated_at ?? null };
}

interface ClaimRow {
  id: number;
  user_id: number;
  username: string;
  paper_id: string;
  author_name: string;
  evidence: string | null;
  status: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

function toClaim(r: ClaimRow): AuthorClaim {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    username: r.username,
    paperId: r.paper_id,
    authorName: r.author_name,
    evidence: r.evidence,
    status: r.status as ClaimStatus,
    createdAt: r.created_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
  };
}

