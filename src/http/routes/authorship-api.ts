import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import { paperIdFromPath } from '../params.ts';
import { PaperIdParams, rowIdParam } from '../schemas/common.ts';
import { presentPaper } from '../presenters/paper.ts';
import { listEnrichments } from '../list-enrichments.ts';
import { presentAuthorLinks, presentClaim, presentOrg, presentOrgSummary, presentPendingOrg, presentQueuedClaim } from '../presenters/authorship.ts';
import {
  AuthorLinksSchema,
  ClaimBody,
  ClaimSchema,
  DecideClaimBody,
  DecideOrgBody,
  RevokeClaimBody,
  DeclareOrgBody,
  LinksBody,
  OrgPageSchema,
  OrgSchema,
  OrgSummarySchema,
  PageQuery,
  PaperAuthorshipSchema,
  PendingOrgSchema,
  QueuedClaimSchema,
  SlugParams,
} from '../schemas/authorship.ts';

const IdParams = z.object({ id: rowIdParam('an id') });
const PER_PAGE = 50;

/** Author claims (readers claim, moderators decide), author-set links, and organisations. */
export function authorshipApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const writes = writeLimits(config, 'claim');

  apiRoute(
    app,
    { method: 'post', path: '/api/papers/{id}/claims', summary: 'Claim to be one of the paper’s listed authors (a moderator approves or refuses)', tags: ['authors'], params: PaperIdParams, body: ClaimBody, response: ClaimSchema, status: 201, auth: 'user', errors: { 400: 'not a listed name, or evidence too long', 404: 'no such paper', 409: 'a claim is already pending, or the name is verified', 429: 'rate limited' } },
    ...writes,
    async (c, { params, body }) => c.json(presentClaim(await c.var.services.claims.claim(c.var.user!, paperIdFromPath(params.id), body)), 201),
  );
  apiRoute(
    app,
    { method: 'get', path: '/api/papers/{id}/claims', summary: 'Your claims on this paper (pending, approved, refused)', tags: ['authors'], params: PaperIdParams, response: z.object({ claims: z.array(ClaimSchema) }), auth: 'user', errors: { 404: 'no such paper' } },
    async (c, { params }) => ({ claims: (await c.var.services.claims.mine(c.var.user!, paperIdFromPath(params.id))).map(presentClaim) }),
  );
  apiRoute(
    app,
    { method: 'get', path: '/api/papers/{id}/authors', summary: 'The paper’s verified authors, author-set links and affiliations', tags: ['authors'], params: PaperIdParams, response: PaperAuthorshipSchema, errors: { 404: 'no such paper' } },
    async (c, { params }) => {
      const paper = await c.var.services.papers.get(paperIdFromPath(params.id));
      const a = await c.var.services.claims.paperAuthorship(paper.id, null);
      return { paperId: paper.id, verified: a.verified.map((v) => ({ authorName: v.authorName, user: v.username })), links: presentAuthorLinks(a.links), affiliations: a.affiliations };
    },
  );
  apiRoute(
    app,
    { method: 'put', path: '/api/papers/{id}/links', summary: 'Set the paper’s code and project links (verified authors only); an empty value clears one', tags: ['authors'], params: PaperIdParams, body: LinksBody, response: AuthorLinksSchema, auth: 'user', errors: { 400: 'not an https URL, or too long', 403: 'not a verified author of this paper', 404: 'no such paper', 429: 'rate limited' } },
    ...writes,
    async (c, { params, body }) => presentAuthorLinks(await c.var.services.claims.setLinks(c.var.user!, paperIdFromPath(params.id), body)),
  );
  apiRoute(
    app,
    { method: 'get', path: '/api/admin/claims', summary: 'Pending author claims, oldest first', tags: ['admin'], response: z.object({ claims: z.array(QueuedClaimSchema) }), auth: 'admin' },
    async (c) => ({ claims: (await c.var.services.claims.queue(c.var.user!)).map(presentQueuedClaim) }),
  );
  apiRoute(
    app,
    { method: 'post', path: '/api/admin/claims/{id}/decide', summary: 'Approve or refuse an author claim (audit-logged)', tags: ['admin'], params: IdParams, body: DecideClaimBody, response: ClaimSchema, auth: 'admin', errors: { 404: 'no such claim', 409: 'already decided, or the name is verified as someone else' } },
    async (c, { params, body }) => presentClaim(await c.var.services.claims.decide(c.var.user!, params.id, body.decision, body.note)),
  );
  apiRoute(
    app,
    { method: 'post', path: '/api/admin/claims/{id}/revoke', summary: 'Revoke an approved author claim: the verified mark and the links that account set go (audit-logged)', tags: ['admin'], params: IdParams, body: RevokeClaimBody, response: ClaimSchema, auth: 'admin', errors: { 404: 'no such claim', 409: 'the claim is not approved' } },
    async (c, { params, body }) => presentClaim(await c.var.services.claims.revoke(c.var.user!, params.id, body.note)),
  );

  apiRoute(
    app,
    { method: 'get', path: '/api/orgs', summary: 'Listed organisations, most papers first', tags: ['organisations'], query: PageQuery, response: z.object({ page: z.number().int(), hasMore: z.boolean(), organisations: z.array(OrgSummarySchema) }) },
    async (c, { query }) => {
      const page = query.page ?? 1;
      const r = await c.var.services.orgs.index({ limit: PER_PAGE, offset: (page - 1) * PER_PAGE, q: query.q });
      return { page, hasMore: r.hasMore, organisations: r.orgs.map(presentOrgSummary) };
    },
  );
  apiRoute(
    app,
    { method: 'get', path: '/api/orgs/{slug}', summary: 'An organisation’s papers on the feed, newest day first, with upvotes', tags: ['organisations'], params: SlugParams, query: PageQuery, response: OrgPageSchema, errors: { 404: 'no such listed organisation' } },
    async (c, { params, query }) => {
      const page = query.page ?? 1;
      const r = await c.var.services.orgs.page(params.slug, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
      const enriched = await listEnrichments(c, r.items.map((i) => i.paper.id));
      return { organisation: presentOrg(r.org), members: r.members, page, hasMore: r.hasMore, items: r.items.map((i) => ({ day: i.entry.day, paper: presentPaper(i.paper, enriched(i.paper.id)) })) };
    },
  );
  apiRoute(
    app,
    { method: 'post', path: '/api/orgs', summary: 'Declare an organisation you belong to (a new one is public once a moderator lists it)', tags: ['organisations'], body: DeclareOrgBody, response: OrgSchema.extend({ status: z.enum(['listed', 'pending', 'refused']), created: z.boolean() }), status: 201, auth: 'user', errors: { 400: 'bad name or website', 409: 'refused before, or too many organisations', 429: 'rate limited' } },
    ...writes,
    async (c, { body }) => {
      const r = await c.var.services.orgs.declare(c.var.user!, body);
      return c.json({ ...presentOrg(r.org), status: r.org.status, created: r.created }, 201);
    },
  );
  apiRoute(
    app,
    { method: 'get', path: '/api/admin/orgs', summary: 'Declared organisations waiting for a moderator', tags: ['admin'], response: z.object({ organisations: z.array(PendingOrgSchema) }), auth: 'admin' },
    async (c) => ({ organisations: (await c.var.services.orgs.pending(c.var.user!)).map(presentPendingOrg) }),
  );
  apiRoute(
    app,
    { method: 'post', path: '/api/admin/orgs/{id}/decide', summary: 'List (confirm) or refuse a declared organisation (audit-logged)', tags: ['admin'], params: IdParams, body: DecideOrgBody, response: OrgSchema.extend({ status: z.enum(['listed', 'pending', 'refused']) }), auth: 'admin', errors: { 404: 'no such organisation', 409: 'already decided' } },
    async (c, { params, body }) => {
      const org = await c.var.services.orgs.decide(c.var.user!, params.id, body.decision);
      return { ...presentOrg(org), status: org.status };
    },
  );
  return app;
}
