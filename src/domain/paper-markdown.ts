import type { PaperWithStats } from './paper.ts';
import { httpUrl } from './links.ts';
import { sitePaths } from './site-paths.ts';

/**
 * A paper as Markdown (`/papers/{id}.md`, or `Accept: text/markdown`): title, authors, links,
 * counts and the abstract, for readers who want text and for agents. Text from the paper is
 * escaped so it cannot become a link, an image or HTML; only http(s) links are written.
 */
export function paperMarkdown(p: PaperWithStats, siteUrl: string): string {
  const lines = [`# ${escapeMarkdown(p.title)}`, ''];
  if (p.authors.length) lines.push(`**Authors:** ${p.authors.map(escapeMarkdown).join(', ')}`);
  const facts = [
    p.publishedAt ? `**Published:** ${p.publishedAt.slice(0, 10)}` : null,
    p.categories.length ? `**Categories:** ${p.categories.map(escapeMarkdown).join(', ')}` : null,
    `**Upvotes:** ${p.upvotes}`,
    `**Comments:** ${p.numComments}`,
  ].filter(Boolean);
  lines.push(facts.join(' · '));
  const links = [
    link(p.source === 'arxiv' ? `arXiv:${p.id}` : 'Source', p.links.abs),
    link('PDF', p.links.pdf),
    ...p.links.code.map((u) => link('Code', u)),
    ...p.links.project.map((u) => link('Project page', u)),
    p.doi ? link(`DOI ${p.doi}`, `https://doi.org/${p.doi}`) : null,
    link('On Paperboy', `${siteUrl}${sitePaths.paper(p.id)}`),
  ].filter(Boolean);
  lines.push(`**Links:** ${links.join(' · ')}`, '', '## Abstract', '', escapeMarkdown(p.abstract));
  if (p.comment) lines.push('', `*${escapeMarkdown(p.comment)}*`);
  return `${lines.join('\n')}\n`;
}

function link(label: string, url: string | null): string | null {
  const safe = httpUrl(url);
  return safe ? `[${escapeMarkdown(label)}](<${safe.replace(/[<>\s]/g, encodeURIComponent)}>)` : null;
}

/** Backslash-escapes what Markdown would read as markup (links, emphasis, HTML, code, headings). */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+!|~]/g, (ch) => `\\${ch}`).replace(/\s*\n\s*/g, ' ');
}
