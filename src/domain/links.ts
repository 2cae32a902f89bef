/**
 * Code repositories and project pages mentioned in an abstract or comment, normalised:
 * no trailing punctuation, no `.git`, https, no trailing slash.
 */
// Code hosts are also recognised without a scheme (`github.com/owner/repo`), as authors often write them.
export const URL_RE = /((?:https?:\/\/|www\.|\b(?:github\.com|gitlab\.com|huggingface\.co|hf\.co)\/)[^\s<>"'{}|\\^`\]]+)/gi;
const CODE_HOSTS = /^(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org|codeberg\.org)$/i;
/** Path segments that start a view inside a repository rather than name it. */
const REPO_VIEW = new Set(['-', 'tree', 'blob', 'raw', 'commit', 'commits', 'issues', 'pulls', 'releases', 'wiki', 'resolve', 'discussions']);

/**
 * An http(s) URL already in the form the URL parser writes it (`new URL(raw).href === raw`): a
 * scheme in lower case, a host of lower-case letters, digits and hyphens in dot-separated labels
 * ending in a letters-only one (so no IPv4 form, no port, no IDN: no `xn--` label), a path of
 * unreserved characters, no query, fragment, credentials, percent sign or whitespace; with a dot
 * segment (`/./`, `/../`) excluded apart (`DOT_SEGMENT`). Such a string is its own parse: an
 * import's abs and pdf links (`https://arxiv.org/abs/…`) are all of this form, and parsing two of
 * them was 1 µs of the parse worker's ≈ 22 µs a paper (bench/import, round 28).
 * tests/domain/links.test.ts holds it equal to the parser's verdict.
 */
const SERIALIZED_HTTP_URL = /^https?:\/\/(?:(?!xn--)[a-z0-9-]+\.)+[a-z]{2,63}\/[A-Za-z0-9._~\/-]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/**
 * `raw` as an absolute http(s) URL without credentials, or null. Links from imports, harvests and
 * submissions are stored only when they pass, and are checked again wherever they are output (API,
 * feeds, pages): a `javascript:` or `data:` link must never reach a reader, whatever is stored.
 */
export function httpUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  if (SERIALIZED_HTTP_URL.test(raw) && !DOT_SEGMENT.test(raw)) return raw;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname || u.username || u.password) return null;
  return u.href;
}

/** Only the http(s) URLs of `urls`. */
export function httpUrls(urls: readonly unknown[]): string[] {
  return urls.map(httpUrl).filter((u): u is string => u !== null);
}

export interface FoundLinks {
  code: string[];
  project: string[];
}

export function normalizeUrl(raw: string): string | null {
  let s = raw.trim();
  // Trailing punctuation from prose, and unbalanced closing brackets.
  for (;;) {
    const before = s;
    s = s.replace(/[.,;:!?'"]+$/, '');
    if (s.endsWith(')') && (s.match(/\(/g)?.length ?? 0) < (s.match(/\)/g)?.length ?? 0)) s = s.slice(0, -1);
    if (s.endsWith('}') || s.endsWith(']')) s = s.slice(0, -1);
    if (s === before) break;
  }
  if (/^(?:www\.|github\.com\/|gitlab\.com\/|huggingface\.co\/|hf\.co\/)/i.test(s)) s = 'https://' + s;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (!u.hostname.includes('.')) return null;
  u.hostname = u.hostname.toLowerCase().replace(/^www\./, '');
  if (u.hostname === 'hf.co') u.hostname = 'huggingface.co';
  if (u.protocol === 'http:') u.protocol = 'https:';
  u.hash = '';
  let path = u.pathname.replace(/\.git$/i, '').replace(/\/+$/, '');
  const host = u.hostname;
  if (CODE_HOSTS.test(host)) {
    // Keep owner/repo (and, for Hugging Face, the kind prefix); drop /tree/main and the like.
    const parts = path.split('/').filter(Boolean);
    let keep = host === 'huggingface.co' && ['spaces', 'datasets', 'models'].includes(parts[0]) ? 3 : 2;
    // GitLab nests groups (group/subgroup/project); the repository ends where a view (`/-/tree/...`) begins.
    if (host === 'gitlab.com') {
      const view = parts.findIndex((p, i) => i >= 2 && REPO_VIEW.has(p));
      keep = view === -1 ? parts.length : view;
    }
    path = parts.length >= keep ? '/' + parts.slice(0, keep).join('/') : '/' + parts.join('/');
    path = path.replace(/\.git$/i, '');
    return `https://${host}${path === '/' ? '' : path}`;
  }
  return `https://${host}${path}${u.search}`;
}

/** A repository on a code host: owner and name at least. */
function isCodeUrl(u: URL): boolean {
  if (!CODE_HOSTS.test(u.hostname)) return false;
  return u.pathname.split('/').filter(Boolean).length >= 2;
}

const IGNORED_HOSTS = /(^|\.)(arxiv\.org|doi\.org|creativecommons\.org)$/i;

/**
 * False only where `URL_RE` cannot match: every match holds a slash (`http://`, `https://`,
 * `github.com/` …) or starts with `www.` (any case). Two string searches instead of a
 * case-insensitive regex over the text: that regex (`/https?:|www\.|…/i`) was 2 µs of an
 * import's 30 µs per paper, and three papers in four hold neither (bench/import).
 */
export function mayHoldUrl(text: string): boolean {
  if (text.includes('/')) return true;
  for (let i = text.indexOf('.', 3); i !== -1; i = text.indexOf('.', i + 1)) {
    // `| 32` lower-cases an ASCII letter; only 'w' and 'W' give 'w' (0x77). A case-insensitive
    // regex without the u flag matches no other character to 'w'.
    if ((text.charCodeAt(i - 1) | 32) === 0x77 && (text.charCodeAt(i - 2) | 32) === 0x77 && (text.charCodeAt(i - 3) | 32) === 0x77) return true;
  }
  return false;
}

export function extractLinks(...texts: (string | null | undefined)[]): FoundLinks {
  const code: string[] = [];
  const project: string[] = [];
  for (const text of texts) {
    // Most abstracts have no URL: skip the regex for them (imports run this on every paper).
    if (!text || !mayHoldUrl(text)) continue;
    for (const m of text.matchAll(URL_RE)) {
      const url = normalizeUrl(m[1]);
      if (!url) continue;
      // Parsed once here, not once more for each question asked of it (it was parsed three times).
      const parsed = new URL(url);
      const host = parsed.hostname;
      if (IGNORED_HOSTS.test(host)) continue;
      if (isCodeUrl(parsed)) {
        if (!code.includes(url)) code.push(url);
      } else if (!CODE_HOSTS.test(host) && !project.includes(url)) {
        project.push(url);
      }
    }
  }
  return { code, project };
}
