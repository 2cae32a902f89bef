import { z } from 'zod';
import { canonicalPaperId } from '../domain/arxiv-id.ts';
import { authorUrl, MAX_EVIDENCE, nameKey, type AuthorClaim, type AuthorLinks, type ClaimDecision, type QueuedClaim, type VerifiedAuthor } from '../domain/authorship.ts';
import type { User } from '../domain/community.ts';
import type { PaperAffiliation } from '../domain/organisation.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { ServiceError, paperNotFound } from './errors.ts';
import { visiblePaperOr404 } from './papers.ts';

/** What the notification side hears when a moderator decides a claim (the lead wires it to notifications). */
export interface ClaimDecidedEvent {
  claimId: number;
  userId: number;
  paperId: string;
  authorName: string;
  /** `revoke`: an approved claim withdrawn later. */
  decision: ClaimDecision | 'revoke';
  decidedBy: string;
  note: string | null;
}

const noNul = (s: string) => !s.includes('\0');

export const ClaimInput = z.object({
  authorName: z.string().min(1, 'choose which listed name is yours').max(300).refine(noNul, 'contains a NUL byte'),
  evidence: z.string().trim().max(MAX_EVIDENCE, `evidence has at most ${MAX_EVIDENCE} characters`).refine(noNul, 'contains a NUL byte').nullish(),
});

export const LinksInput = z.object({
  code: z.string().max(2000).refine(noNul, 'contains a NUL byte').nullish(),
  project: z.string().max(2000).refine(noNul, 'contains a NUL byte').nullish(),
});

/** A paper's authorship as its page shows it, for one viewer. */
export interface PaperAuthorship {
  verified: VerifiedAuthor[];
  links: AuthorLinks;
  /** The viewer is a verified author (may set links). */
  viewerIsAuthor: boolean;
  /** The viewer's pending claim on this paper, if any. */
  viewerPending: AuthorClaim | null;
  /** Its authors' listed organisations (pending and refused ones are not shown). */
  affiliations: PaperAffiliation[];
}

function requireAdmin(actor: User): void {
  if (actor.role !== 'admin') throw new ServiceError(403, 'admin_only', 'only moderators can decide claims');
}

function invalid(err: z.ZodError): ServiceError {
  return new ServiceError(400, 'invalid_claim', err.issues.map((i) => `${i.path.join('.') || 'claim'}: ${i.message}`).join('; '));
}

/**
 * Author claims: a signed-in reader claims one of a paper's listed names; a moderator approves or
 * refuses (audit-logged, then `onClaimDecided` is called once, after the decision is stored).
 * Verified authors are shown on the paper, list the paper on their profile, merge their name
 * variants on author pages, and may set the paper's code and project links (author-set links win
 * over harvested or discovered ones on display: `links(paperId)` is the read).
 */
export class AuthorClaimService {
  constructor(
    private readonly store: Store,
    private readonly opts: { onClaimDecided?: (e: ClaimDecidedEvent) => void | Promise<void> } = {},
  ) {}

  private async paper(raw: string): Promise<PaperWithStats> {
    const id = canonicalPaperId(raw);
    if (!id) throw paperNotFound(raw);
    return visiblePaperOr404(this.store, id);
  }

  /** Files a pending claim by `user` (always the signed-in reader: nobody claims for someone else). */
  async claim(user: User, rawPaperId: string, input: z.input<typeof ClaimInput>): Promise<AuthorClaim> {
    const parsed = ClaimInput.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error);
    const paper = await this.paper(rawPaperId);
    const key = nameKey(parsed.data.authorName);
    const listed = paper.authors.find((a) => nameKey(a) === key);
    if (!listed) throw new ServiceError(400, 'not_an_author', `“${parsed.data.authorName.slice(0, 100)}” is not one of this paper's listed authors`);
    const holder = await this.store.authorClaims.approvedOnName(paper.id, key);
    if (holder) throw new ServiceError(409, holder.userId === user.id ? 'already_verified' : 'name_taken', holder.userId === user.id ? 'you are already a verified author of this paper' : `${listed} is already verified as another account`);
    if (await this.store.authorClaims.isVerifiedAuthor(user.id, paper.id)) throw new ServiceError(409, 'already_verified', 'you are already a verified author of this paper');
    const id = await this.store.authorClaims.create({ userId: user.id, paperId: paper.id, authorName: listed, authorKey: key, evidence: parsed.data.evidence || null });
    if (id === null) throw new ServiceError(409, 'claim_pending', 'you already have a claim on this paper waiting for a moderator');
    return (await this.store.authorClaims.get(id))!;
  }

  async queue(actor: User, limit = 100): Promise<QueuedClaim[]> {
    requireAdmin(actor);
    return this.store.authorClaims.pending(limit);
  }

  async countPending(actor: User): Promise<number> {
    requireAdmin(actor);
    return this.store.authorClaims.countPending();
  }

  /** A moderator approves or refuses a pending claim; audit-logged; the hook hears of it once. */
  async decide(actor: User, claimId: number, decision: ClaimDecision, note?: string | null): Promise<AuthorClaim> {
    requireAdmin(actor);
    if (decision !== 'approve' && decision !== 'refuse') throw new ServiceError(400, 'invalid_decision', 'approve or refuse');
    const why = note?.trim() ? note.trim().slice(0, 500) : null;
    if (why?.includes('\0')) throw new ServiceError(400, 'invalid_decision', 'the note contains a NUL byte');
    const decided = await this.store.transaction(async (tx) => {
      const claim = await tx.authorClaims.get(claimId);
      if (!claim) throw new ServiceError(404, 'not_found', `claim ${claimId} not found`);
      if (claim.status !== 'pending') throw new ServiceError(409, 'already_decided', `claim ${claimId} was already ${claim.status}`);
      if (decision === 'approve') {
        const holder = await tx.authorClaims.approvedOnName(claim.paperId, nameKey(claim.authorName));
        if (holder) throw new ServiceError(409, 'name_taken', `${claim.authorName} is already verified as ${holder.username}; refuse this claim`);
      }
      if (!(await tx.authorClaims.decide(claimId, decision === 'approve' ? 'approved' : 'refused', actor.username, why))) throw new ServiceError(409, 'already_decided', `claim ${claimId} was decided meanwhile`);
      await tx.auditLog.add({ actorId: actor.id, actorName: actor.username, action: `claim.${decision}`, targetType: 'paper', targetId: claim.paperId, detail: JSON.stringify({ claim: claimId, user: claim.username, author: claim.authorName, note: why }) });
      return (await tx.authorClaims.get(claimId))!;
    });
    await this.opts.onClaimDecided?.({ claimId, userId: decided.userId, paperId: decided.paperId, authorName: decided.authorName, decision, decidedBy: actor.username, note: why });
    return decided;
  }

  /** Approved claims, most recently decided first, for moderators to revoke from. */
  async approved(actor: User, limit = 100): Promise<Array<AuthorClaim & { paperTitle: string }>> {
    requireAdmin(actor);
    return this.store.authorClaims.approved(limit);
  }

  /**
   * A moderator revokes an approved claim (the account was not the author after all): the
   * verified mark goes, and so do the links that account set on the paper (links a co-author set
   * since stay). Audit-logged as `claim.revoke`; the claimant hears of it once.
   */
  async revoke(actor: User, claimId: number, note?: string | null): Promise<AuthorClaim> {
    requireAdmin(actor);
    const why = note?.trim() ? note.trim().slice(0, 500) : null;
    if (why?.includes('\0')) throw new ServiceError(400, 'invalid_decision', 'the note contains a NUL byte');
    const revoked = await this.store.transaction(async (tx) => {
      const claim = await tx.authorClaims.get(claimId);
      if (!claim) throw new ServiceError(404, 'not_found', `claim ${claimId} not found`);
      if (claim.status !== 'approved') throw new ServiceError(409, 'not_approved', `claim ${claimId} is ${claim.status}, not approved`);
      if (!(await tx.authorClaims.revoke(claimId, actor.username, why))) throw new ServiceError(409, 'not_approved', `claim ${claimId} changed meanwhile`);
      const links = await tx.authorClaims.removeLinksSetBy(claim.paperId, claim.userId);
      await tx.auditLog.add({ actorId: actor.id, actorName: actor.username, action: 'claim.revoke', targetType: 'paper', targetId: claim.paperId, detail: JSON.stringify({ claim: claimId, user: claim.username, author: claim.authorName, note: why, linksRemoved: links }) });
      return (await tx.authorClaims.get(claimId))!;
    });
    await this.opts.onClaimDecided?.({ claimId, userId: revoked.userId, paperId: revoked.paperId, authorName: revoked.authorName, decision: 'revoke', decidedBy: actor.username, note: why });
    return revoked;
  }

  /** The paper's verified authors, author-set links and affiliations, and what the viewer may do: one read of the store. */
  async paperAuthorship(paperId: string, viewer: User | null): Promise<PaperAuthorship> {
    const { verified, links, affiliations, viewerClaims } = await this.store.authorClaims.pageAuthorship(paperId, viewer?.id ?? null);
    return { verified, links, viewerIsAuthor: !!viewer && verified.some((v) => v.userId === viewer.id), viewerPending: viewerClaims.find((c) => c.status === 'pending') ?? null, affiliations };
  }

  /** The reader's claims on a paper (pending, approved, refused, revoked), newest first. */
  async mine(user: User, rawPaperId: string): Promise<AuthorClaim[]> {
    const paper = await this.paper(rawPaperId);
    return this.store.authorClaims.ofUserOnPaper(user.id, paper.id);
  }

  /**
   * The author-set code and project links of a paper: the "author-set" source, which wins over
   * links from the harvest or from discovery wherever a paper's links are shown.
   */
  links(paperId: string): Promise<AuthorLinks> {
    return this.store.authorClaims.links(paperId);
  }

  /** A verified author sets (or, with an empty value, clears) the paper's code and project links; a field left out is unchanged. */
  async setLinks(user: User, rawPaperId: string, input: z.input<typeof LinksInput>): Promise<AuthorLinks> {
    const parsed = LinksInput.safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_link', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const paper = await this.paper(rawPaperId);
    if (!(await this.store.authorClaims.isVerifiedAuthor(user.id, paper.id))) throw new ServiceError(403, 'not_author', 'only a verified author of this paper can set its links');
    const changes: Array<['code' | 'project', string | null]> = [];
    for (const kind of ['code', 'project'] as const) {
      const raw = parsed.data[kind];
      if (raw === undefined || raw === null) continue;
      if (!raw.trim()) {
        changes.push([kind, null]);
        continue;
      }
      const url = authorUrl(raw);
      if (!url) throw new ServiceError(400, 'invalid_link', `the ${kind} link must be an https:// address of at most 500 characters`);
      changes.push([kind, url]);
    }
    await this.store.transaction(async (tx) => {
      for (const [kind, url] of changes) await tx.authorClaims.setLink(paper.id, kind, url, user.id);
    });
    return this.store.authorClaims.links(paper.id);
  }

  /** The papers a reader is a verified author of (their profile lists them). */
  claimedPapers(userId: number): Promise<Array<{ id: string; title: string; authorName: string }>> {
    return this.store.authorClaims.claimedPapers(userId);
  }

  /** For an author page: the verified accounts behind a name and every name they are verified under (the name itself first). */
  async nameVariants(name: string): Promise<{ users: Array<{ id: number; username: string }>; names: string[] }> {
    const v = await this.store.authorClaims.nameVariants(nameKey(name));
    const others = v.names.filter((n) => n !== name);
    return { users: v.users, names: v.users.length ? [name, ...others] : [name] };
  }
}
