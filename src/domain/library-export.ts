import type { Paper } from './paper.ts';
import { bibtex, citationKey } from './bibtex.ts';

/**
 * A reader's library going out: a collection as BibTeX (what LaTeX users paste), RIS (what Zotero,
 * Mendeley and EndNote import) or CSV (what a spreadsheet opens). Pure: papers in, text out.
 */
export type LibraryFormat = 'bib' | 'ris' | 'csv';

export const LIBRARY_CONTENT_TYPES: Record<LibraryFormat, string> = {
  bib: 'application/x-bibtex; charset=utf-8',
  ris: 'application/x-research-info-systems; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

export function exportLibrary(papers: readonly Paper[], format: LibraryFormat): string {
  if (format === 'bib') return papers.map(bibtex).join('\n\n') + (papers.length ? '\n' : '');
  if (format === 'ris') return papers.map(ris).join('');
  return csv(papers);
}

/** One RIS record. Lines are `TAG  - value`; values lose their line breaks (RIS is line-based). */
function ris(p: Paper): string {
  const line = (tag: string, v: string | null | undefined) => (v ? `${tag}  - ${v.replace(/\s+/g, ' ').trim()}\r\n` : '');
  const date = p.publishedAt?.slice(0, 10) ?? '';
  let out = line('TY', 'UNPB') + line('ID', citationKey(p)) + line('TI', p.title);
  for (const a of p.authors) out += line('AU', a);
  out += line('PY', date.slice(0, 4)) + line('DA', date.replace(/-/g, '/')) + line('AB', p.abstract);
  if (p.source === 'arxiv') out += line('N1', `arXiv:${p.id}`) + line('PB', 'arXiv');
  for (const c of p.categories) out += line('KW', c);
  out += line('DO', p.doi) + line('UR', p.links.abs) + line('L1', p.links.pdf);
  return `${out}ER  - \r\n`;
}

const CSV_COLUMNS = ['id', 'title', 'authors', 'published', 'categories', 'doi', 'url'] as const;

function csv(papers: readonly Paper[]): string {
  const rows = papers.map((p) => [p.id, p.title, p.authors.join('; '), p.publishedAt?.slice(0, 10) ?? '', p.categories.join(' '), p.doi ?? '', p.links.abs ?? '']);
  return [CSV_COLUMNS as readonly string[], ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * RFC 4180 quoting, and no formulas: a cell that a spreadsheet would evaluate (`=`, `+`, `-`, `@`,
 * tab or carriage return first — a title is anyone's text) is prefixed with `'` (OWASP's advice).
 */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
