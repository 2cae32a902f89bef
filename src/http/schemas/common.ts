import { z } from 'zod';

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).meta({ id: 'Error' });

/** A paper id in a path: arXiv (new or old style, optional version) or `source:id`. */
export const PaperIdParams = z.object({ id: z.string().min(1).max(220) });

/** A row id in a path (comments, collections, tokens): digits within PostgreSQL's `integer`. */
export const rowIdParam = (what: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `expected ${what}`)
    .transform(Number)
    .refine((n) => n <= 2_147_483_647, `${what} is out of range`);

/** A row id in a JSON body. */
export const rowId = z.number().int().positive().max(2_147_483_647);

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
