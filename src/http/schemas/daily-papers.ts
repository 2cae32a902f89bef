import { z } from 'zod';
import { PaperSchema } from './paper.ts';
import { isoDate } from './common.ts';

export const SubmitterSchema = z
  .object({ name: z.string().describe('Username'), fullname: z.string().describe('Display name') })
  .meta({ id: 'Submitter' });

/** One item of `/api/daily_papers`, in the shape Daily Papers clients already parse. */
export const DailyPaperSchema = z
  .object({
    paper: PaperSchema,
    title: z.string(),
    summary: z.string(),
    publishedAt: z.string().describe('When the paper reached the daily feed (ISO 8601 date-time, the feed day at 00:00 UTC)'),
    submittedBy: SubmitterSchema.nullable(),
    numComments: z.number().int(),
    thumbnail: z.string().nullable().describe("The paper's first-page thumbnail (as `paper.thumbnail`), where Hugging Face's Daily Papers items carry it"),
    seen: z.boolean().optional().describe('Only for an authenticated caller: whether they have seen (opened or marked) this paper'),
  })
  .meta({ id: 'DailyPaper' });

const pageSize = z.coerce.number().int().min(1).max(100).default(50).describe('Items per page (at most 100)');

export const DailyPapersQuery = z.object({
  p: z.coerce.number().int().min(0).max(100_000).default(0).describe('Page number, from 0'),
  limit: pageSize,
  date: isoDate.optional().describe('One feed day, YYYY-MM-DD'),
  week: z.string().regex(/^\d{4}-W\d{2}$/, 'expected YYYY-Www').optional().describe('An ISO 8601 week, YYYY-Www (Monday to Sunday)'),
  month: z.string().regex(/^\d{4}-\d{2}$/, 'expected YYYY-MM').optional().describe('A month, YYYY-MM'),
  submitter: z.string().min(1).max(64).optional().describe('Only papers submitted by this username'),
  sort: z.enum(['publishedAt', 'trending', 'stars']).default('publishedAt').describe('`publishedAt`: newest feed day first; `trending`: by the trending score; `stars`: most GitHub stars of the paper\'s repository first (then upvotes)'),
  hideSeen: z
    .enum(['true', 'false', '1', '0'], { message: 'hideSeen must be true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe('With a session or API token: leave out the papers the caller has seen (opened or marked); 401 without one'),
});

export const PaperListQuery = z.object({
  cursor: z.string().max(400).optional().describe('Opaque cursor from the previous page’s `nextCursor`'),
  limit: pageSize,
});

export const PaperPageSchema = z
  .object({
    papers: z.array(PaperSchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'PaperPage' });
