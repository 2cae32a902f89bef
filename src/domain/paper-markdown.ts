import type { PaperWithStats } from './paper.ts';
import { httpUrl } from './links.ts';
import { sitePaths } from './site-paths.ts';
import { artifactPath, keywordsOf, type HubArtifact, type PaperEnrichment } from './enrichment.ts';
import { preferAuthorLinks, starsStillApply } from './authorship.ts';

/** What the enrichment steps found (issue 17), when the caller has it. */
export interface MarkdownEnrichment {
  enrichment: PaperEnrichment;
  artifacts: HubArtifact[];
  hubUrl: string;
}

/**
 * A paper as Markdown (`/papers/{id}.md`, or `Accept: text/markdown`): title, authors, links,
 * counts and the abstract, for readers who want text and for agents. Text from the paper is
 * escaped so it cannot become a link, an image or HTML; only http(s) links are written.
 */
export function paperMarkdown(p: PaperWithStats, siteUrl: string, extra?: MarkdownEnrichment): string {
  const e = extra?.enrichment;
  const lines = [`# ${escapeMarkdown(p.title)}`, ''];
  if (p.authors.length) lines.push(`**Authors:** ${p.authors.map(escapeMarkdown).join(', ')}`);
  const facts = [
    p.publishedAt ? `**Published:** ${p.publishedAt.slice(0, 10)}` : null,
    p.categories.length ? `**Categories:** ${p.categories.map(escapeMarkdown).join(', ')}` : null,
    `**Upvotes:** ${p.upvotes}`,
    `**Comments:** ${p.numComments}`,
  ].filter(Boolean);
  lines.push(facts.join(' · '));
  // The links a verified author set (in the enrichment) win over the others, as on the page.
  const shown = preferAuthorLinks({ code: e?.codeChecked ? e.codeLinks : p.links.code, project: p.links.project }, e?.authorLinks);
  const links = [
    link(p.source === 'arxiv' ? `arXiv:${p.id}` : 'Source', p.links.abs),
    link('PDF', p.links.pdf),
    ...shown.code.map((u) => link(e?.githubStars != null && starsStillApply(e.githubRepo, [u]) ? `Code (★ ${e.githubStars})` : 'Code', u)),
    ...shown.project.map((u) => link('Project page', u)),
    p.doi ? link(`DOI ${p.doi}`, `https://doi.org/${p.doi}`) : null,
    link('On Paperboy', `${siteUrl}${sitePaths.paper(p.id)}`),
  ].filter(Boolean);
  lines.push(`**Links:** ${links.join(' · ')}`);
  if (e) {
    const { keywords, source } = keywordsOf(e);
    if (keywords.length) lines.push(`**Keywords${source === 'llm' ? ' (AI)' : ''}:** ${keywords.map(escapeMarkdown).join(', ')}`);
    // Only an LLM's text is called an AI summary.
    if (e.summary) lines.push('', `## AI summary (${escapeMarkdown(e.summary.model)})`, '', escapeMarkdown(e.summary.text));
  }
  lines.push('', '## Abstract', '', escapeMarkdown(p.abstract));
  if (extra?.artifacts.length) {
    const hub = extra.hubUrl.replace(/\/+$/, '');
    lines.push('', '## On Hugging Face', '');
    for (const a of extra.artifacts.slice(0, 30)) lines.push(`- ${a.kind}: ${link(a.id, `${hub}${artifactPath(a)}`)}`);
  }
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
