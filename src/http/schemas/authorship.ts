import { z } from 'zod';
import { PaperSchema } from './paper.ts';

export const ClaimSchema = z
  .object({
    id: z.number().int(),
    paperId: z.string(),
    user: z.string(),
    authorName: z.string().describe('the name as the paper lists it'),
    evidence: z.string().nullable(),
    status: z.enum(['pending', 'approved', 'refused', 'revoked']),
    createdAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
  })
  .meta({ id: 'AuthorClaim' });

export const QueuedClaimSchema = ClaimSchema.extend({ paperTitle: z.string(), conflicts: z.array(z.string()).describe('accounts already verified under the same listed name') }).meta({ id: 'QueuedAuthorClaim' });

export const ClaimBody = z.object({
  authorName: z.string().max(300).describe('one of the paper’s listed author names: yours'),
  evidence: z.string().max(1000).optional().describe('what shows it is you (a homepage, an ORCID, an institutional address), at most 1000 characters'),
});

export const RevokeClaimBody = z.object({ note: z.string().max(500).optional().describe('why, for the audit log') });

export const DecideClaimBody = z.object({ decision: z.enum(['approve', 'refuse']), note: z.string().max(500).optional() });

export const AuthorLinksSchema = z
  .object({ code: z.string().nullable(), project: z.string().nullable(), setBy: z.string().nullable(), updatedAt: z.string().nullable() })
  .meta({ id: 'AuthorLinks', description: 'Links set by a verified author: they win over harvested or discovered links.' });

export const LinksBody = z.object({
  code: z.string().max(600).optional().describe('https:// only, at most 500 characters; empty clears it'),
  project: z.string().max(600).optional().describe('https:// only, at most 500 characters; empty clears it'),
});

export const OrgSchema = z
  .object({ slug: z.string(), name: z.string(), website: z.string().nullable(), source: z.enum(['arxiv', 'declared']), url: z.string() })
  .meta({ id: 'Organisation' });

export const PaperAuthorshipSchema = z
  .object({
    paperId: z.string(),
    verified: z.array(z.object({ authorName: z.string(), user: z.string() })),
    links: AuthorLinksSchema,
    affiliations: z.array(z.object({ author: z.string(), slug: z.string(), name: z.string() })),
  })
  .meta({ id: 'PaperAuthorship' });

export const OrgSummarySchema = OrgSchema.extend({ papers: z.number().int() }).meta({ id: 'OrganisationSummary' });
export const PendingOrgSchema = OrgSchema.extend({ id: z.number().int(), declaredBy: z.string().nullable(), createdAt: z.string() }).meta({ id: 'PendingOrganisation' });

export const OrgPageSchema = z.object({
  organisation: OrgSchema,
  members: z.array(z.string()),
  page: z.number().int(),
  hasMore: z.boolean(),
  items: z.array(z.object({ day: z.string(), paper: PaperSchema })),
});

export const DeclareOrgBody = z.object({ name: z.string().max(400), website: z.string().max(600).optional().describe('https:// only; stored as text, never fetched') });
export const DecideOrgBody = z.object({ decision: z.enum(['list', 'refuse']) });
export const PageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).optional(), q: z.string().max(100).optional() });
export const SlugParams = z.object({ slug: z.string().regex(/^[a-z0-9-]{1,80}$/, 'expected an organisation slug') });
