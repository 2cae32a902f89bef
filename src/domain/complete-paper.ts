import type { Paper, PaperInput } from './paper.ts';
import { normalizeOptional, normalizeText } from './text.ts';
import { extractLinks, httpUrl, httpUrls } from './links.ts';
import { arxivAbsUrl, arxivPdfUrl } from './arxiv-id.ts';

/**
 * Turns what a source supplied into a stored paper: text normalised (hard line breaks joined,
 * whitespace collapsed, LaTeX untouched), abs/pdf links for arXiv papers, code and project links
 * found in the abstract or comment; only http(s) links.
 *
 * `plainText`: the caller knows every text field (title, abstract, authors, comment, journal
 * reference, DOI, licence) is ASCII with no whitespace but the plain space and the newline, so
 * normalising skips looking for the rest (`normalizeText`'s `plain`); an import knows it of a line.
 */
export function completePaper(input: PaperInput, plainText = false): Paper {
  const title = normalizeText(input.title, plainText);
  const abstract = normalizeText(input.abstract, plainText);
  const comment = normalizeOptional(input.comment, plainText);
  const found = extractLinks(abstract, comment);
  const isArxiv = input.source === 'arxiv';
  const categories = [...new Set(input.categories.map((c) => c.trim()).filter(Boolean))];
  const primaryCategory = input.primaryCategory?.trim() || categories[0] || null;
  if (primaryCategory && !categories.includes(primaryCategory)) categories.unshift(primaryCategory);
  return {
    id: input.id,
    source: input.source,
    version: input.version,
    title,
    abstract,
    authors: input.authors.map((a) => normalizeText(a, plainText)).filter(Boolean),
    categories,
    primaryCategory,
    publishedAt: input.publishedAt,
    updatedAt: input.updatedAt,
    comment,
    journalRef: normalizeOptional(input.journalRef, plainText),
    doi: normalizeOptional(input.doi, plainText),
    license: normalizeOptional(input.license, plainText),
    // Only http(s) links are kept (`abs_url: "javascript:…"` in an import); an arXiv paper then
    // gets its canonical arXiv URL instead.
    links: {
      abs: httpUrl(input.links?.abs) ?? (isArxiv ? arxivAbsUrl(input.id) : null),
      pdf: httpUrl(input.links?.pdf) ?? (isArxiv ? arxivPdfUrl(input.id) : null),
      code: withFound(input.links?.code, found.code),
      project: withFound(input.links?.project, found.project),
    },
    deleted: input.deleted ?? false,
  };
}

/**
 * The given links that are http(s), then the found ones, each once. `found` holds no URL twice
 * (`extractLinks`), so with none given it is the answer as it is: an import gives none, and the
 * spreads and the Set were a dozen objects a paper (bench/import, round 28).
 */
function withFound(given: readonly string[] | undefined, found: string[]): string[] {
  if (!given || given.length === 0) return found;
  return [...new Set([...httpUrls(given), ...found])];
}
