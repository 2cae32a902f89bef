import { parseArxivId } from '../../domain/arxiv-id.ts';
import { completePaper } from '../../domain/complete-paper.ts';
import { optionalDay, optionalString, requireString, stringArray } from './fields.ts';
import { LineError, type ImportFormat } from './types.ts';

/** An ACM class code ("I.2.7"); a pattern written inside the filter was a new RegExp object a category. */
const ACM_CLASS = /^[A-K]\.\d/;

/** arXiv daily listings: `id, title, authors[], abstract, categories[], primary_category, comment, listing_date, abs_url, pdf_url`. */
export const listingFormat: ImportFormat = {
  name: 'listing',
  matches: (o) => 'listing_date' in o || ('abs_url' in o && Array.isArray(o.authors)),
  parse(o, { plainText }) {
    const rawId = requireString(o, 'id');
    const id = parseArxivId(rawId);
    if (!id) throw new LineError(`bad arXiv id ${JSON.stringify(rawId)}`);
    const listingDay = optionalDay(o, 'listing_date');
    // ACM class codes (e.g. "I.2.7") are mixed into some category lists; they are not arXiv categories.
    const categories = stringArray(o, 'categories').filter((c) => !ACM_CLASS.test(c));
    const paper = completePaper({
      id: id.id,
      source: 'arxiv',
      version: id.version,
      title: requireString(o, 'title'),
      abstract: requireString(o, 'abstract'),
      authors: stringArray(o, 'authors'),
      categories,
      primaryCategory: optionalString(o, 'primary_category'),
      publishedAt: listingDay,
      updatedAt: null,
      comment: optionalString(o, 'comment'),
      journalRef: null,
      doi: null,
      license: null,
      links: {
        abs: optionalString(o, 'abs_url') ?? undefined,
        pdf: optionalString(o, 'pdf_url') ?? undefined,
      },
    }, plainText);
    return { paper, feedDay: listingDay };
  },
};
