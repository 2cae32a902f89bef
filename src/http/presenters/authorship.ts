import type { AuthorClaim, AuthorLinks, QueuedClaim } from '../../domain/authorship.ts';
import type { Organisation, OrgSummary, PendingOrg } from '../../domain/organisation.ts';
import { authorUrl } from '../../domain/authorship.ts';
import { sitePaths } from '../../domain/site-paths.ts';

/** Author claims, author-set links and organisations as the API shows them. */
export function presentClaim(c: AuthorClaim) {
  return { id: c.id, paperId: c.paperId, user: c.username, authorName: c.authorName, evidence: c.evidence, status: c.status, createdAt: c.createdAt, decidedBy: c.decidedBy, decidedAt: c.decidedAt, decisionNote: c.decisionNote };
}

export function presentQueuedClaim(c: QueuedClaim) {
  return { ...presentClaim(c), paperTitle: c.paperTitle, conflicts: c.conflicts };
}

/** Links are checked again on the way out: whatever is stored, only an https URL reaches a client. */
export function presentAuthorLinks(l: AuthorLinks) {
  return { code: authorUrl(l.code), project: authorUrl(l.project), setBy: l.setBy, updatedAt: l.updatedAt };
}

export function presentOrg(o: Organisation) {
  return { slug: o.slug, name: o.name, website: authorUrl(o.website), source: o.source, url: sitePaths.org(o.slug) };
}

export function presentOrgSummary(o: OrgSummary) {
  return { ...presentOrg(o), papers: o.papers };
}

export function presentPendingOrg(o: PendingOrg) {
  return { id: o.id, ...presentOrg(o), declaredBy: o.declaredBy, createdAt: o.createdAt };
}
