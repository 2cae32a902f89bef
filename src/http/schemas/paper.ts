import { z } from 'zod';

export const PaperSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    summary: z.string(),
    authors: z.array(z.object({ name: z.string() })),
    publishedAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
    version: z.number().int().nullable(),
    categories: z.array(z.string()),
    primaryCategory: z.string().nullable(),
    comment: z.string().nullable(),
    journalRef: z.string().nullable(),
    doi: z.string().nullable(),
    license: z.string().nullable(),
    upvotes: z.number().int(),
    numComments: z.number().int(),
    githubRepo: z.string().nullable(),
    projectPage: z.string().nullable(),
    thumbnail: z.string().nullable().describe("Absolute URL of an image of the paper's first page (WebP, 900 px wide, content-addressed and cacheable for a year); null until the background PDF step has made it, or when the PDF could not be read"),
    links: z.object({ abs: z.string().nullable(), pdf: z.string().nullable(), code: z.array(z.string()), project: z.array(z.string()) }),
    source: z.string(),
    withdrawn: z.boolean(),
  })
  .meta({ id: 'Paper' });

export type PaperJson = z.infer<typeof PaperSchema>;
