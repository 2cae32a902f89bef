import type { Paper } from './paper.ts';
import { httpUrl } from './links.ts';

/** A BibTeX value: braces balanced (unbalanced ones dropped), whitespace collapsed. */
function value(s: string): string {
  let depth = 0;
  let out = '';
  for (const ch of s.replace(/\s+/g, ' ').trim()) {
    if (ch === '{') depth++;
    else if (ch === '}') {
      if (depth === 0) continue;
      depth--;
    }
    out += ch;
  }
  return out + '}'.repeat(depth);
}

const ascii = (s: string) => s.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '');

/** The citation key: first author's last name, year, first long title word (`lovelace2025study`). */
export function citationKey(p: Paper): string {
  const last = ascii(p.authors[0]?.split(/\s+/).pop() ?? '').toLowerCase() || 'anon';
  const year = (p.publishedAt ?? '').slice(0, 4);
  const word = ascii(p.title.split(/\s+/).find((w) => ascii(w).length > 3) ?? '').toLowerCase();
  return `${last}${year}${word}`;
}

/** A BibTeX entry for the paper (`@misc` with arXiv's eprint fields, as arXiv itself suggests). */
export function bibtex(p: Paper): string {
  const fields: Array<[string, string | null]> = [
    ['title', value(p.title)],
    ['author', p.authors.length ? p.authors.map(value).join(' and ') : null],
    ['year', (p.publishedAt ?? '').slice(0, 4) || null],
  ];
  if (p.source === 'arxiv') {
    fields.push(['eprint', p.id], ['archivePrefix', 'arXiv'], ['primaryClass', p.primaryCategory]);
  }
  fields.push(['doi', p.doi], ['url', httpUrl(p.links.abs)]);
  const body = fields
    .filter((f): f is [string, string] => Boolean(f[1]))
    .map(([k, v]) => `  ${k} = {${v}}`)
    .join(',\n');
  return `@misc{${citationKey(p)},\n${body}\n}`;
}
