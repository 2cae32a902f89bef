import { z } from 'zod';
import { authorUrl } from '../domain/authorship.ts';
import type { User } from '../domain/community.ts';
import { orgName, orgSlug, SLUG_RE, type Organisation, type OrgSummary, type PaperAffiliation, type PendingOrg } from '../domain/organisation.ts';
import type { FeedItem } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';

const noNul = (s: string) => !s.includes('\0');

export const DeclareOrgInput = z.object({
  name: z.string().max(400).refine(noNul, 'contains a NUL byte'),
  website: z.string().max(2000).refine(noNul, 'contains a NUL byte').nullish(),
});

/** At most this many organisations per reader. */
export const MAX_MEMBERSHIPS = 10;

export type OrgDecision = 'list' | 'refuse';

function requireAdmin(actor: User): void {
  if (actor.role !== 'admin') throw new ServiceError(403, 'admin_only', 'only moderators can confirm organisations');
}

function notFound(slug: string): ServiceError {
  return new ServiceError(404, 'not_found', `no organisation “${slug.slice(0, 80)}”`);
}

/**
 * Organisations: those arXiv names as affiliations (stored by the harvest, listed at once) and
 * those readers declare (pending until a moderator lists them; only listed ones are public). A
 * declared website is stored as text and shown as a link, never fetched.
 */
export class OrganisationService {
  constructor(private readonly store: Store) {}

  /** A reader declares an organisation they belong to: a new one waits for a moderator; an existing one just gains a member. */
  async declare(user: User, input: z.input<typeof DeclareOrgInput>): Promise<{ org: Organisation; created: boolean }> {
    const parsed = DeclareOrgInput.safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_org', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const name = orgName(parsed.data.name);
    const slug = name && orgSlug(name);
    if (!name || !slug) throw new ServiceError(400, 'invalid_org', 'an organisation needs a name of 1 to 200 characters with a letter or digit');
    let website: string | null = null;
    if (parsed.data.website?.trim()) {
      website = authorUrl(parsed.data.website);
      if (!website) throw new ServiceError(400, 'invalid_org', 'the website must be an https:// address of at most 500 characters');
    }
    const existing = await this.store.organisations.bySlug(slug);
    if (existing?.status === 'refused') throw new ServiceError(409, 'org_refused', `moderators did not list “${existing.name}”`);
    if ((await this.store.organisations.countMembers(user.id)) >= MAX_MEMBERSHIPS) throw new ServiceError(409, 'too_many_orgs', `at most ${MAX_MEMBERSHIPS} organisations per account`);
    return this.store.organisations.declare({ slug, name, website, userId: user.id });
  }

  async leave(user: User, slug: string): Promise<void> {
    const org = SLUG_RE.test(slug) ? await this.store.organisations.bySlug(slug) : null;
    if (!org || !(await this.store.organisations.leave(user.id, org.id))) throw notFound(slug);
  }

  /** The reader's organisations, pending ones included (only the reader sees those). */
  mine(user: User): Promise<Organisation[]> {
    return this.store.organisations.ofMember(user.id);
  }

  /** Listed organisations a profile shows. */
  async listedOf(userId: number): Promise<Organisation[]> {
    return (await this.store.organisations.ofMember(userId)).filter((o) => o.status === 'listed');
  }

  /** A listed organisation by slug; 404 for unknown, pending or refused ones. */
  async listedBySlug(slug: string): Promise<Organisation> {
    const org = SLUG_RE.test(slug) ? await this.store.organisations.bySlug(slug) : null;
    if (!org || org.status !== 'listed') throw notFound(slug);
    return org;
  }

  /** `/orgs/{slug}`: the organisation, a page of its papers (newest day first) and its members. */
  async page(slug: string, opts: { limit: number; offset: number }): Promise<{ org: Organisation; items: FeedItem[]; hasMore: boolean; members: string[] }> {
    const org = await this.listedBySlug(slug);
    const [items, members] = await Promise.all([this.store.organisations.papers(org.id, { limit: opts.limit + 1, offset: opts.offset }), this.store.organisations.members(org.id)]);
    return { org, items: items.slice(0, opts.limit), hasMore: items.length > opts.limit, members };
  }

  /** `/orgs`: listed organisations, most papers first, optionally those whose name contains `q`. */
  async index(opts: { limit: number; offset: number; q?: string }): Promise<{ orgs: OrgSummary[]; hasMore: boolean }> {
    const q = opts.q?.trim().slice(0, 100) || undefined;
    const orgs = await this.store.organisations.listed({ limit: opts.limit + 1, offset: opts.offset, q });
    return { orgs: orgs.slice(0, opts.limit), hasMore: orgs.length > opts.limit };
  }

  affiliationsOf(paperId: string): Promise<PaperAffiliation[]> {
    return this.store.organisations.affiliationsOf(paperId);
  }

  async pending(actor: User, limit = 100): Promise<PendingOrg[]> {
    requireAdmin(actor);
    return this.store.organisations.pending(limit);
  }

  async countPending(actor: User): Promise<number> {
    requireAdmin(actor);
    return this.store.organisations.countPending();
  }

  /** A moderator lists (confirms) or refuses a declared organisation; audit-logged. */
  async decide(actor: User, orgId: number, decision: OrgDecision): Promise<Organisation> {
    requireAdmin(actor);
    if (decision !== 'list' && decision !== 'refuse') throw new ServiceError(400, 'invalid_decision', 'list or refuse');
    return this.store.transaction(async (tx) => {
      const org = await tx.organisations.get(orgId);
      if (!org) throw new ServiceError(404, 'not_found', `organisation ${orgId} not found`);
      if (!(await tx.organisations.decide(orgId, decision === 'list' ? 'listed' : 'refused', actor.username))) throw new ServiceError(409, 'already_decided', `“${org.name}” is already ${org.status}`);
      await tx.auditLog.add({ actorId: actor.id, actorName: actor.username, action: `org.${decision}`, targetType: 'organisation', targetId: org.slug, detail: JSON.stringify({ id: org.id, name: org.name }) });
      return (await tx.organisations.get(orgId))!;
    });
  }
}
