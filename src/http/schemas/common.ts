import { z } from 'zod';

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).meta({ id: 'Error' });

/** A paper id in a path: arXiv (new or old style, optional version) or `source:id`. */
export const PaperIdParams = z.object({ id: z.string().min(1).max(220) });

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
