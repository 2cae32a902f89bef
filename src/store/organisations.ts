import { sql, type Kysely } from 'kysely';
import type { Organisation, OrgSource, OrgStatus, OrgSummary, PaperAffiliation, PendingOrg } from '../domain/organisation.ts';
import type { FeedItem } from '../domain/paper.ts';
import { rowToPaper } from './mappers.ts';
import type { Database } from './schema.ts';
import { visiblePaper } from './visibility.ts';

/**
 * Organisations, the papers arXiv affiliates with them and their declared members (migration 1321).
 * An organisation's papers are the affiliated ones plus those its members are verified authors of.
 */
export class OrganisationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The affiliations a harvest read for its papers, replacing what an earlier harvest stored for
   * them. New organisations are listed at once (arXiv is the source); a declared one keeps its
   * status. A few statements per page of records, not per paper.
   */
  async setHarvested(papers: ReadonlyArray<{ paperId: string; affiliations: ReadonlyArray<{ author: string; name: string; slug: string }> }>, now = new Date().toISOString()): Promise<void> {
    for (let i = 0; i < papers.length; i += 500) {
      await this.db
        .deleteFrom('paper_organisations')
        .where(
          'paper_id',
          'in',
          papers.slice(i, i + 500).map((p) => p.paperId),
        )
        .execute();
    }
    const bySlug = new Map<string, string>();
    for (const p of papers) for (const a of p.affiliations) if (!bySlug.has(a.slug)) bySlug.set(a.slug, a.name);
    if (!bySlug.size) return;
    const slugs = [...bySlug.keys()];
    const ids = new Map<string, number>();
    for (let i = 0; i < slugs.length; i += 500) {
      const chunk = slugs.slice(i, i + 500);
      await this.db
        .insertInto('organisations')
        .values(chunk.map((slug) => ({ slug, name: bySlug.get(slug)!, website: null, status: 'listed', source: 'arxiv', declared_by: null, created_at: now })))
        .onConflict((oc) => oc.column('slug').doNothing())
        .execute();
      for (const r of await this.db.selectFrom('organisations').select(['id', 'slug']).where('slug', 'in', chunk).execute()) ids.set(r.slug, Number(r.id));
    }
    const rows = new Map<string, { paper_id: string; org_id: number; author: string }>();
    for (const p of papers)
      for (const a of p.affiliations) {
        const orgId = ids.get(a.slug);
        if (orgId !== undefined) rows.set(`${p.paperId}\u0001${orgId}\u0001${a.author}`, { paper_id: p.paperId, org_id: orgId, author: a.author });
      }
    const all = [...rows.values()];
    for (let i = 0; i < all.length; i += 300) await this.db.insertInto('paper_organisations').values(all.slice(i, i + 300)).onConflict((oc) => oc.doNothing()).execute();
  }

  async bySlug(slug: string): Promise<Organisation | null> {
    const r = await this.db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
    return r ? toOrg(r) : null;
  }

  async get(id: number): Promise<Organisation | null> {
    const r = await this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toOrg(r) : null;
  }

  /** A declared organisation (pending), or the existing one with that slug; the reader becomes a member either way. */
  async declare(d: { slug: string; name: string; website: string | null; userId: number }, now = new Date().toISOString()): Promise<{ org: Organisation; created: boolean }> {
    const inserted = await this.db
      .insertInto('organisations')
      .values({ slug: d.slug, name: d.name, website: d.website, status: 'pending', source: 'declared', declared_by: d.userId, created_at: now })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning('id')
      .executeTakeFirst();
    const org = (await this.bySlug(d.slug))!;
    await this.db.insertInto('organisation_members').values({ user_id: d.userId, org_id: org.id, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
    return { org, created: inserted !== undefined };
  }

  /** A reader leaves an organisation; false when they were not a member. */
  async leave(userId: number, orgId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('organisation_members').where('user_id', '=', userId).where('org_id', '=', orgId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The organisations a reader declared membership of (every status: the reader sees their own pending ones). */
  async ofMember(userId: number): Promise<Organisation[]> {
    const rows = await this.db
      .selectFrom('organisation_members as m')
      .innerJoin('organisations as o', 'o.id', 'm.org_id')
      .selectAll('o')
      .where('m.user_id', '=', userId)
      .orderBy('o.name')
      .execute();
    return rows.map(toOrg);
  }

  async countMembers(userId: number): Promise<number> {
    const r = await this.db.selectFrom('organisation_members').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Listed members' names of an organisation. */
  async members(orgId: number, limit = 100): Promise<string[]> {
    const rows = await this.db
      .selectFrom('organisation_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('u.username')
      .where('m.org_id', '=', orgId)
      .where('u.banned', '=', 0)
      .orderBy('u.username')
      .limit(limit)
      .execute();
    return rows.map((r) => r.username);
  }

  /** Declarations waiting for a moderator, oldest first. */
  async pending(limit = 100): Promise<PendingOrg[]> {
    const rows = await this.db
      .selectFrom('organisations as o')
      .leftJoin('users as u', 'u.id', 'o.declared_by')
      .selectAll('o')
      .select('u.username as declarer')
      .where('o.status', '=', 'pending')
      .orderBy('o.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toOrg(r), declaredBy: r.declarer ?? null }));
  }

  async countPending(): Promise<number> {
    const r = await this.db.selectFrom('organisations').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Lists or refuses a pending organisation; false when it is not pending. */
  async decide(id: number, status: Exclude<OrgStatus, 'pending'>, by: string, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.updateTable('organisations').set({ status, decided_by: by, decided_at: now }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The paper ids an organisation holds: affiliated by arXiv, or claimed (approved) by one of its members. */
  private paperIdsOf(orgId: number) {
    return this.db
      .selectFrom('paper_organisations')
      .select('paper_id')
      .where('org_id', '=', orgId)
      .union(
        this.db
          .selectFrom('organisation_members as m')
          .innerJoin('author_claims as c', 'c.user_id', 'm.user_id')
          .select('c.paper_id')
          .where('m.org_id', '=', orgId)
          .where('c.status', '=', 'approved'),
      );
  }

  /** An organisation's papers on the feed, newest day first (in feed order within a day). */
  async papers(orgId: number, opts: { limit?: number; offset?: number } = {}): Promise<FeedItem[]> {
    const rows = await this.db
      .selectFrom('papers as p')
      .innerJoin('feed_entries as f', 'f.paper_id', 'p.id')
      .selectAll('p')
      .select(['f.day as f_day', 'f.position as f_position', 'f.submitted_by as f_submitted_by'])
      .where(visiblePaper('p'))
      .where('p.id', 'in', this.paperIdsOf(orgId))
      .orderBy('f.day', 'desc')
      .orderBy('f.position', 'asc')
      .limit(opts.limit ?? 50)
      .offset(opts.offset ?? 0)
      .execute();
    return rows.map((r) => ({ entry: { day: r.f_day, paperId: r.id, position: Number(r.f_position), submittedBy: r.f_submitted_by }, paper: rowToPaper(r) }));
  }

  /** Visible papers of an organisation published before `day`, newest first (For you's stand-ins for a followed organisation). */
  async paperIds(orgId: number, limit = 50): Promise<string[]> {
    const rows = await this.db
      .selectFrom('papers as p')
      .select('p.id')
      .where(visiblePaper('p'))
      .where('p.id', 'in', this.paperIdsOf(orgId))
      .orderBy('p.published_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Listed organisations with their paper counts, most papers first. */
  async listed(opts: { limit?: number; offset?: number; q?: string } = {}): Promise<OrgSummary[]> {
    const links = this.db
      .selectFrom('paper_organisations')
      .select(['org_id', 'paper_id'])
      .union(this.db.selectFrom('organisation_members as m').innerJoin('author_claims as c', 'c.user_id', 'm.user_id').select(['m.org_id', 'c.paper_id']).where('c.status', '=', 'approved'));
    let q = this.db
      .selectFrom('organisations as o')
      .leftJoin(links.as('l'), 'l.org_id', 'o.id')
      .selectAll('o')
      .select((eb) => eb.fn.count<number>('l.paper_id').as('n'))
      .where('o.status', '=', 'listed')
      .groupBy(['o.id', 'o.slug', 'o.name', 'o.website', 'o.status', 'o.source', 'o.declared_by', 'o.created_at', 'o.decided_by', 'o.decided_at']);
    if (opts.q) q = q.where(sql`lower(o.name)`, 'like', `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const rows = await q
      .orderBy('n', 'desc')
      .orderBy('o.name')
      .limit(opts.limit ?? 50)
      .offset(opts.offset ?? 0)
      .execute();
    return rows.map((r) => ({ ...toOrg(r), papers: Number(r.n) }));
  }

  /** A paper's listed affiliations, in author order as stored. */
  async affiliationsOf(paperId: string): Promise<PaperAffiliation[]> {
    return listedAffiliationRows(this.db, paperId).execute();
  }

  /** For each of `paperIds`: the listed organisations' slugs it belongs to (affiliation or member's claim). */
  async slugsOfPapers(paperIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const push = (paperId: string, slug: string) => {
      const l = out.get(paperId);
      if (!l) out.set(paperId, [slug]);
      else if (!l.includes(slug)) l.push(slug);
    };
    for (let i = 0; i < paperIds.length; i += 500) {
      const ids = paperIds.slice(i, i + 500) as string[];
      const affiliated = await this.db
        .selectFrom('paper_organisations as po')
        .innerJoin('organisations as o', 'o.id', 'po.org_id')
        .select(['po.paper_id', 'o.slug'])
        .distinct()
        .where('po.paper_id', 'in', ids)
        .where('o.status', '=', 'listed')
        .execute();
      const claimed = await this.db
        .selectFrom('author_claims as c')
        .innerJoin('organisation_members as m', 'm.user_id', 'c.user_id')
        .innerJoin('organisations as o', 'o.id', 'm.org_id')
        .select(['c.paper_id', 'o.slug'])
        .distinct()
        .where('c.paper_id', 'in', ids)
        .where('c.status', '=', 'approved')
        .where('o.status', '=', 'listed')
        .execute();
      for (const r of [...affiliated, ...claimed]) push(r.paper_id, r.slug);
    }
    return out;
  }

  /** Names of listed organisations by slug. */
  async names(slugs: readonly string[]): Promise<Map<string, string>> {
    if (!slugs.length) return new Map();
    const rows = await this.db.selectFrom('organisations').select(['slug', 'name']).where('slug', 'in', slugs.slice(0, 500) as string[]).execute();
    return new Map(rows.map((r) => [r.slug, r.name]));
  }
}

function toOrg(r: { id: number; slug: string; name: string; website: string | null; status: string; source: string; created_at: string }): Organisation {
  return { id: Number(r.id), slug: r.slug, name: r.name, website: r.website, status: r.status as OrgStatus, source: r.source as OrgSource, createdAt: r.created_at };
}

/** A paper's affiliations with listed organisations (a pending or refused one is not shown), by name. */
export function listedAffiliationRows(db: Kysely<Database>, paperId: string) {
  return db
    .selectFrom('paper_organisations as po')
    .innerJoin('organisations as o', 'o.id', 'po.org_id')
    .select(['po.author', 'o.slug', 'o.name'])
    .where('po.paper_id', '=', paperId)
    .where('o.status', '=', 'listed')
    .orderBy('o.name');
}
