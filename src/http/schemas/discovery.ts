import { z } from 'zod';
import { isoDate } from './common.ts';
import { PaperSchema } from './paper.ts';

export const ForYouQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

export const ForYouItemSchema = z
  .object({
    paper: PaperSchema,
    score: z.number(),
    reason: z.string().describe('why this paper: "like “X”, which you upvoted"'),
    because: z.object({
      paperId: z.string(),
      title: z.string(),
      source: z.enum(['upvote', 'collection', 'interest-paper', 'interest-category', 'interest-author', 'not-interested', 'background']),
      detail: z.string().nullable().describe('the collection, category or author'),
    }),
  })
  .meta({ id: 'ForYouItem' });

export const ForYouSchema = z
  .object({
    items: z.array(ForYouItemSchema),
    coldStart: z.boolean().describe('no upvotes, collections or interests yet: pick some (POST /api/me/interests)'),
    positives: z.number().int(),
    negatives: z.number().int(),
  })
  .meta({ id: 'ForYou' });

export const NotInterestedSchema = z.object({ paperId: z.string(), notInterested: z.boolean() }).meta({ id: 'NotInterestedState' });

export const InterestSchema = z
  .object({ id: z.number().int(), kind: z.enum(['category', 'author', 'paper']), value: z.string(), createdAt: z.string() })
  .meta({ id: 'Interest' });
export const InterestBody = z.object({ kind: z.enum(['category', 'author', 'paper']), value: z.string().max(1000) });

export const FollowSchema = z
  .object({ id: z.number().int(), kind: z.enum(['author', 'category', 'search', 'org']).describe('`org`: an organisation, by its slug'), value: z.string(), createdAt: z.string() })
  .meta({ id: 'Follow' });
export const FollowBody = z.object({ kind: z.enum(['author', 'category', 'search', 'org']), value: z.string().max(1000) });

export const FollowingQuery = z.object({
  since: isoDate.optional().describe('feed day to start from (default: 7 days before the newest feed day)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const FollowingSchema = z
  .object({
    since: z.string(),
    follows: z.array(FollowSchema),
    items: z.array(z.object({ paper: PaperSchema, day: z.string(), matched: z.array(FollowSchema) })),
  })
  .meta({ id: 'Following' });

export const NumericIdParams = z.object({ fid: z.string().regex(/^\d{1,12}$/, 'expected a number') });
