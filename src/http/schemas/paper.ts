import { z } from 'zod';

/**
 * The enrichment fields (issue 17), as Hugging Face's Papers API names them, on every paper the
 * API lists or shows: papers, Daily Papers items, search hits, similar papers, For you, Following,
 * collections and organisations.
 */
export const ENRICHMENT_FIELDS = {
  githubRepo: z.string().nullable().describe('The paper\'s code: the link a verified author set, else its GitHub repository when it has one, else its best code link (abstract, comment, PDF)'),
  githubStars: z.number().int().nullable().describe('Stars of the GitHub repository among the code links (refreshed daily); null when unknown, or when an author set another repository'),
  projectPage: z.string().nullable().describe('The project page a verified author set, else the first one found in the abstract or comment'),
  ai_summary: z.string().nullable().describe('Two-sentence TL;DR written by an LLM (`LLM_URL`); null when no LLM is configured or it has not run'),
  ai_keywords: z.array(z.string()).describe('Up to 8 keywords: the LLM\'s, or, without one, key phrases chosen offline (see `keywordsSource`)'),
  keywordsSource: z.enum(['llm', 'keyphrase']).nullable().describe('Where `ai_keywords` come from: `llm`, or `keyphrase` (offline, tf-idf over the corpus); null when there are none yet'),
  thumbnail: z.string().nullable().describe("Absolute URL of an image of the paper's first page (WebP, 900 px wide, content-addressed and cacheable for a year); null until the background PDF step has made it, or when the PDF could not be read"),
};

export type EnrichmentFieldsJson = { [K in keyof typeof ENRICHMENT_FIELDS]: z.infer<(typeof ENRICHMENT_FIELDS)[K]> };

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
    ...ENRICHMENT_FIELDS,
    links: z.object({ abs: z.string().nullable(), pdf: z.string().nullable(), code: z.array(z.string()), project: z.array(z.string()) }),
    source: z.string(),
    withdrawn: z.boolean(),
  })
  .meta({ id: 'Paper' });

export type PaperJson = z.infer<typeof PaperSchema>;

export const HubArtifactSchema = z
  .object({
    id: z.string().describe('Repository id on the hub (`owner/name`)'),
    url: z.string(),
    likes: z.number().int(),
    downloads: z.number().int().nullable(),
    detail: z.string().nullable().describe('Pipeline tag of a model, SDK of a Space'),
  })
  .meta({ id: 'HubArtifact' });

export const PaperDetailSchema = PaperSchema.extend({
  summaryModel: z.string().nullable().describe('The model that wrote `ai_summary`'),
  artifacts: z
    .object({ models: z.array(HubArtifactSchema), datasets: z.array(HubArtifactSchema), spaces: z.array(HubArtifactSchema) })
    .describe('Hugging Face models, datasets and Spaces whose cards cite the paper, most liked first'),
}).meta({ id: 'PaperDetail' });

export type PaperDetailJson = z.infer<typeof PaperDetailSchema>;
