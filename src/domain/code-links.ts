import { normalizeUrl } from './links.ts';

/**
 * Code repositories of a paper (issue 17): GitHub, GitLab and Hugging Face links found in its
 * abstract, comment and the first pages of its PDF, normalised (https, no `.git`, no `/tree/main`,
 * no trailing punctuation), deduplicated, and ranked so the paper's own repository comes first
 * rather than a baseline it builds on.
 */
export type CodeSource = 'abstract' | 'comment' | 'pdf';

export interface CodeLinkInput {
  title: string;
  authors: string[];
  abstract: string;
  comment: string | null;
  /** Text of the PDF's first pages, when the PDF step kept it. */
  pdfText?: string | null;
}

export interface RankedCodeLinks {
  /** Best first. */
  links: string[];
  /** `owner/name` of the best GitHub repository (lower case), for stars. */
  githubRepo: string | null;
}

// Candidates: a code host, then at least one path segment. The scheme and `www.` are optional.
const CANDIDATE = /(?:https?:\/\/)?(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|hf\.co)\/[^\s<>"'{}|\\^`\]]+/gi;
/** GitHub's own pages under github.com/<segment>, which are not repositories. */
const GITHUB_RESERVED = new Set(['about', 'apps', 'collections', 'contact', 'customer-stories', 'enterprise', 'events', 'explore', 'features', 'login', 'marketplace', 'orgs', 'pricing', 'security', 'settings', 'site', 'sponsors', 'topics', 'trending', 'join', 'notifications', 'search', 'users', 'readme', 'resources', 'solutions']);
const GITLAB_RESERVED = new Set(['explore', 'help', 'users', 'dashboard', 'groups', 'projects', 'search', 'admin']);
/** Hugging Face pages that are not a model, dataset or Space. */
const HF_RESERVED = new Set(['papers', 'docs', 'blog', 'learn', 'join', 'login', 'pricing', 'tasks', 'posts', 'organizations', 'settings', 'collections', 'api', 'chat', 'new', 'spaces', 'datasets', 'models']);

/** Words before a link that say it is the paper's own code, or someone else's. */
const OWN = /\b(our|ours|we release|we make|we provide|we open[- ]?source|code (?:is|are|will be|has been)|(?:is|are) (?:publicly )?available|(?:can be )?found at|released at|open[- ]sourced|official|implementation|project page|github|repository|code:|data:)\b/i;
const OTHERS = /\b(we use|using|based on|built (?:up)?on|borrowed|adapted from|follow(?:ing|s)?|baseline|from the authors of|third[- ]party|implementation of \[|provided by)\b/i;

/** A normalised code link, or null for a host page that is not a repository. */
export function codeLinkOf(raw: string): string | null {
  const url = normalizeUrl(raw);
  if (!url) return null;
  const u = new URL(url);
  const parts = u.pathname.split('/').filter(Boolean);
  if (u.hostname === 'github.com') {
    if (parts.length !== 2 || GITHUB_RESERVED.has(parts[0].toLowerCase())) return null;
  } else if (u.hostname === 'gitlab.com') {
    if (parts.length < 2 || GITLAB_RESERVED.has(parts[0].toLowerCase())) return null;
  } else if (u.hostname === 'huggingface.co') {
    const kind = parts[0];
    if (kind === 'spaces' || kind === 'datasets' || kind === 'models') {
      if (parts.length !== 3) return null;
      // `/models/x/y` is the same page as `/x/y`.
      if (kind === 'models') return `https://huggingface.co/${parts[1]}/${parts[2]}`;
    } else if (parts.length !== 2 || HF_RESERVED.has(kind.toLowerCase())) return null;
  } else {
    return null;
  }
  if (!parts.every((p) => /^[\w.-]+$/.test(p)) || parts.some((p) => p === '.' || p === '..')) return null;
  return url;
}

/** `owner/name` (lower case) of a GitHub repository link, or null. */
export function githubRepoOf(url: string): string | null {
  const m = /^https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)$/.exec(url);
  return m ? `${m[1]}/${m[2]}`.toLowerCase() : null;
}

/** Dedupe key: GitHub and Hugging Face names are case-insensitive. */
const keyOf = (url: string) => url.toLowerCase();

/**
 * PDF text breaks long URLs at line ends: `github.com/owner/` + newline + `repo`. Only a code-host
 * URL that stops right after its owner is glued to the next word, so prose is never merged.
 */
function joinBrokenUrls(text: string): string {
  return text.replace(/((?:github\.com|gitlab\.com|huggingface\.co)\/[\w.-]+\/)[ \t]*\r?\n[ \t]*(?=[\w.-]+)/gi, '$1');
}

interface Candidate {
  url: string;
  score: number;
  order: number;
}

const words = (s: string) => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** How much the repository's name looks like the paper's: its title words, acronym, or an author. */
function nameAffinity(url: string, input: CodeLinkInput): number {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const [owner, name] = parts[0] === 'spaces' || parts[0] === 'datasets' ? [parts[1], parts[2]] : [parts[0], parts[parts.length - 1]];
  const repoWords = words(name).filter((w) => w.length >= 3);
  const titleWords = new Set(words(input.title).filter((w) => w.length >= 3));
  let score = 0;
  // "LLaMA: Open and Efficient …" → repository `llama`; a title word inside the repository name.
  const head = input.title.split(/[:\-–—]/)[0].trim().toLowerCase().replace(/[^a-z0-9]/g, '');
  const flatName = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (head.length >= 3 && head.length <= 20 && (flatName === head || flatName.includes(head))) score += 3;
  else if (repoWords.some((w) => titleWords.has(w))) score += 2;
  const surnames = new Set(input.authors.map((a) => a.trim().split(/\s+/).pop()?.toLowerCase().replace(/[^a-z]/g, '') ?? '').filter((s) => s.length >= 3));
  const flatOwner = owner.toLowerCase().replace(/[^a-z]/g, '');
  if ([...surnames].some((s) => flatOwner.includes(s))) score += 2;
  return score;
}

/** Finds, normalises, deduplicates and ranks the paper's code links. */
export function findCodeLinks(input: CodeLinkInput): RankedCodeLinks {
  const sources: Array<[CodeSource, string | null | undefined]> = [
    ['abstract', input.abstract],
    ['comment', input.comment],
    ['pdf', input.pdfText ? joinBrokenUrls(input.pdfText) : null],
  ];
  const found = new Map<string, Candidate>();
  let order = 0;
  for (const [source, text] of sources) {
    if (!text) continue;
    for (const m of text.matchAll(CANDIDATE)) {
      const url = codeLinkOf(m[0]);
      if (!url) continue;
      // The words just before the link; earlier links in that window are not words about this one.
      const before = text.slice(Math.max(0, (m.index ?? 0) - 80), m.index ?? 0).replace(/\S*(?:github\.com|gitlab\.com|huggingface\.co|hf\.co)\/\S*/gi, ' ');
      let score = source === 'pdf' ? 0 : 2;
      if (OWN.test(before)) score += 2;
      if (OTHERS.test(before)) score -= 3;
      if (url.startsWith('https://github.com/')) score += 1;
      score += nameAffinity(url, input);
      const key = keyOf(url);
      const seen = found.get(key);
      // The same link again: keep its best context, and a small bonus for being named twice.
      if (seen) seen.score = Math.max(seen.score, score) + 0.5;
      else found.set(key, { url, score, order: order++ });
    }
  }
  const ranked = [...found.values()].sort((a, b) => b.score - a.score || a.order - b.order);
  const links = ranked.map((c) => c.url);
  const github = links.map(githubRepoOf).find((r) => r !== null) ?? null;
  return { links, githubRepo: github };
}
