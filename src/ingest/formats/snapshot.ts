import { parseArxivId } from '../../domain/arxiv-id.ts';
import { completePaper } from '../../domain/complete-paper.ts';
import { optionalDay, optionalString, requireString } from './fields.ts';
import { LineError, type ImportFormat } from './types.ts';

/** Splits arXiv's one-string author list ("A, B and C"). */
export function splitAuthors(s: string): string[] {
  return s
    .replace(/\s+/g, ' ')
    .split(/,\s*(?:and\s+)?|\s+and\s+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

function authorsFromParsed(v: unknown): string[] | null {
  if (!Array.isArray(v) || !v.length) return null;
  const out: string[] = [];
  for (const a of v) {
    if (!Array.isArray(a)) return null;
    const [last, first, suffix] = a.map((x) => (typeof x === 'string' ? x.trim() : ''));
    out.push([first, last, suffix].filter(Boolean).join(' '));
  }
  return out;
}

/**
 * The arXiv metadata snapshot (one object per line): `authors` as one string, `categories`
 * space-separated, `versions` with RFC 2822 dates, `update_date`, `authors_parsed`.
 */
export const snapshotFormat: ImportFormat = {
  name: 'snapshot',
  matches: (o) => 'versions' in o || 'authors_parsed' in o || 'update_date' in o || 'submitter' in o,
  parse(o, { plainText }) {
    const rawId = requireString(o, 'id');
    const id = parseArxivId(rawId);
    if (!id) throw new LineError(`bad arXiv id ${JSON.stringify(rawId)}`);
    const versions = Array.isArray(o.versions) ? (o.versions as { version?: string; created?: string }[]) : [];
    const numbers = versions.map((v) => Number(String(v.version ?? '').replace(/^v/, ''))).filter((n) => Number.isInteger(n) && n > 0);
    const firstCreated = versions[0]?.created ? new Date(versions[0].created) : null;
    if (firstCreated && Number.isNaN(firstCreated.getTime())) throw new LineError(`bad version date ${JSON.stringify(versions[0].created)}`);
    const authorsString = optionalString(o, 'authors');
    const authors = authorsFromParsed(o.authors_parsed) ?? (authorsString ? splitAuthors(authorsString) : []);
    const categories = (optionalString(o, 'categories') ?? '').split(/\s+/).filter(Boolean);
    const updateDay = optionalDay(o, 'update_date');
    const paper = completePaper({
      id: id.id,
      source: 'arxiv',
      version: numbers.length ? Math.max(...numbers) : id.version,
      title: requireString(o, 'title'),
      abstract: requireString(o, 'abstract'),
      authors,
      categories,
      primaryCategory: categories[0] ?? null,
      publishedAt: firstCreated ? firstCreated.toISOString() : null,
      updatedAt: updateDay,
      comment: optionalString(o, 'comments'),
      journalRef: optionalString(o, 'journal-ref'),
      doi: optionalString(o, 'doi'),
      license: optionalString(o, 'license'),
    }, plainText);
    return { paper, feedDay: null };
  },
};
