import { z } from 'zod';
import { isoDate } from './common.ts';
import { parseSort } from '../../search/query.ts';
import { ENRICHMENT_FIELDS } from './paper.ts';

export const SearchQuery = z.object({
  q: z.string().max(10_000, 'the query is longer than 10,000 characters').default(''),
  limit: z.coerce.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(120, 'limit must be at most 120').default(20),
  offset: z.coerce
    .number()
    .int('offset must be a whole number')
    .min(0, 'offset must be at least 0')
    .max(1000, 'offset must be at most 1000')
    .default(0)
    .describe('results to skip: `offset=20&limit=20` is the second page of 20, in the order of the first'),
  from: isoDate.optional(),
  to: isoDate.optional(),
  category: z
    .string()
    .regex(/^[a-z][a-z-]*(\.[a-z][a-z-]*)?$/i, 'expected an arXiv category such as cs.LG')
    .optional(),
  sort: z
    .string()
    .max(20)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const s = parseSort(v);
      if (!s) ctx.addIssue({ code: 'custom', message: 'sort must be relevance, date or upvotes' });
      return s ?? undefined;
    })
    .describe('`relevance` (default), `date` (newest first) or `upvotes`; `newest` is accepted as another word for `date`'),
  mode: z.enum(['hybrid', 'keyword', 'vector']).optional(),
});

export const SimilarQuery = z.object({
  limit: z.coerce.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(120, 'limit must be at most 120').default(10),
});

const PaperHit = {
  id: z.string(),
  title: z.string(),
  authors: z.array(z.object({ name: z.string() })),
  summary: z.string(),
  publishedAt: z.string().nullable(),
  upvotes: z.number().int(),
  numComments: z.number().int(),
  ...ENRICHMENT_FIELDS,
  score: z.number(),
};

export const SearchResultSchema = z
  .object({
    ...PaperHit,
    /** HTML: the title escaped, with matches in <mark>. */
    highlightedTitle: z.string(),
    /** HTML: an escaped abstract snippet around the matches, with matches in <mark>. */
    highlightedSummary: z.string(),
    /** HTML: when the words matched only the PDF's first pages (not title, abstract or authors), an escaped short snippet of that text around them, matches in <mark>; else null. */
    highlightedPdfText: z.string().nullable(),
  })
  .meta({ id: 'SearchResult' });

export const SimilarPaperSchema = z.object(PaperHit).meta({ id: 'SimilarPaper' });

export type SearchResultJson = z.infer<typeof SearchResultSchema>;
export type SimilarPaperJson = z.infer<typeof SimilarPaperSchema>;
