import { completePaper } from '../../domain/complete-paper.ts';
import { optionalDate, optionalString, requireString, stringArray } from './fields.ts';
import { LineError, type ImportFormat } from './types.ts';

const LOCAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Papers from elsewhere: `{id, title, abstract, authors?, categories?, published?, url?}`, addressed as `source:id`. */
export const genericFormat: ImportFormat = {
  name: 'generic',
  matches: (o) => 'id' in o && 'title' in o && 'abstract' in o,
  parse(o, { source, plainText }) {
    const raw = o.id;
    const localId = typeof raw === 'number' ? String(raw) : requireString(o, 'id').trim();
    if (!LOCAL_ID.test(localId)) throw new LineError(`bad id ${JSON.stringify(localId)}: use letters, digits and . _ -`);
    const url = optionalString(o, 'url');
    if (url !== null && !/^https?:\/\//i.test(url)) throw new LineError(`url must be http(s): ${JSON.stringify(url)}`);
    const categories = stringArray(o, 'categories');
    const paper = completePaper({
      id: `${source}:${localId}`,
      source,
      version: null,
      title: requireString(o, 'title'),
      abstract: requireString(o, 'abstract'),
      authors: stringArray(o, 'authors'),
      categories,
      primaryCategory: categories[0] ?? null,
      publishedAt: optionalDate(o, 'published'),
      updatedAt: null,
      comment: null,
      journalRef: null,
      doi: null,
      license: null,
      links: { abs: url ?? undefined },
    }, plainText);
    return { paper, feedDay: null };
  },
};
