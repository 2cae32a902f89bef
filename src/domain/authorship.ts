/** Author claims: a reader says "I am this author of this paper"; a moderator approves or refuses. Pure. */

/** `revoked`: approved once, withdrawn later by a moderator (the account is no longer a verified author). */
export type ClaimStatus = 'pending' | 'approved' | 'refused' | 'revoked';
export type ClaimDecision = 'approve' | 'refuse';

export interface AuthorClaim {
  id: number;
  userId: number;
  username: string;
  paperId: string;
  /** The name as the paper lists it. */
  authorName: string;
  evidence: string | null;
  status: ClaimStatus;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

/** A pending claim with the paper's title, for the moderators' queue. */
export interface QueuedClaim extends AuthorClaim {
  paperTitle: string;
  /** Other approved claims on the same listed name (should be none). */
  conflicts: string[];
}

/** A verified author of a paper: the listed name and the account behind it. */
export interface VerifiedAuthor {
  authorName: string;
  userId: number;
  username: string;
}

/** The links a verified author sets for a paper. */
export type AuthorLinkKind = 'code' | 'project';
export const AUTHOR_LINK_KINDS: readonly AuthorLinkKind[] = ['code', 'project'];

export interface AuthorLinks {
  code: string | null;
  project: string | null;
  /** Who set them last. */
  setBy: string | null;
  updatedAt: string | null;
}

export const MAX_EVIDENCE = 1000;
export const MAX_AUTHOR_URL = 500;

/**
 * A link an author sets: https only, no credentials, no control characters or spaces, at most
 * `MAX_AUTHOR_URL` characters; returned in its parsed (normalised) form, or null. It is never
 * fetched: it is shown as a link, escaped like every other value.
 */
export function authorUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  if (!s || s.length > MAX_AUTHOR_URL || /[\u0000-\u0020\u007f-\u009f]/.test(s)) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || !u.hostname || u.username || u.password || !u.hostname.includes('.')) return null;
  return u.href.length > MAX_AUTHOR_URL ? null : u.href;
}

/** Letters NFKD does not take apart (Skłodowska, Ørsted): folded by hand. */
const UNDECOMPOSED: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ð: 'd', ħ: 'h' };

/** A name compared without case, accents or extra spaces ("José  GARCÍA" = "jose garcia"). */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[łøđßæœıþðħ]/g, (c) => UNDECOMPOSED[c])
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The code and project links a paper shows, wherever it is shown (page, API, Markdown): a link
 * its verified author set replaces the harvested or discovered ones of that kind — the author
 * knows which repository is theirs, discovery only guesses.
 */
export function preferAuthorLinks(found: { code: readonly string[]; project: readonly string[] }, authorSet: { code: string | null; project: string | null } | null | undefined): { code: string[]; project: string[] } {
  const code = authorUrl(authorSet?.code);
  const project = authorUrl(authorSet?.project);
  return { code: code ? [code] : [...found.code], project: project ? [project] : [...found.project] };
}

/** Stars belong to the repository the code step looked up; shown only while that is still the paper's code link. */
export function starsStillApply(githubRepo: string | null, shownCode: readonly string[]): boolean {
  if (!githubRepo) return false;
  const repo = `https://github.com/${githubRepo}`.toLowerCase();
  return shownCode.some((u) => u.toLowerCase().replace(/\/+$/, '') === repo);
}
