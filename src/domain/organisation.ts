/** Organisations: from arXiv's affiliations (harvested) or declared by readers and confirmed by moderators. Pure. */

/** `listed` organisations are public; `pending` wait for a moderator; `refused` never show. */
export type OrgStatus = 'listed' | 'pending' | 'refused';
export type OrgSource = 'arxiv' | 'declared';

export interface Organisation {
  id: number;
  slug: string;
  name: string;
  website: string | null;
  status: OrgStatus;
  source: OrgSource;
  createdAt: string;
}

/** An organisation in the index, with how many papers list it. */
export interface OrgSummary extends Organisation {
  papers: number;
}

/** A pending declaration for the moderators' queue. */
export interface PendingOrg extends Organisation {
  declaredBy: string | null;
}

/** One affiliation of one author of a paper, as arXiv gives it. */
export interface Affiliation {
  author: string;
  name: string;
}

/** An affiliation on a paper page: the author and the organisation's page. */
export interface PaperAffiliation {
  author: string;
  slug: string;
  name: string;
}

export const MAX_ORG_NAME = 200;
export const MAX_ORG_SLUG = 80;

/** Letters NFKD does not take apart: folded by hand so "Łódź" and "Lodz" share a slug. */
const UNDECOMPOSED: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ð: 'd', ħ: 'h' };

/** An organisation's name as shown: one line, spaces collapsed, at most `MAX_ORG_NAME` characters; null when empty or too long. */
export function orgName(raw: string): string | null {
  const v = raw
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    // arXiv writes collaboration lines as "on behalf of Planck Collaboration".
    .replace(/^(?:on behalf of|for) (?:the )?/i, '');
  return v.length === 0 || v.length > MAX_ORG_NAME ? null : v;
}

/**
 * The normalised name → the slug in `/orgs/{slug}`: accents folded, lower case, "the" and
 * punctuation dropped, words joined by `-` ("The Université de Montréal" → "universite-de-montreal").
 * Names that differ only in these ways are one organisation. Null when nothing is left.
 */
export function orgSlug(name: string): string | null {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[łøđßæœıþðħ]/g, (c) => UNDECOMPOSED[c])
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^the /, '')
    .replace(/ /g, '-')
    .slice(0, MAX_ORG_SLUG)
    .replace(/-+$/, '');
  return s ? s : null;
}

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;
